/**
 * Weighted model scores with missing cells handled explicitly, Kish effective sample size and the
 * clustered (CR1) standard error of METHOD §4. Scores are m × n row-major, NaN = missing.
 *
 * A model's score under weights w is Σ_{i observed} w_i S[k,i] / Σ_{i observed} w_i: the weights
 * are renormalised over the prompts the model has, and the weight it lacks is reported.
 */

export interface WeightedScores {
  score: Float64Array;
  /** Share of the scheme's total weight on prompts the model has no result for. */
  missingWeight: Float64Array;
}

export function weightedScores(scores: Float64Array, m: number, n: number, w: ArrayLike<number>): WeightedScores {
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i];
  const score = new Float64Array(m);
  const missingWeight = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const row = k * n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const v = scores[row + i];
      if (v !== v) continue;
      num += wi * v;
      den += wi;
    }
    score[k] = den > 0 ? num / den : NaN;
    missingWeight[k] = total > 0 ? Math.max(0, 1 - den / total) : NaN;
  }
  return { score, missingWeight };
}

/** Kish effective sample size (Σw)²/Σw² over the prompts model k has (all prompts when k is omitted). */
export function kishEss(w: ArrayLike<number>, scores?: Float64Array, n?: number, k?: number): number {
  let s = 0;
  let s2 = 0;
  const row = k !== undefined && n !== undefined ? k * n : -1;
  for (let i = 0; i < w.length; i++) {
    if (row >= 0 && scores) {
      const v = scores[row + i];
      if (v !== v) continue;
    }
    s += w[i];
    s2 += w[i] * w[i];
  }
  return s2 > 0 ? (s * s) / s2 : NaN;
}

/**
 * Clustered standard error, CR1: SE² = C/(C−1) · Σ_c (Σ_{i∈c} w̃_i (S[k,i] − μ_k))², with w̃ the
 * weights renormalised over the model's observed prompts and C the number of clusters carrying
 * positive weight among them. `clusters[i]` in 0..numClusters−1 (every prompt must be in one).
 * NaN when fewer than two clusters carry weight.
 */
export function clusteredSe(
  scores: Float64Array,
  m: number,
  n: number,
  w: ArrayLike<number>,
  clusters: Int32Array,
  numClusters: number,
  mu: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(m);
  const acc = new Float64Array(numClusters);
  const used = new Uint8Array(numClusters);
  for (let k = 0; k < m; k++) {
    const row = k * n;
    acc.fill(0);
    used.fill(0);
    let den = 0;
    for (let i = 0; i < n; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const v = scores[row + i];
      if (v !== v) continue;
      den += wi;
      const c = clusters[i];
      acc[c] += wi * (v - mu[k]);
      used[c] = 1;
    }
    let C = 0;
    let ss = 0;
    for (let c = 0; c < numClusters; c++) {
      if (!used[c]) continue;
      C++;
      ss += acc[c] * acc[c];
    }
    out[k] = C >= 2 && den > 0 ? Math.sqrt((C / (C - 1)) * ss) / den : NaN;
  }
  return out;
}

/** Normalise non-negative weights to sum to 1 (throws on negative, non-finite or all-zero weights). */
export function normalizeWeights(raw: Float64Array, what: string): Float64Array {
  let s = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${what}: weight ${i} is ${v} (weights must be finite and non-negative)`);
    s += v;
  }
  if (!(s > 0)) throw new Error(`${what}: all weights are zero`);
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw[i] / s;
  return out;
}
