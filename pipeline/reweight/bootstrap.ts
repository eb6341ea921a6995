/**
 * Vectorised bootstrap of weighted model scores for several weighting schemes at once.
 *
 * A replicate is a vector of counts c_i (how often prompt i was drawn). Under scheme s the
 * replicate score of model k is Σ c_i w_si S[k,i] / Σ_{i observed for k} c_i w_si: the resampled
 * prompts keep their scheme weights, renormalised over what the model has. All schemes share the
 * same counts in a replicate (common random numbers), so paired differences against uniform have
 * small noise. Prompt bootstrap: n prompts drawn with replacement. Cluster bootstrap: C clusters
 * drawn with replacement, every prompt of a drawn cluster counted once per draw.
 *
 * No per-replicate allocations: counts, accumulators and outputs are preallocated typed arrays;
 * the score matrix is transposed item-major once so the inner loop runs over models. A 0/1 matrix
 * of at least BIT_BOOTSTRAP_MIN_CELLS cells is bit-packed instead (bit-bootstrap.ts): no transposed
 * copy, replicates from table lookups on two threads, equal to this path's to rounding.
 */
import type { Rng } from '../core/rng.ts';
import { quantileSorted, studentTQuantile } from '../core/stats.ts';
import { bitBootstrapConfig, bitBootstrapScores, packBits, type BitMatrix } from './bit-bootstrap.ts';
import { wildReplicatesFast } from './wild-batch.ts';

export interface BootstrapSetup {
  m: number;
  n: number;
  /** m × n row-major, NaN = missing. */
  scores: Float64Array;
  /** One weight vector (length n) per scheme. */
  weights: Float64Array[];
}

export interface Prepared {
  m: number;
  n: number;
  /** m × n row-major, NaN = missing (the caller's array, not a copy). */
  scores: Float64Array;
  /** n × m item-major scores with NaN replaced by 0; null when the matrix is bit-packed instead. */
  scoresT: Float64Array | null;
  /** The bit-packed 0/1 matrix (at and above bitBootstrapConfig.minCells cells), else null. */
  bits: BitMatrix | null;
  /** At or above the size threshold: the fast (equal to rounding, not to the bit) forms are used, packed or not. */
  large: boolean;
  /** For each model, the items it has no result for (empty for complete models). */
  missing: Int32Array[];
  /** Models with at least one missing cell. */
  incomplete: number[];
  weights: Float64Array[];
  /** n × schemes item-major copy of the weights. */
  weightsT: Float64Array;
}

/**
 * Missing lists, and either the item-major copy or (a 0/1 matrix of at least `minBitCells` cells)
 * the bit-packed matrix. Below the threshold every number is computed exactly as before the packed
 * path existed.
 */
export function prepare(s: BootstrapSetup, minBitCells = bitBootstrapConfig.minCells): Prepared {
  const { m, n, scores } = s;
  const large = m * n >= minBitCells && m * n > 0;
  const packed = large ? packBits(scores, m, n) : null;
  const bits = packed?.bits ?? null;
  const scoresT = packed ? null : new Float64Array(n * m);
  const missing: Int32Array[] = packed?.missing ?? [];
  if (scoresT) {
    for (let k = 0; k < m; k++) {
      const miss: number[] = [];
      const row = k * n;
      for (let i = 0; i < n; i++) {
        const v = scores[row + i];
        if (v === v) scoresT[i * m + k] = v;
        else miss.push(i);
      }
      missing.push(Int32Array.from(miss));
    }
  }
  const incomplete: number[] = [];
  for (let k = 0; k < m; k++) if (missing[k].length) incomplete.push(k);
  const S = s.weights.length;
  const weightsT = new Float64Array(n * S);
  s.weights.forEach((w, j) => {
    for (let i = 0; i < n; i++) weightsT[i * S + j] = w[i];
  });
  return { m, n, scores, scoresT, bits, large, missing, incomplete, weights: s.weights, weightsT };
}

