/**
 * Confidence sets for ranks and controlled rank swaps (pure).
 *
 * Follows Mogstad, Romano, Shaikh & Wilhelm (2024, "Inference for ranks", R package csranks): a
 * model's rank set is [1 + #models significantly better, m − #models significantly worse], where
 * "significantly" comes from a step-down max-t test of the one-sided pairwise hypotheses
 * H_jk: θ_j ≤ θ_k (rejected ⇒ j is better than k). Two-sided sets test both directions of every
 * pair: for a marginal set the family is the 2(m−1) hypotheses that involve the model, for the
 * simultaneous sets it is all m(m−1) ordered pairs. The τ-best set (τ = 1, csranks `cstaubest`) is
 * the models whose simultaneous lower bound is 1: csranks' one-sided "lower" procedure tests the
 * same family with the same statistics, so the two coincide.
 *
 * Unlike csranks' parametric normal bootstrap, the null distribution comes from bootstrap
 * replicates of the whole m-vector of estimates (any resampling scheme: this module only sees the
 * B × m matrix). Each pairwise difference is studentised by the bootstrap SD of that difference,
 * computed pairwise-complete over replicates where both models have a score.
 *
 * Step-down max-t (Romano & Wolf 2005): order hypotheses by t descending; the adjusted p-value of
 * the r-th is the share of replicates whose maximum centred studentised deviation over hypotheses
 * r, r+1, … reaches t_r, made monotone. Rejecting all with adjusted p ≤ α is the csranks step-down
 * (remove the rejected hypotheses, recompute the critical value over the rest, repeat).
 *
 * Rank swaps between two weightings (rankSwaps) reuse the same step-down on the paired bootstrap of
 * each pair's difference-in-differences.
 *
 * `df`: when the replicates come from a cluster bootstrap over C clusters, the SEs rest on C
 * clusters, so an observed t is referred to t(C − 1) rather than the normal: each observed t is
 * mapped to the normal value with the same t(C − 1) tail before it meets the bootstrap maximum
 * (the bootstrap deviations are studentised by the same fixed SE, so they are normal-calibrated).
 * Without it, 5 clusters give confident swaps from a handful of cluster sums.
 */

import { tToNormalEquivalent } from '../core/stats.ts';

/** Hypotheses "θ_j ≤ θ_k" in struct-of-arrays form; each reads the replicates of its own estimate vector. */
export interface HypothesisFamily {
  /** Which estimate vector (index into `replicates`) each hypothesis is about. */
  vector: Int32Array;
  /** A vector whose same difference is subtracted (difference-in-differences), −1 for none. */
  minus: Int32Array;
  /** Two-sided: |t| against the maximum |deviation| (each hypothesis is "difference = 0"). */
  absolute: boolean;
  j: Int32Array;
  k: Int32Array;
  /** Studentised observed difference d / se (|d| / se when absolute). */
  t: Float64Array;
  /** θ̂_j − θ̂_k, minus the same difference in vector `minus` when given. */
  d: Float64Array;
  se: Float64Array;
}

export interface StepDownResult {
  /** Bootstrap one-sided p-value of each hypothesis alone: (1 + #{z*_b ≥ t}) / (B' + 1). */
  p: Float64Array;
  /** Step-down max-t adjusted p-value (family-wise error over the whole family). */
  pAdjusted: Float64Array;
}

/**
 * Bootstrap SD of every pairwise difference, pairwise-complete over replicates. Returns m × m
 * (symmetric, NaN on the diagonal and where fewer than 2 replicates have both models).
 */
export function pairwiseDiffSe(replicates: Float64Array, m: number): Float64Array {
  const se = new Float64Array(m * m).fill(NaN);
  for (let j = 0; j < m; j++) {
    for (let k = j + 1; k < m; k++) {
      const v = diffSd(replicates, m, j, k);
      se[j * m + k] = v;
      se[k * m + j] = v;
    }
  }
  return se;
}

/**
 * Bootstrap SD of θ_j − θ_k over the replicates where both have a score (NaN below 2); with
 * `reference`, of the difference-in-differences (θ_j − θ_k) − (θ_j − θ_k in the reference replicates).
 */
export function diffSd(replicates: Float64Array, m: number, j: number, k: number, reference?: Float64Array): number {
  const B = replicates.length / Math.max(m, 1);
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let b = 0; b < B; b++) {
    let x = replicates[b * m + j] - replicates[b * m + k];
    if (reference) x -= reference[b * m + j] - reference[b * m + k];
    if (x !== x) continue;
    count++;
    const delta = x - mean;
    mean += delta / count;
    m2 += delta * (x - mean);
  }
  return count >= 2 ? Math.sqrt(m2 / (count - 1)) : NaN;
}

