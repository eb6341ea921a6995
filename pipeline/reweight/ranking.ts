/**
 * Rankings and their comparison: competition ranks, Kendall τ_b (ties handled), top-k overlap,
 * and quantiles. Rank 1 = highest score; a model whose score is NaN has rank NaN.
 */

export { competitionRanks as ranksOf } from '../core/stats.ts';

/**
 * Kendall τ_b between two score vectors (pairs with a NaN on either side are ignored):
 * (concordant − discordant) / √((n0 − n1)(n0 − n2)), n1/n2 = pairs tied in x / in y.
 * NaN when either vector is constant over the usable models.
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const m = x.length;
  if (y.length !== m) throw new Error(`kendallTauB: lengths differ (${m} vs ${y.length})`);
  let conc = 0;
  let disc = 0;
  let tiesX = 0;
  let tiesY = 0;
  let pairs = 0;
  for (let a = 0; a < m; a++) {
    const xa = x[a];
    const ya = y[a];
    if (xa !== xa || ya !== ya) continue;
    for (let b = a + 1; b < m; b++) {
      const xb = x[b];
      const yb = y[b];
      if (xb !== xb || yb !== yb) continue;
      pairs++;
      const dx = xa - xb;
      const dy = ya - yb;
      if (dx === 0) tiesX++;
      if (dy === 0) tiesY++;
      if (dx === 0 || dy === 0) continue;
      if (dx > 0 === dy > 0) conc++;
      else disc++;
    }
  }
  const den = Math.sqrt((pairs - tiesX) * (pairs - tiesY));
  return den > 0 ? (conc - disc) / den : NaN;
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