/** Scores of every model under every scheme for one vector of counts, written to out[s][offset .. offset+m). */
export function replicateScores(p: Prepared, counts: Float64Array, out: Float64Array[], offset: number, scratch: Scratch): void {
  const { m, n, scoresT, weights, weightsT, missing, incomplete } = p;
  if (!scoresT) throw new Error('replicateScores needs the item-major scores: this matrix is bit-packed (use bootstrapScores)');
  const S = weights.length;
  const { acc, total } = scratch;
  acc.fill(0);
  total.fill(0);
  // Prompts outer, schemes inner: each prompt's row of scores is read once per replicate.
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const base = i * m;
    const wb = i * S;
    for (let s = 0; s < S; s++) {
      const coef = c * weightsT[wb + s];
      if (coef === 0) continue;
      total[s] += coef;
      const off = s * m;
      for (let k = 0; k < m; k++) acc[off + k] += coef * scoresT[base + k];
    }
  }
  for (let s = 0; s < S; s++) {
    const o = out[s];
    const t = total[s];
    const off = s * m;
    for (let k = 0; k < m; k++) o[offset + k] = t > 0 ? acc[off + k] / t : NaN;
    const w = weights[s];
    for (const k of incomplete) {
      const miss = missing[k];
      let lost = 0;
      for (let j = 0; j < miss.length; j++) lost += counts[miss[j]] * w[miss[j]];
      const den = t - lost;
      o[offset + k] = den > 1e-300 ? acc[off + k] / den : NaN;
    }
  }
}

export interface Scratch {
  /** schemes × m accumulators. */
  acc: Float64Array;
  /** Total resampled weight per scheme. */
  total: Float64Array;
}

export function scratchFor(p: Prepared): Scratch {
  return { acc: new Float64Array(p.weights.length * p.m), total: new Float64Array(p.weights.length) };
}

export interface ClusterIndex {
  /** Cluster of each prompt, 0..C−1 (every prompt in exactly one). */
  of: Int32Array;
  C: number;
}

/**
 * B replicates; returns per scheme a B × m Float64Array of replicate scores.
 * kind 'prompt' resamples prompts; 'cluster' resamples whole clusters.
 */
export function bootstrapScores(p: Prepared, kind: 'prompt' | 'cluster', B: number, rng: Rng, clusters: ClusterIndex | null, onReplicate?: () => void): Float64Array[] {
  if (p.bits) return bitBootstrapScores({ bits: p.bits, weights: p.weights, incomplete: p.incomplete }, kind, B, rng, clusters, onReplicate);
  const { m, n } = p;
  const outs = p.weights.map(() => new Float64Array(B * m));
  const counts = new Float64Array(n);
  const scratch = scratchFor(p);
  let cc: Float64Array | null = null;
  if (kind === 'cluster') {
    if (!clusters || clusters.C < 1) throw new Error('cluster bootstrap needs clusters');
    cc = new Float64Array(clusters.C);
  }
  for (let b = 0; b < B; b++) {
    if (kind === 'prompt') {
      counts.fill(0);
      for (let j = 0; j < n; j++) counts[rng.int(n)]++;
    } else {
      const C = clusters!.C;
      cc!.fill(0);
      for (let j = 0; j < C; j++) cc![rng.int(C)]++;
      const of = clusters!.of;
      for (let i = 0; i < n; i++) counts[i] = cc![of[i]];
    }
    replicateScores(p, counts, outs, b * m, scratch);
    onReplicate?.();
  }
  return outs;
}

/**
 * Wild cluster bootstrap (for few clusters; Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017).
 *
 * A weighted score is the intercept-only weighted regression μ̂_k = Σ_i w̃_ki S[k,i], with w̃_k the
 * scheme's weights renormalised over the prompts model k has. Its cluster residual sums are
 * e_ck = Σ_{i∈c} w̃_ki (S[k,i] − μ̂_k) (they sum to 0 over c). The wild bootstrap keeps every prompt
 * and flips whole clusters' residuals: S*[k,i] = μ̂_k + v_c (S[k,i] − μ̂_k) for i in cluster c, with
 * one draw v_c per cluster (E v = 0, E v² = 1) shared by every model and scheme, so replicates are
 * paired exactly like the pairs bootstrap's. Re-estimating gives the replicate
 *   μ*_k = μ̂_k + Σ_c v_c e_ck.
 * This is the unrestricted form (residuals from the unconstrained fit, centred on μ̂): it needs no
 * null value, so it yields intervals and a replicate matrix; the restricted form (residuals under
 * H0: μ = μ0) suits a single test and would need inverting for an interval. Replicates are scaled by
 * κ = √(C/(C−1)) so that their variance, Σ_c κ² e_ck², is exactly the CR1 variance.
 *
 * Intervals are wild bootstrap-t (studentised, percentile-t): for a linear contrast θ = Σ a·μ
 * (a model's score, a paired difference), t* = (θ* − θ̂)/SE*, with SE* the CR1 standard error
 * recomputed on the replicate's residuals, whose cluster sums are v_c e_ck − W_ck (μ*_k − μ̂_k)
 * (W_ck = Σ_{i∈c} w̃_ki); the interval is [θ̂ − q*_{.975} SE, θ̂ − q*_{.025} SE], with the critical
 * values never inside ±t_{C−1, .975} (the CR1 t-interval with C − 1 degrees of freedom). Studentising
 * is what keeps coverage near nominal with a handful of clusters, where a percentile interval of the
 * replicates (whose spread is CR1's) is too narrow; the t floor matters only with very few clusters.
 *
 * Weights: Rademacher (±1) from 12 clusters up; below that Rademacher has only 2^C distinct
 * replicates, so Webb's 6-point distribution (±√½, ±1, ±√1.5, each 1/6) is used.
 */