/** Differences whose bootstrap SD is this small relative to the scores are not testable (identical models). */
export const SE_FLOOR = 1e-12;

export interface PairHypothesis {
  vector: number;
  j: number;
  k: number;
  /** Subtract the same difference in this vector (difference-in-differences). */
  minus?: number;
}

/** Build a family of pairwise hypotheses; pairs with a missing estimate or a zero bootstrap SD are left out (not testable). */
export function familyOf(pairs: PairHypothesis[], estimates: Float64Array[], se: (h: PairHypothesis) => number, absolute = false, df: number | null = null): HypothesisFamily {
  const diff = ({ vector, j, k, minus }: PairHypothesis) => estimates[vector][j] - estimates[vector][k] - (minus === undefined ? 0 : estimates[minus][j] - estimates[minus][k]);
  const usable = pairs.filter((h) => Number.isFinite(diff(h)) && se(h) > SE_FLOOR);
  const H = usable.length;
  const f: HypothesisFamily = { vector: new Int32Array(H), minus: new Int32Array(H), absolute, j: new Int32Array(H), k: new Int32Array(H), t: new Float64Array(H), d: new Float64Array(H), se: new Float64Array(H) };
  usable.forEach((h, i) => {
    const d = diff(h);
    const sd = se(h);
    f.vector[i] = h.vector;
    f.minus[i] = h.minus ?? -1;
    f.j[i] = h.j;
    f.k[i] = h.k;
    f.d[i] = d;
    f.se[i] = sd;
    const t = (absolute ? Math.abs(d) : d) / sd;
    f.t[i] = df === null ? t : tToNormalEquivalent(t, df);
  });
  return f;
}

/**
 * Step-down max-t over a family. `replicates[v]` is the B × m replicate matrix of estimate vector v
 * (all vectors share replicate b: a paired bootstrap). A replicate in which a hypothesis' models
 * lack a score does not contribute that hypothesis to the replicate's maximum.
 */
export function stepDownMaxT(f: HypothesisFamily, replicates: Float64Array[], m: number): StepDownResult {
  const H = f.t.length;
  const p = new Float64Array(H);
  const pAdjusted = new Float64Array(H);
  if (H === 0) return { p, pAdjusted };
  const B = replicates[0].length / m;
  const order = Array.from({ length: H }, (_, h) => h).sort((a, b) => f.t[b] - f.t[a] || a - b);
  const oVec = new Int32Array(H);
  const oMinus = new Int32Array(H);
  const oJ = new Int32Array(H);
  const oK = new Int32Array(H);
  const oT = new Float64Array(H);
  const oD = new Float64Array(H);
  const oSe = new Float64Array(H);
  order.forEach((h, r) => {
    oVec[r] = f.vector[h];
    oMinus[r] = f.minus[h];
    oJ[r] = f.j[h];
    oK[r] = f.k[h];
    oT[r] = f.t[h];
    oD[r] = f.d[h];
    oSe[r] = f.se[h];
  });
  const exceedMax = new Float64Array(H);
  const exceedOwn = new Float64Array(H);
  const used = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    const off = b * m;
    let max = -Infinity;
    // From the smallest t upwards: `max` is the largest deviation over hypotheses r, r+1, …, H−1.
    for (let r = H - 1; r >= 0; r--) {
      const rep = replicates[oVec[r]];
      let x = rep[off + oJ[r]] - rep[off + oK[r]];
      if (oMinus[r] >= 0) {
        const ref = replicates[oMinus[r]];
        x -= ref[off + oJ[r]] - ref[off + oK[r]];
      }
      let z = (x - oD[r]) / oSe[r];
      if (f.absolute) z = Math.abs(z);
      if (z === z) {
        used[r]++;
        if (z >= oT[r]) exceedOwn[r]++;
        if (z > max) max = z;
      }
      if (max >= oT[r]) exceedMax[r]++;
    }
  }
  let running = 0;
  for (let r = 0; r < H; r++) {
    running = Math.max(running, (1 + exceedMax[r]) / (B + 1));
    pAdjusted[order[r]] = running;
    p[order[r]] = (1 + exceedOwn[r]) / (used[r] + 1);
  }
  return { p, pAdjusted };
}

export type RankInterval = [number, number];

export interface RankSets {
  /** Competition rank of each model among those with a finite estimate (NaN otherwise). */
  rank: Float64Array;
  /** Per model, null when its estimate is not finite. */
  marginal: (RankInterval | null)[];
  simultaneous: (RankInterval | null)[];
  /** Models that may be the best (simultaneous lower bound 1), best estimate first. */
  tauBest: number[];
  /** Models with a finite estimate (the m the sets count against). */
  ranked: number;
}

