/** Small statistics shared by several stages (one definition each, so stages agree). */

/** Quantile (type 7, linear interpolation) of an ascending sorted array; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Finite values of `values`, sorted ascending (a fresh Float64Array). */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let c = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) c++;
  const out = new Float64Array(c);
  c = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[c++] = values[i];
  return out.sort();
}

/** Competition ("1224") ranks: 1 + number of entries with a strictly higher score; NaN stays NaN. */
export function competitionRanks(scores: ArrayLike<number>, out: Float64Array = new Float64Array(scores.length)): Float64Array {
  const m = scores.length;
  for (let a = 0; a < m; a++) {
    const sa = scores[a];
    if (sa !== sa) {
      out[a] = NaN;
      continue;
    }
    let higher = 0;
    for (let b = 0; b < m; b++) if (scores[b] > sa) higher++;
    out[a] = 1 + higher;
  }
  return out;
}

/**
 * P(|T| ≤ t) for Student's t with an integer number of degrees of freedom, by the finite series of
 * Abramowitz & Stegun 26.7.3–26.7.4 (θ = atan(t/√ν)); exact up to rounding.
 */
export function studentTTwoSidedCdf(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`degrees of freedom must be a positive integer, got ${df}`);
  const x = Math.abs(t);
  const theta = Math.atan(x / Math.sqrt(df));
  const c2 = Math.cos(theta) ** 2;
  const s = Math.sin(theta);
  if (df % 2 === 1) {
    let sum = 0;
    let term = Math.cos(theta);
    for (let j = 3; j <= df; j += 2) {
      sum += term;
      term *= (c2 * (j - 1)) / j;
    }
    return (2 / Math.PI) * (theta + s * sum);
  }
  let sum = 1;
  let term = 1;
  for (let j = 2; j <= df - 2; j += 2) {
    term *= (c2 * (j - 1)) / j;
    sum += term;
  }
  return s * sum;
}

/** The p-quantile (p > 0.5) of Student's t with integer df, by bisection on studentTTwoSidedCdf. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0.5 && p < 1)) throw new Error(`studentTQuantile needs 0.5 < p < 1, got ${p}`);
  const target = 2 * p - 1;
  let lo = 0;
  let hi = 1;
  while (studentTTwoSidedCdf(hi, df) < target) hi *= 2;
  for (let it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
    const mid = (lo + hi) / 2;
    if (studentTTwoSidedCdf(mid, df) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