export type WildWeights = 'rademacher' | 'webb';

/**
 * The cluster intervals come from the wild cluster bootstrap-t by default, at every number of
 * clusters: in bench/inference.ts (docs/inference.md) resampling whole clusters covers 80% at 5
 * clusters, 89% at 10, 92–93% at 20 and 50 and 95% at 100 (nominal 95%), the wild bootstrap-t 93.8–96.8%
 * throughout. The pairs cluster bootstrap stays available (--cluster-method pairs).
 */
export type ClusterMethod = 'wild' | 'pairs';
/** Below this many clusters the report warns that cluster-robust intervals rest on few clusters. */
export const FEW_CLUSTERS = 20;
/** Below this many clusters the wild weights are Webb's 6-point rather than Rademacher. */
export const WEBB_BELOW = 12;

export function wildWeightsFor(C: number): WildWeights {
  return C < WEBB_BELOW ? 'webb' : 'rademacher';
}

const WEBB = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)];

export function drawWild(kind: WildWeights, rng: Rng): number {
  return kind === 'webb' ? WEBB[rng.int(6)] : rng.int(2) === 0 ? -1 : 1;
}

export interface WildSetup {
  C: number;
  /** √(C/(C−1)). */
  kappa: number;
  /** Per scheme, C × m cluster residual sums e_ck (unscaled). */
  residuals: Float64Array[];
  /** Per scheme, C × m cluster weight shares W_ck (sum to 1 over c for a model with results). */
  shares: Float64Array[];
  /** Per scheme, the point estimates μ̂ (length m). */
  point: Float64Array[];
  /** Replicates and intervals by the fast forms of wild-batch.ts (equal to rounding); set for large matrices. */
  fast?: boolean;
}

/**
 * Cluster residual sums and weight shares of every model under every scheme. Reads the row-major
 * scores model by model (one pass for all schemes); each sum adds its prompts in prompt order, so
 * the numbers are those of the former item-major loop.
 */
export function wildSetup(p: Prepared, clusters: ClusterIndex, point: Float64Array[]): WildSetup {
  const { m, n, scores, weights, weightsT } = p;
  const { C, of } = clusters;
  if (C < 2) throw new Error('the wild cluster bootstrap needs at least 2 clusters');
  const S = weights.length;
  const mu = new Float64Array(S);
  const residuals = weights.map(() => new Float64Array(C * m));
  const shares = weights.map(() => new Float64Array(C * m));
  // Per scheme: one model's cluster sums e (S × C), W (S × C) and its weight total.
  const e = new Float64Array(S * C);
  const W = new Float64Array(S * C);
  const den = new Float64Array(S);
  for (let k = 0; k < m; k++) {
    e.fill(0);
    W.fill(0);
    den.fill(0);
    for (let s = 0; s < S; s++) mu[s] = point[s][k];
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const v = scores[row + i];
      if (v !== v) continue;
      const c = of[i];
      for (let s = 0; s < S; s++) {
        const wi = weightsT[i * S + s];
        if (wi === 0) continue;
        den[s] += wi;
        W[s * C + c] += wi;
        e[s * C + c] += wi * (v - mu[s]);
      }
    }
    for (let s = 0; s < S; s++) {
      const d = den[s];
      const es = residuals[s];
      const Ws = shares[s];
      for (let c = 0; c < C; c++) {
        es[c * m + k] = d > 0 ? e[s * C + c] / d : 0;
        Ws[c * m + k] = d > 0 ? W[s * C + c] / d : 0;
      }
    }
  }
  return { C, kappa: Math.sqrt(C / (C - 1)), residuals, shares, point, fast: p.large };
}

