/** Small, independent re-computations used to check the demo's planted structure. */
import type { Dataset } from '../../pipeline/core/dataset.ts';

/** Mean phi (Pearson on 0/1) over prompt pairs, split into same-family, same-group and other pairs. Pairwise-complete. */
export function phiByRelation(d: Dataset, familyOf: string[], groupOf: Record<string, string>): { within: number; sameGroup: number; between: number } {
  const m = d.models.length;
  const n = d.items.length;
  const col = (i: number) => Array.from({ length: m }, (_, k) => d.scores[k * n + i]);
  const cols = Array.from({ length: n }, (_, i) => col(i));
  const acc = { within: [0, 0], sameGroup: [0, 0], between: [0, 0] };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = cols[i];
      const b = cols[j];
      let c = 0, sa = 0, sb = 0, sab = 0;
      for (let k = 0; k < m; k++) {
        const x = a[k];
        const y = b[k];
        if (x !== x || y !== y) continue;
        c++;
        sa += x;
        sb += y;
        sab += x * y;
      }
      if (c < 3) continue;
      const pa = sa / c, pb = sb / c;
      const va = pa * (1 - pa), vb = pb * (1 - pb);
      if (va === 0 || vb === 0) continue;
      const r = (sab / c - pa * pb) / Math.sqrt(va * vb);
      const rel = familyOf[i] === familyOf[j] ? 'within' : groupOf[familyOf[i]] === groupOf[familyOf[j]] ? 'sameGroup' : 'between';
      acc[rel][0] += r;
      acc[rel][1]++;
    }
  }
  return { within: acc.within[0] / acc.within[1], sameGroup: acc.sameGroup[0] / acc.sameGroup[1], between: acc.between[0] / acc.between[1] };
}

/** Pearson correlation of two equal-length arrays. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
