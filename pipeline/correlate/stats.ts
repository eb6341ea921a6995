/**
 * Summary statistics of pairwise-similarity distributions and their comparison with a null:
 * fine fixed-bin histograms (so replicate distributions can be pooled without keeping every
 * value), the Kolmogorov–Smirnov distance between histograms, and the permutation p-value.
 */
import type { NullComparison } from './index.ts';

/** Fine bins for KS: width (hi − lo) / FINE_STEPS, centred on multiples of the width so that a
 * value such as r = 0 never straddles a bin edge through rounding noise. */
export const FINE_STEPS = 4000;

export interface HistogramSpec {
  lo: number;
  hi: number;
  steps: number;
}

export function fineSpec(range: [number, number]): HistogramSpec {
  return { lo: range[0], hi: range[1], steps: FINE_STEPS };
}

export function binOf(spec: HistogramSpec, v: number): number {
  const b = Math.round(((v - spec.lo) / (spec.hi - spec.lo)) * spec.steps);
  return b < 0 ? 0 : b > spec.steps ? spec.steps : b;
}

/** Kolmogorov–Smirnov distance between two count histograms on the same bins. */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) na += a[i];
  for (let i = 0; i < b.length; i++) nb += b[i];
  if (na === 0 || nb === 0) return NaN;
  let ca = 0, cb = 0, d = 0;
  for (let i = 0; i < a.length; i++) {
    ca += a[i];
    cb += b[i];
    const x = Math.abs(ca / na - cb / nb);
    if (x > d) d = x;
  }
  return d;
}

/** Observed against B null values: mean, sd, z and p = (1 + #{null ≥ observed}) / (B + 1). */
export function compare(observed: number, nulls: ArrayLike<number>): NullComparison {
  let s = 0, c = 0;
  for (let i = 0; i < nulls.length; i++) {
    if (nulls[i] === nulls[i]) {
      s += nulls[i];
      c++;
    }
  }
  const mean = c ? s / c : NaN;
  let ss = 0;
  for (let i = 0; i < nulls.length; i++) if (nulls[i] === nulls[i]) ss += (nulls[i] - mean) ** 2;
  const sd = c > 1 ? Math.sqrt(ss / (c - 1)) : NaN;
  // Values equal to the observed up to rounding count as "≥" (conservative).
  const tol = 1e-12 * Math.max(1, Math.abs(observed));
  let ge = 0;
  for (let i = 0; i < nulls.length; i++) if (nulls[i] >= observed - tol) ge++;
  const z = sd > 0 ? (observed - mean) / sd : NaN;
  return { observed, nullMean: mean, nullSd: sd, z, p: (1 + ge) / (c + 1) };
}

/** Coarse histogram (shares that sum to 1) over `bins` equal bins of [lo, hi], from a fine one. */
export function coarsen(fine: ArrayLike<number>, spec: HistogramSpec, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  let total = 0;
  for (let b = 0; b < fine.length; b++) {
    if (!fine[b]) continue;
    const v = spec.lo + (b / spec.steps) * (spec.hi - spec.lo);
    let c = Math.floor(((v - spec.lo) / (spec.hi - spec.lo)) * bins);
    if (c >= bins) c = bins - 1;
    if (c < 0) c = 0;
    out[c] += fine[b];
    total += fine[b];
  }
  return total ? out.map((x) => x / total) : out;
}

export { quantileSorted } from '../core/stats.ts';
