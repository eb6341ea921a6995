/**
 * Adjusted Rand index (Hubert & Arabie 1985) between two labelings of the same points; points
 * labelled < 0 in either are left out. 1 = identical partitions, ≈0 = chance agreement.
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`adjustedRandIndex: lengths differ (${a.length} vs ${b.length})`);
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < 0 || b[i] < 0) continue;
    n++;
    const key = `${a[i]},${b[i]}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const v of cells.values()) index += c2(v);
  let sa = 0;
  for (const v of rows.values()) sa += c2(v);
  let sb = 0;
  for (const v of cols.values()) sb += c2(v);
  const total = c2(n);
  if (total === 0) return NaN;
  const expected = (sa * sb) / total;
  const max = (sa + sb) / 2;
  if (max === expected) return 1; // both partitions trivial (all one cluster, or all singletons) and equal in that sense
  return (index - expected) / (max - expected);
}

/** Mean and minimum ARI over all pairs of labelings. */
export function pairwiseAri(labelings: ArrayLike<number>[]): { mean: number; min: number; pairs: number } {
  let s = 0;
  let mn = Infinity;
  let p = 0;
  for (let x = 0; x < labelings.length; x++) {
    for (let y = x + 1; y < labelings.length; y++) {
      const v = adjustedRandIndex(labelings[x], labelings[y]);
      s += v;
      mn = Math.min(mn, v);
      p++;
    }
  }
  return { mean: p ? s / p : NaN, min: p ? mn : NaN, pairs: p };
}
