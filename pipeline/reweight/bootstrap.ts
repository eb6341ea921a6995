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
 * the score matrix is transposed item-major once so the inner loop runs over models.
 */
import type { Rng } from '../core/rng.ts';
import { quantileSorted, studentTQuantile } from '../core/stats.ts';

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
  /** n × m item-major scores with NaN replaced by 0. */
  scoresT: Float64Array;
  /** For each model, the items it has no result for (empty for complete models). */
  missing: Int32Array[];
  /** Models with at least one missing cell. */
  incomplete: number[];
  weights: Float64Array[];
  /** n × schemes item-major copy of the weights. */
  weightsT: Float64Array;
}

export function prepare(s: BootstrapSetup): Prepared {
  const { m, n, scores } = s;
  const scoresT = new Float64Array(n * m);
  const missing: Int32Array[] = [];
  const incomplete: number[] = [];
  for (let k = 0; k < m; k++) {
    const miss: number[] = [];
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const v = scores[row + i];
      if (v === v) scoresT[i * m + k] = v;
      else miss.push(i);
    }
    missing.push(Int32Array.from(miss));
    if (miss.length) incomplete.push(k);
  }
  const S = s.weights.length;
  const weightsT = new Float64Array(n * S);
  s.weights.forEach((w, j) => {
    for (let i = 0; i < n; i++) weightsT[i * S + j] = w[i];
  });
  return { m, n, scoresT, missing, incomplete, weights: s.weights, weightsT };
}

/** Scores of every model under every scheme for one vector of counts, written to out[s][offset .. offset+m). */
export function replicateScores(p: Prepared, counts: Float64Array, out: Float64Array[], offset: number, scratch: Scratch): void {
  const { m, n, scoresT, weights, weightsT, missing, incomplete } = p;
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
}

/** Cluster residual sums and weight shares of every model under every scheme. */
export function wildSetup(p: Prepared, clusters: ClusterIndex, point: Float64Array[]): WildSetup {
  const { m, n, scoresT, weights } = p;
  const { C, of } = clusters;
  if (C < 2) throw new Error('the wild cluster bootstrap needs at least 2 clusters');
  const isMissing = new Uint8Array(m * n);
  p.missing.forEach((miss, k) => {
    for (const i of miss) isMissing[k * n + i] = 1;
  });
  const residuals: Float64Array[] = [];
  const shares: Float64Array[] = [];
  weights.forEach((w, s) => {
    const e = new Float64Array(C * m);
    const W = new Float64Array(C * m);
    const den = new Float64Array(m);
    const mu = point[s];
    for (let i = 0; i < n; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const base = of[i] * m;
      for (let k = 0; k < m; k++) {
        if (isMissing[k * n + i]) continue;
        den[k] += wi;
        W[base + k] += wi;
        e[base + k] += wi * (scoresT[i * m + k] - mu[k]);
      }
    }
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < m; k++) {
        const d = den[k];
        e[c * m + k] = d > 0 ? e[c * m + k] / d : 0;
        W[c * m + k] = d > 0 ? W[c * m + k] / d : 0;
      }
    }
    residuals.push(e);
    shares.push(W);
  });
  return { C, kappa: Math.sqrt(C / (C - 1)), residuals, shares, point };
}

/**
 * B wild-bootstrap replicates: per scheme a B × m Float64Array (μ̂ + κ Σ_c v_c e_ck, the same shape as
 * bootstrapScores'), and the B × C cluster draws v (for studentised intervals).
 */
export function wildBootstrapScores(setup: WildSetup, m: number, B: number, kind: WildWeights, rng: Rng, onReplicate?: () => void): { replicates: Float64Array[]; draws: Float64Array } {
  const { C, kappa, residuals, point } = setup;
  const draws = new Float64Array(B * C);
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