/**
 * Marginal and simultaneous two-sided rank confidence sets at level 1 − alpha, with step-down.
 * estimates: length m; replicates: B × m row-major (NaN = the model has no score in that replicate).
 */
export function rankConfidenceSets(estimates: Float64Array, replicates: Float64Array, alpha: number, df: number | null = null): RankSets {
  const m = estimates.length;
  if (m > 0 && replicates.length % m !== 0) throw new Error(`rankConfidenceSets: replicates length ${replicates.length} is not a multiple of m = ${m}`);
  const se = pairwiseDiffSe(replicates, m);
  const finite: number[] = [];
  for (let j = 0; j < m; j++) if (Number.isFinite(estimates[j])) finite.push(j);
  const M = finite.length;
  const rank = new Float64Array(m).fill(NaN);
  for (const j of finite) {
    let higher = 0;
    for (const k of finite) if (estimates[k] > estimates[j]) higher++;
    rank[j] = 1 + higher;
  }
  const setsFrom = (f: HypothesisFamily, res: StepDownResult, who: number[]): (RankInterval | null)[] => {
    const better = new Int32Array(m);
    const worse = new Int32Array(m);
    for (let h = 0; h < f.t.length; h++) {
      if (res.pAdjusted[h] > alpha) continue;
      worse[f.k[h]]++; // j significantly above k
      better[f.j[h]]++;
    }
    const out: (RankInterval | null)[] = new Array(m).fill(null);
    for (const i of who) out[i] = [1 + worse[i], M - better[i]];
    return out;
  };

  const seOf = (h: PairHypothesis) => se[h.j * m + h.k];
  const allPairs: PairHypothesis[] = [];
  for (const j of finite) for (const k of finite) if (j !== k) allPairs.push({ vector: 0, j, k });
  const simFamily = familyOf(allPairs, [estimates], seOf, false, df);
  const simultaneous = setsFrom(simFamily, stepDownMaxT(simFamily, [replicates], m), finite);

  const marginal: (RankInterval | null)[] = new Array(m).fill(null);
  for (const i of finite) {
    const pairs: PairHypothesis[] = [];
    for (const k of finite) {
      if (k === i) continue;
      pairs.push({ vector: 0, j: i, k }, { vector: 0, j: k, k: i });
    }
    const f = familyOf(pairs, [estimates], seOf, false, df);
    marginal[i] = setsFrom(f, stepDownMaxT(f, [replicates], m), [i])[i];
  }
  const tauBest = finite.filter((i) => simultaneous[i]![0] === 1).sort((a, b) => estimates[b] - estimates[a] || a - b);
  return { rank, marginal, simultaneous, tauBest, ranked: M };
}

export interface Swap {
  /** Index of the estimate vector (scheme) the swap is under. */
  scheme: number;
  /** [model ahead under the reference (uniform), model ahead under the scheme]. */
  models: [number, number];
  /** Two-sided paired-bootstrap p-value of the difference-in-differences (the gap changes). */
  p: number;
  /** Step-down max-t adjusted p (family-wise error over all schemes × model pairs). */
  pAdjusted: number;
  /** pAdjusted ≤ alpha (the point estimates change order by construction). */
  significant: boolean;
  /**
   * Intersection-union p-value of "the two weightings order the pair the same way": the larger of
   * the one-sided p-values of "a above b under the reference" and "b above a under the scheme".
   * Not multiplicity-adjusted; small when each order on its own is clear.
   */
  pOrder: number;
  /** Reference difference θ̂_ref,a − θ̂_ref,b (> 0) and scheme difference θ̂_s,a − θ̂_s,b (< 0). */
  referenceGap: number;
  schemeGap: number;
}

export interface SwapResult {
  swaps: Swap[];
  /** Hypotheses (scheme × model pair) the adjusted p-values control the error over. */
  family: number;
  /** Per vector: pairs whose point estimates change order against the reference (significant or not). */
  pointSwaps: number[];
  /** Per vector: significant swaps (all of them, also when `swaps` lists only some). */
  significant: number[];
  /** Per vector, per model: 1 when the model is in a significant swap. */
  beyondNoise: Uint8Array[];
}

/**
 * Calls visit(a, b, reference gap, scheme gap) for every pair the point estimates reorder: a above b
 * in the reference, below it in `est` (ties are not reorderings). Returns how many there are.
 */
