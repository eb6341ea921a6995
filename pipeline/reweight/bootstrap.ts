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
