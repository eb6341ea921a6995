/**
 * Rank confidence sets and controlled swaps for thousands of models (pure), by projection from
 * simultaneous confidence intervals.
 *
 * The pairwise step-down of rank-sets.ts studentises every pair's difference by its own bootstrap
 * SD, so one step costs B × m² (and the swap family B × schemes × m²): 2.5e10 operations per step at
 * 5,000 models and B = 1000. Above EXACT_RANK_MODELS ranked models covary projects instead
 * (Mogstad, Romano, Shaikh & Wilhelm 2024 discuss this as the simpler, more conservative
 * construction): max-t simultaneous intervals for every model's centred score γ_k = θ_k − mean_j θ_j,
 * γ̂_k ± c·se_k, with c the (1 − α) bootstrap quantile of max_k |γ*_k − γ̂_k| / se_k, and model k
 * counts as significantly better than j when the intervals do not overlap, i.e.
 * (θ̂_k − θ̂_j) / (se_k + se_j) > c. When every interval covers (probability ≥ 1 − α) every such
 * statement is true, so the sets cover every rank at once, at cost B × m. Centring removes what moves
 * all models alike in a replicate (a hard cluster drawn twice), which pairwise differences never see:
 * on the coverage simulation of test/reweight (30 models in near-tied groups, cluster effects) the
 * sets average 7.95 ranks against the step-down's 6.21 (13.4 without centring), joint coverage
 * 200/200. The marginal sets are these simultaneous ones.
 *
 * Swaps: the same projection on each model's change of score Δ_sk = θ_sk − θ_uniform,k (paired
 * bootstrap), jointly over every model × scheme; a pair's change of gap Δ_a − Δ_b differs from 0
 * beyond noise when the Δ intervals do not overlap, and its adjusted p-value is the share of
 * replicates whose maximum reaches |Δ̂_a − Δ̂_b| / (se_a + se_b). Family-wise error ≤ α over all
 * pairs × schemes, as with the step-down.
 */
import { tToNormalEquivalent } from '../core/stats.ts';
import { diffSd, forEachPointSwap, oneSidedP, SE_FLOOR, type RankInterval, type RankSets, type Swap, type SwapResult } from './rank-sets.ts';

/** Up to this many ranked models the exact pairwise step-down runs: its marginal sets cost about B × m² log m (7.9 CPU-s at 116 models, 7 schemes, B = 1000; ~25 s at 200); above it, projection. */
export const EXACT_RANK_MODELS = 200;
/** Significant swaps listed per scheme above EXACT_RANK_MODELS (largest studentised change of gap first); all are counted. */
export const LISTED_SWAPS = 200;
/** Non-significant swaps listed per scheme (closest first), as rank-sets' caller keeps. */
const NEAREST_LISTED = 5;

/** Bootstrap SD of each column of a B × m replicate matrix (over finite replicates). */
export function columnSd(reps: Float64Array, m: number): Float64Array {
  const B = reps.length / Math.max(m, 1);
  const count = new Float64Array(m);
  const mean = new Float64Array(m);
  const m2 = new Float64Array(m);
  for (let b = 0; b < B; b++) {
    const off = b * m;
    for (let k = 0; k < m; k++) {
      const x = reps[off + k];
      if (x !== x) continue;
      const c = ++count[k];
      const d = x - mean[k];
      mean[k] += d / c;
      m2[k] += d * (x - mean[k]);
    }
  }
  const sd = new Float64Array(m);
  for (let k = 0; k < m; k++) sd[k] = count[k] >= 2 ? Math.sqrt(m2[k] / (count[k] - 1)) : NaN;
  return sd;
}

/** Per replicate, the largest |x*_bk − centre_k| / se_k over every column of every matrix; sorted ascending. */
function sortedMaxima(reps: Float64Array[], centre: Float64Array[], se: Float64Array[], m: number, B: number): Float64Array {
  const max = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let mx = 0;
    const off = b * m;
    for (let v = 0; v < reps.length; v++) {
      const r = reps[v];
      const c = centre[v];
      const s = se[v];
      for (let k = 0; k < m; k++) {
        if (!(s[k] > SE_FLOOR)) continue;
        const z = Math.abs(r[off + k] - c[k]) / s[k];
        if (z > mx) mx = z;
      }
    }
    max[b] = mx;
  }
  return max.sort();
}

