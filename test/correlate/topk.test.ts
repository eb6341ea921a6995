import { describe, expect, it } from 'vitest';
import { prepareColumns, similarity } from '../../pipeline/correlate/index.ts';
import { topKSimilar, topKPartial, mergeTopK } from '../../pipeline/correlate/topk.ts';
import { extractColumns } from '../../pipeline/correlate/nulls/types.ts';
import { decodePair, choosePairs } from '../../pipeline/correlate/pairs.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { randomMatrix } from './helpers.ts';

describe('blocked top-k', () => {
  const m = 9, n = 75;
  const s = randomMatrix(m, n, 12, (rng, k) => (rng.next() < 0.25 + 0.05 * k ? 1 : 0), 0.05);
  const cols = extractColumns(s, m, n, Array.from({ length: n }, (_, i) => i));
  const p = prepareColumns('pearson', cols, m, n, 3, true);
  const col = (i: number) => cols.subarray(i * m, (i + 1) * m);

  it('equals sorting every row of the full similarity matrix (value desc, index asc), and counts undefined pairs exactly', () => {
    const k = 6;
    const tk = topKSimilar(p, k);
    let undef = 0;
    for (let i = 0; i < n; i++) {
      const row: Array<[number, number]> = [];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const v = similarity('pearson', col(i), col(j), 3);
        if (Number.isNaN(v)) {
          if (j > i) undef++;
          continue;
        }
        row.push([v, j]);
      }
      row.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      const want = row.slice(0, k);
      expect(Array.from(tk.indices.subarray(i * k, i * k + want.length))).toEqual(want.map((x) => x[1]));
      want.forEach(([v], a) => expect(tk.values[i * k + a]).toBeCloseTo(v, 5));
    }
    expect(tk.lackingCommonModels + tk.undefinedOther).toBe(undef);
    expect(tk.pairs).toBe((n * (n - 1)) / 2);
  });

  it('gives the same result when the row blocks are split and merged', () => {
    const whole = topKSimilar(p, 4);
    const merged = mergeTopK([0, 1, 2].map((w) => topKPartial(p, 4, w, 3)));
    expect(Array.from(merged.indices)).toEqual(Array.from(whole.indices));
    expect(merged.pairs).toBe(whole.pairs);
  });
});

describe('pair sampling', () => {
  it('decodes every pair index of the upper triangle', () => {
    const n = 23;
    let q = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(decodePair(q++, n)).toEqual([i, j]);
  });

  it('uses all pairs when few, else a seeded sample of distinct pairs', () => {
    expect(choosePairs(10, 45, createRng(1)).exact).toBe(true);
    const a = choosePairs(300, 5000, createRng(1));
    const b = choosePairs(300, 5000, createRng(1));
    expect(a.exact).toBe(false);
    expect(Array.from(a.pairs)).toEqual(Array.from(b.pairs));
    const keys = new Set<number>();
    for (let q = 0; q < 5000; q++) {
      const i = a.pairs[2 * q], j = a.pairs[2 * q + 1];
      expect(i).toBeLessThan(j);
      keys.add(i * 300 + j);
    }
    expect(keys.size).toBe(5000);
  });
});