/**
 * B wild-bootstrap replicates: per scheme a B × m Float64Array (μ̂ + κ Σ_c v_c e_ck, the same shape as
 * bootstrapScores'), and the B × C cluster draws v (for studentised intervals).
 */
export function wildBootstrapScores(setup: WildSetup, m: number, B: number, kind: WildWeights, rng: Rng, onReplicate?: () => void): { replicates: Float64Array[]; draws: Float64Array } {
  const { C, kappa, residuals, point } = setup;
  const draws = new Float64Array(B * C);
  if (setup.fast) {
    for (let i = 0; i < B * C; i++) draws[i] = drawWild(kind, rng);
    const replicates = wildReplicatesFast(setup, m, draws);
    for (let b = 0; b < B; b++) onReplicate?.();
    return { replicates, draws };
  }
  const replicates = residuals.map(() => new Float64Array(B * m));
  for (let b = 0; b < B; b++) {
    const v = draws.subarray(b * C, (b + 1) * C);
    for (let c = 0; c < C; c++) v[c] = drawWild(kind, rng);
    residuals.forEach((e, s) => {
      const out = replicates[s];
      const mu = point[s];
      const off = b * m;
      for (let k = 0; k < m; k++) out[off + k] = Number.isFinite(mu[k]) ? mu[k] : NaN;
      for (let c = 0; c < C; c++) {
        const vc = kappa * v[c];
        const row = c * m;
        for (let k = 0; k < m; k++) out[off + k] += vc * e[row + k];
      }
    });
    onReplicate?.();
  }
  return { replicates, draws };
}

/** One term of a linear contrast of weighted scores: coef × μ(scheme, model). */
export interface ContrastTerm {
  scheme: number;
  model: number;
  coef: number;
}

export interface WildInterval {
  estimate: number;
  /** CR1 standard error of the contrast. */
  se: number;
  low: number;
  high: number;
}

/**
 * Wild bootstrap-t interval (level 1 − alpha) of a linear contrast of weighted scores, from the
 * cluster draws of wildBootstrapScores. NaN bounds when the contrast has no residual variation.
 */
export function wildInterval(setup: WildSetup, draws: Float64Array, terms: ContrastTerm[], alpha = 0.05): WildInterval {
  const { C, kappa, residuals, shares, point } = setup;
  const B = draws.length / C;
  const m = point[0].length;
  let estimate = 0;
  const E = new Float64Array(C);
  for (const t of terms) {
    estimate += t.coef * point[t.scheme][t.model];
    const e = residuals[t.scheme];
    for (let c = 0; c < C; c++) E[c] += t.coef * e[c * m + t.model];
  }
  const seOf = (x: Float64Array): number => {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[c] * x[c];
    return kappa * Math.sqrt(ss);
  };
  const se = seOf(E);
  if (!(se > 1e-14) || !Number.isFinite(estimate)) return { estimate, se, low: NaN, high: NaN };
  const tstar = new Float64Array(B);
  const delta = new Float64Array(terms.length);
  const R = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    const v = draws.subarray(b * C, (b + 1) * C);
    let num = 0;
    for (let c = 0; c < C; c++) num += v[c] * E[c];
    terms.forEach((t, j) => {
      const e = residuals[t.scheme];
      let d = 0;
      for (let c = 0; c < C; c++) d += v[c] * e[c * m + t.model];
      delta[j] = d;
    });
    R.fill(0);
    terms.forEach((t, j) => {
      const e = residuals[t.scheme];
      const W = shares[t.scheme];
      for (let c = 0; c < C; c++) {
        R[c] += t.coef * (v[c] * e[c * m + t.model] - W[c * m + t.model] * delta[j]);
      }
    });
    const se2 = seOf(R);
    tstar[b] = se2 > 1e-14 ? num / se2 : 0;
  }
  tstar.sort();
  // Never narrower than CR1 with Student's t(C−1) critical values (Donald & Lang 2007; Cameron,
  // Gelbach & Miller 2008): with 5 clusters the bootstrap-t alone covers ~92% (bench/inference.ts).
  const tRef = studentTQuantile(1 - alpha / 2, C - 1);
  const qLo = Math.min(quantileSorted(tstar, alpha / 2), -tRef);
  const qHi = Math.max(quantileSorted(tstar, 1 - alpha / 2), tRef);
  return { estimate, se, low: estimate - qHi * se, high: estimate - qLo * se };
}