/** (1 + #{maxima ≥ t}) / (B + 1). */
function adjustedP(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] >= t) hi = mid;
    else lo = mid + 1;
  }
  return (1 + sorted.length - lo) / (sorted.length + 1);
}

/** Normal-equivalent of a studentised statistic whose SEs rest on df + 1 clusters (see rank-sets.ts). */
const normalised = (t: number, df: number | null): number => (df === null ? t : tToNormalEquivalent(t, df));

/**
 * The smallest raw t that counts as significant at level alpha: t is significant when
 * adjustedP(normalised(t)) ≤ alpha. Found by bisection (normalised is increasing), so the interval
 * sets agree with the per-pair p-values.
 */
function criticalT(sorted: Float64Array, alpha: number, df: number | null): number {
  const B = sorted.length;
  // adjustedP(z) ≤ α ⇔ #{M ≥ z} ≤ K ⇔ z > M_(B−K−1) (ascending).
  const K = Math.floor(alpha * (B + 1) - 1 + 1e-9);
  if (K < 0) return Infinity;
  if (K >= B) return 0;
  const cz = sorted[B - K - 1];
  if (df === null) return cz;
  let lo = 0;
  let hi = Math.max(1, cz);
  while (normalised(hi, df) <= cz) hi *= 2;
  for (let it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (normalised(mid, df) > cz) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** How many of `sorted` (ascending) are strictly greater than x / strictly less than x. */
function countAbove(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return sorted.length - lo;
}
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Each model's score minus the mean of all ranked models' scores, in the estimate and in every
 * replicate (over the models with a value there). Differences between models are unchanged, but
 * what moves every model alike in a replicate (a hard cluster drawn twice) cancels, so the
 * intervals are about as wide as the differences' own noise rather than the scores' noise.
 */
export function centred(estimates: Float64Array, replicates: Float64Array, use: ArrayLike<number>): { est: Float64Array; reps: Float64Array } {
  const m = estimates.length;
  const B = replicates.length / Math.max(m, 1);
  const est = new Float64Array(m).fill(NaN);
  const reps = new Float64Array(B * m).fill(NaN);
  let mean = 0;
  for (let i = 0; i < use.length; i++) mean += estimates[use[i]];
  mean /= Math.max(1, use.length);
  for (let i = 0; i < use.length; i++) est[use[i]] = estimates[use[i]] - mean;
  for (let b = 0; b < B; b++) {
    const off = b * m;
    let s = 0;
    let c = 0;
    for (let i = 0; i < use.length; i++) {
      const x = replicates[off + use[i]];
      if (x === x) (s += x), c++;
    }
    const mu = c ? s / c : NaN;
    for (let i = 0; i < use.length; i++) reps[off + use[i]] = replicates[off + use[i]] - mu;
  }
  return { est, reps };
}

/** Simultaneous rank sets by projection (marginal = simultaneous), at level 1 − alpha. */
export function projectionRankSets(estimates: Float64Array, replicates: Float64Array, alpha: number, df: number | null = null): RankSets {
  const m = estimates.length;
  const B = replicates.length / Math.max(m, 1);
  const finite: number[] = [];
  for (let j = 0; j < m; j++) if (Number.isFinite(estimates[j])) finite.push(j);
  const M = finite.length;
  const { est: cEst, reps: cReps } = centred(estimates, replicates, finite);
  const se = columnSd(cReps, m);
  const seUsed = new Float64Array(m);
  for (const j of finite) seUsed[j] = se[j] > SE_FLOOR ? se[j] : 0;
  const c = criticalT(sortedMaxima([cReps], [cEst], [seUsed], m, B), alpha, df);
  // k is significantly above j when the centred intervals do not overlap: L_k > U_j. A model with
  // fewer than 2 replicates (SD NaN) is compared with nobody (the step-down leaves its pairs out too).
  const lower = new Float64Array(M);
  const upper = new Float64Array(M);
  finite.forEach((j, i) => {
    const unknown = se[j] !== se[j];
    lower[i] = unknown ? -Infinity : cEst[j] - c * seUsed[j];
    upper[i] = unknown ? Infinity : cEst[j] + c * seUsed[j];
  });
  const lowerSorted = Float64Array.from(lower).sort();
  const upperSorted = Float64Array.from(upper).sort();
  const rank = new Float64Array(m).fill(NaN);
  const sortedEst = Float64Array.from(finite.map((j) => estimates[j])).sort();
  const sets: (RankInterval | null)[] = new Array(m).fill(null);
  finite.forEach((j, i) => {
    rank[j] = 1 + countAbove(sortedEst, estimates[j]);
    sets[j] = [1 + countAbove(lowerSorted, upper[i]), M - countBelow(upperSorted, lower[i])];
  });
  const tauBest = finite.filter((j) => sets[j]![0] === 1).sort((a, b) => estimates[b] - estimates[a] || a - b);
  return { rank, marginal: sets.slice(), simultaneous: sets, tauBest, ranked: M };
}

/** Pairwise-complete bootstrap SD of a paired difference-in-differences, and its two-sided bootstrap p. */
function didTest(rs: Float64Array, ru: Float64Array, m: number, a: number, b: number, d: number, df: number | null): number {
  const B = rs.length / m;
  const x = new Float64Array(B);
  let used = 0;
  let mean = 0;
  let m2 = 0;
  for (let r = 0; r < B; r++) {
    const v = rs[r * m + a] - rs[r * m + b] - (ru[r * m + a] - ru[r * m + b]);
    if (v !== v) continue;
    x[used++] = v;
    const delta = v - mean;
    mean += delta / used;
    m2 += delta * (v - mean);
  }
  const sd = used >= 2 ? Math.sqrt(m2 / (used - 1)) : NaN;
  if (!(sd > SE_FLOOR)) return 1;
  const t = normalised(Math.abs(d) / sd, df);
  let exceed = 0;
  for (let r = 0; r < used; r++) if (Math.abs((x[r] - d) / sd) >= t) exceed++;
  return (1 + exceed) / (used + 1);
}

/** Indices of the `keep` largest (t, a, b) triples, largest t first (ties: smaller a, then b). */
function largestFirst(list: number[], keep: number): number[] {
  const idx = Array.from({ length: list.length / 3 }, (_, i) => i).sort((x, y) => list[3 * y] - list[3 * x] || list[3 * x + 1] - list[3 * y + 1] || list[3 * x + 2] - list[3 * y + 2]);
  return idx.slice(0, keep);
}

/** Adds (t, a, b) to `list` when it is among the `keep` largest by t (the list stays at most `keep` triples). */
function keepLargest(list: number[], keep: number, t: number, a: number, b: number): void {
  if (list.length < 3 * keep) {
    list.push(t, a, b);
    return;
  }
  let low = 0;
  for (let i = 1; i < keep; i++) if (list[3 * i] < list[3 * low]) low = i;
  if (t > list[3 * low]) (list[3 * low] = t), (list[3 * low + 1] = a), (list[3 * low + 2] = b);
}

/**
 * Swaps against vector 0 (uniform) by projection. Lists, per scheme, the LISTED_SWAPS significant
 * swaps with the largest studentised change of gap and the NEAREST_LISTED closest non-significant ones; counts
 * every swap in `significant` and flags every model in one in `beyondNoise`.
 */
export function projectionSwaps(estimates: Float64Array[], replicates: Float64Array[], alpha: number, skip: ReadonlySet<number> = new Set(), df: number | null = null): SwapResult {
  const V = estimates.length;
  const m = estimates[0]?.length ?? 0;
  const B = replicates[0] ? replicates[0].length / Math.max(m, 1) : 0;
  const ref = estimates[0];
  const ru = replicates[0];
  const tested: number[] = [];
  for (let v = 1; v < V; v++) if (!skip.has(v)) tested.push(v);
  const delta = new Map<number, { est: Float64Array; reps: Float64Array; se: Float64Array }>();
  for (const v of tested) {
    const raw = new Float64Array(m);
    for (let k = 0; k < m; k++) raw[k] = estimates[v][k] - ref[k];
    const rawReps = new Float64Array(B * m);
    const rv = replicates[v];
    for (let i = 0; i < rawReps.length; i++) rawReps[i] = rv[i] - ru[i];
    // Centred like the scores: a change of gap Δ_a − Δ_b does not depend on it.
    const use: number[] = [];
    for (let k = 0; k < m; k++) if (Number.isFinite(raw[k])) use.push(k);
    const { est, reps } = centred(raw, rawReps, use);
    // SD NaN (fewer than 2 replicates) or no estimate: the model is in no test; SD ≈ 0: a point.
    const se = columnSd(reps, m);
    for (let k = 0; k < m; k++) se[k] = !Number.isFinite(est[k]) || se[k] !== se[k] ? NaN : se[k] > SE_FLOOR ? se[k] : 0;
    delta.set(v, { est, reps, se });
  }
  const ds = tested.map((v) => delta.get(v)!);
  const maxima = sortedMaxima(
    ds.map((d) => d.reps),
    ds.map((d) => d.est),
    ds.map((d) => d.se),
    m,
    B,
  );
  const swaps: Swap[] = [];
  const pointSwaps = new Array(V).fill(0);
  const significant = new Array(V).fill(0);
  const beyondNoise: Uint8Array[] = estimates.map(() => new Uint8Array(m));
  let family = 0;
  for (const v of tested) {
    const { est: dHat, se } = delta.get(v)!;
    const est = estimates[v];
    // Pairs of models in the tests, less those of two points (no variation to test, as in familyOf).
    let inTests = 0;
    let points = 0;
    for (let k = 0; k < m; k++) if (se[k] === se[k]) (inTests++, se[k] === 0 && points++);
    family += (inTests * (inTests - 1)) / 2 - (points * (points - 1)) / 2;
    const hits: number[] = [];
    // The NEAREST_LISTED largest non-significant statistics, as (t, a, b) triples.
    const misses: number[] = [];
    pointSwaps[v] = forEachPointSwap(ref, est, m, (a, b) => {
      const s = se[a] + se[b];
      if (!(s > SE_FLOOR)) return;
      const t = Math.abs(dHat[a] - dHat[b]) / s;
      if (adjustedP(maxima, normalised(t, df)) <= alpha) {
        significant[v]++;
        beyondNoise[v][a] = 1;
        beyondNoise[v][b] = 1;
        hits.push(t, a, b);
      } else keepLargest(misses, NEAREST_LISTED, t, a, b);
    });
    for (const [list, keep, sig] of [
      [hits, LISTED_SWAPS, true],
      [misses, NEAREST_LISTED, false],
    ] as [number[], number, boolean][]) {
      for (const i of largestFirst(list, keep)) {
        const [t, a, b] = [list[3 * i], list[3 * i + 1], list[3 * i + 2]];
        const pAdjusted = adjustedP(maxima, normalised(t, df));
        const pOrder = Math.max(oneSidedP(ru, ref, diffSd(ru, m, a, b), m, a, b), oneSidedP(replicates[v], est, diffSd(replicates[v], m, b, a), m, b, a));
        const p = didTest(replicates[v], ru, m, a, b, dHat[a] - dHat[b], df);
        swaps.push({ scheme: v, models: [a, b], p, pAdjusted, significant: sig, pOrder, referenceGap: ref[a] - ref[b], schemeGap: est[a] - est[b] });
      }
    }
  }
  swaps.sort((x, y) => x.scheme - y.scheme || x.pAdjusted - y.pAdjusted || x.p - y.p || x.models[0] - y.models[0] || x.models[1] - y.models[1]);
  return { swaps, family, pointSwaps, significant, beyondNoise };
}
