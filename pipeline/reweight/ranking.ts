/**
 * Rankings and their comparison: competition ranks, Kendall τ_b (ties handled), top-k overlap,
 * and quantiles. Rank 1 = highest score; a model whose score is NaN has rank NaN.
 */

export { competitionRanks as ranksOf } from '../core/stats.ts';

/**
 * Kendall τ_b between two score vectors (pairs with a NaN on either side are ignored):
 * (concordant − discordant) / √((n0 − n1)(n0 − n2)), n1/n2 = pairs tied in x / in y.
 * NaN when either vector is constant over the usable models.
 *
 * Knight's (1966) O(m log m) algorithm: sort by (x, y), count the ties, then count the discordant
 * pairs as the swaps a merge sort by y makes. The counts are the exact integers of the O(m²)
 * definition, so τ is the same number (the noise floor compares hundreds of replicate pairs of
 * thousands of models).
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const m = x.length;
  if (y.length !== m) throw new Error(`kendallTauB: lengths differ (${m} vs ${y.length})`);
  const usable: number[] = [];
  for (let a = 0; a < m; a++) if (x[a] === x[a] && y[a] === y[a]) usable.push(a);
  const n = usable.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  usable.sort((a, b) => x[a] - x[b] || y[a] - y[b]).forEach((a, i) => ((xs[i] = x[a]), (ys[i] = y[a])));
  const pairs = (n * (n - 1)) / 2;
  // Ties in x (n1) and joint ties in (x, y) (n3), over runs of the sorted order.
  let tiesX = 0;
  let tiesXY = 0;
  for (let i = 0, runX = 1, runXY = 1; i < n; i++) {
    const last = i === n - 1;
    if (!last && xs[i + 1] === xs[i]) {
      runX++;
      runXY = ys[i + 1] === ys[i] ? runXY + 1 : (((tiesXY += (runXY * (runXY - 1)) / 2), 1));
      continue;
    }
    tiesX += (runX * (runX - 1)) / 2;
    tiesXY += (runXY * (runXY - 1)) / 2;
    runX = 1;
    runXY = 1;
  }
  const swaps = mergeSortSwaps(ys, new Float64Array(n));
  let tiesY = 0;
  for (let i = 0, run = 1; i < n; i++) {
    if (i < n - 1 && ys[i + 1] === ys[i]) run++;
    else ((tiesY += (run * (run - 1)) / 2), (run = 1));
  }
  // Pairs tied in neither: concordant + discordant = n0 − n1 − n2 + n3; discordant = swaps.
  const untied = pairs - tiesX - tiesY + tiesXY;
  const den = Math.sqrt((pairs - tiesX) * (pairs - tiesY));
  return den > 0 ? (untied - 2 * swaps) / den : NaN;
}

/** Sorts `v` ascending in place (bottom-up merge sort) and returns how many inversions it removed. */
function mergeSortSwaps(v: Float64Array, scratch: Float64Array): number {
  const n = v.length;
  let swaps = 0;
  let src = v;
  let dst = scratch;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        if (src[j] < src[i]) {
          swaps += mid - i;
          dst[o++] = src[j++];
        } else dst[o++] = src[i++];
      }
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    [src, dst] = [dst, src];
  }
  if (src !== v) v.set(src);
  return swaps;
}

/** Indices of the k best models (ties broken by index), NaN scores never included. */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] === scores[i]) idx.push(i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx.slice(0, k);
}

/** Share of the top-k of `a` that is also in the top-k of `b` (k capped at the model count). */
export function topKOverlap(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const ta = topK(a, k);
  const tb = new Set(topK(b, k));
  if (ta.length === 0) return NaN;
  let common = 0;
  for (const i of ta) if (tb.has(i)) common++;
  return common / Math.min(ta.length, Math.max(tb.size, 1));
}

/** Largest |rank_a − rank_b| over models ranked in both. */
export function maxAbsRankShift(ra: ArrayLike<number>, rb: ArrayLike<number>): number {
  let mx = 0;
  for (let i = 0; i < ra.length; i++) {
    const d = Math.abs(ra[i] - rb[i]);
    if (d === d && d > mx) mx = d;
  }
  return mx;
}

export { quantileSorted, sortedFinite } from '../core/stats.ts';
