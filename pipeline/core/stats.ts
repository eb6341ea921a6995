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