export function forEachPointSwap(ref: ArrayLike<number>, est: ArrayLike<number>, m: number, visit: (a: number, b: number, referenceGap: number, schemeGap: number) => void): number {
  let count = 0;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      if (a === b) continue;
      const refGap = ref[a] - ref[b];
      const gap = est[a] - est[b];
      if (!(refGap > 0 && gap < 0)) continue;
      count++;
      visit(a, b, refGap, gap);
    }
  }
  return count;
}

/** One-sided bootstrap p-value of "θ_a ≤ θ_b" in one vector, studentised by the pair's SD s: (1 + #{z* ≥ t}) / (B' + 1). */
export function oneSidedP(rep: Float64Array, est: Float64Array, s: number, m: number, a: number, b: number): number {
  const d = est[a] - est[b];
  if (!(s > SE_FLOOR)) return 1;
  const t = d / s;
  const B = rep.length / m;
  let used = 0;
  let exceed = 0;
  for (let r = 0; r < B; r++) {
    const z = (rep[r * m + a] - rep[r * m + b] - d) / s;
    if (z !== z) continue;
    used++;
    if (z >= t) exceed++;
  }
  return (1 + exceed) / (used + 1);
}

/**
 * Pairs of models that change order between a reference vector (index 0, uniform) and each other
 * vector, judged on the paired bootstrap (replicate b resamples the same prompts for every vector).
 *
 * Each hypothesis is "re-weighting leaves this pair's gap unchanged": the difference-in-differences
 * (θ_s,a − θ_s,b) − (θ_u,a − θ_u,b) = 0, two-sided, studentised by its paired-bootstrap SD. The
 * family is every model pair under every scheme (skip: schemes identical to the reference), and
 * step-down max-t keeps the family-wise error ≤ α: when no weighting changes any gap between two
 * models — weights unrelated to model-specific skills — the chance that any swap is reported is at
 * most α. A swap also needs the point estimates to change order, so a reported swap is a pair whose
 * gap moved beyond noise across zero. `pOrder` says whether each order is also clear on its own.
 */
export function rankSwaps(estimates: Float64Array[], replicates: Float64Array[], alpha: number, skip: ReadonlySet<number> = new Set(), df: number | null = null): SwapResult {
  const V = estimates.length;
  const m = estimates[0]?.length ?? 0;
  const ref = estimates[0];
  const ru = replicates[0];
  const pairs: PairHypothesis[] = [];
  const seByKey = new Map<number, number>();
  const key = (v: number, j: number, k: number) => (v * m + j) * m + k;
  for (let v = 1; v < V; v++) {
    if (skip.has(v)) continue;
    for (let j = 0; j < m; j++) {
      for (let k = j + 1; k < m; k++) {
        pairs.push({ vector: v, j, k, minus: 0 });
        seByKey.set(key(v, j, k), diffSd(replicates[v], m, j, k, ru));
      }
    }
  }
  const f = familyOf(pairs, estimates, (h) => seByKey.get(key(h.vector, h.j, h.k)) ?? NaN, true, df);
  const res = stepDownMaxT(f, replicates, m);
  const index = new Map<number, number>();
  for (let h = 0; h < f.t.length; h++) index.set(key(f.vector[h], f.j[h], f.k[h]), h);
  const se = replicates.map((r, v) => (v === 0 || !skip.has(v) ? pairwiseDiffSe(r, m) : new Float64Array(0)));
  const swaps: Swap[] = [];
  const pointSwaps = new Array(V).fill(0);
  for (let v = 1; v < V; v++) {
    if (skip.has(v)) continue;
    const est = estimates[v];
    pointSwaps[v] = forEachPointSwap(ref, est, m, (a, b, refGap, gap) => {
      const h = index.get(key(v, Math.min(a, b), Math.max(a, b)));
      if (h === undefined) return;
      const pOrder = Math.max(oneSidedP(ru, ref, se[0][a * m + b], m, a, b), oneSidedP(replicates[v], est, se[v][b * m + a], m, b, a));
      swaps.push({ scheme: v, models: [a, b], p: res.p[h], pAdjusted: res.pAdjusted[h], significant: res.pAdjusted[h] <= alpha, pOrder, referenceGap: refGap, schemeGap: gap });
    });
  }
  swaps.sort((x, y) => x.scheme - y.scheme || x.pAdjusted - y.pAdjusted || x.p - y.p || x.models[0] - y.models[0] || x.models[1] - y.models[1]);
  const significant = new Array(V).fill(0);
  const beyondNoise = estimates.map(() => new Uint8Array(m));
  for (const x of swaps) {
    if (!x.significant) continue;
    significant[x.scheme]++;
    for (const k of x.models) beyondNoise[x.scheme][k] = 1;
  }
  return { swaps, family: f.t.length, pointSwaps, significant, beyondNoise };
}
