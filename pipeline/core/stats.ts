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
  // Sorted descending, a model's rank is 1 + the number of strictly higher scores: the position of
  // the first score equal to its own (m log m; the rank sets rank B replicates of thousands of models).
  const finite: number[] = [];
  for (let a = 0; a < m; a++) {
    if (scores[a] === scores[a]) finite.push(a);
    else out[a] = NaN;
  }
  finite.sort((a, b) => (scores[b] > scores[a] ? 1 : scores[b] < scores[a] ? -1 : 0));
  for (let r = 0; r < finite.length; r++) {
    const a = finite[r];
    out[a] = r > 0 && scores[finite[r - 1]] === scores[a] ? out[finite[r - 1]] : r + 1;
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

/** P(Z > z) for a standard normal Z (erfc by Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function normalUpperTail(z: number): number {
  const x = z / Math.SQRT2;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.5 * ax);
  const r = t * Math.exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return 0.5 * (x >= 0 ? r : 2 - r);
}

/**
 * The p-quantile of the standard normal by Acklam's rational approximation (relative error below
 * 1.2e-9 over (0, 1)), enough for critical values and p-value transforms.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new Error(`normalQuantile needs 0 ≤ p ≤ 1, got ${p}`);
  }
  const a = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}

/**
 * A statistic that is Student-t with `df` degrees of freedom, mapped to the standard normal value
 * with the same tail probability (sign kept). With a variance estimated from C clusters, t(C − 1) is
 * the usual small-sample reference (Cameron, Gelbach & Miller 2008); a normal-calibrated bootstrap
 * of the same statistic is then compared with this value.
 */
export function tToNormalEquivalent(t: number, df: number): number {
  if (!Number.isFinite(t)) return t;
  // Work from the upper tail P(|T| > |t|), which rounding can push to 0 (or just below) for large t.
  const tail = Math.max(1 - studentTTwoSidedCdf(t, df), 0);
  const z = -normalQuantile(Math.max(tail / 2, Number.MIN_VALUE));
  return t < 0 ? -z : z;
}
