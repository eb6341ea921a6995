/**
 * The one rule every size cap follows (correlate's prompt sample, the sampled irt fit, k-means fits
 * on a point sample): `count` items of `perItem` values each are used whole while count × perItem is
 * at most `maxValues`; beyond it, a sample of ⌊maxValues / perItem⌋ items (at least `minSample`),
 * unless that would be every item anyway.
 */
export function cappedSampleSize(count: number, perItem: number, maxValues: number, minSample: number): number | null {
  const keep = Math.max(minSample, Math.floor(maxValues / Math.max(1, perItem)));
  return count * perItem <= maxValues || keep >= count ? null : keep;
}
