import { describe, expect, it } from 'vitest';
import { averageLinkageOrder, blockContrast, familyMatrix, type FamilyMatrixOptions } from '../../pipeline/report/family-matrix.ts';
import { generateDemo } from '../../pipeline/demo/index.ts';
import { createRng } from '../../pipeline/core/rng.ts';

const PEARSON: FamilyMatrixOptions = { metric: 'pearson', minCommonModels: 3, maxPairsPerCell: 1_000_000 };

function pearson(x: number[], y: number[]): number {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((v, i) => {
    sxy += (v - mx) * (y[i] - my);
    sxx += (v - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('family matrix: cluster × cluster mean similarity', () => {
  it('a hand-checked 4-prompt case: each cell is the mean Pearson correlation of its prompt pairs', () => {
    // 5 models × 4 prompts (model-major); prompts 0,1 in cluster 0, prompts 2,3 in cluster 1.
    const cols = [
      [1, 0, 1, 0, 1],
      [1, 0, 1, 1, 1],
      [0, 1, 0, 1, 0],
      [0, 1, 1, 1, 0],
    ];
    const m = 5;
    const n = 4;
    const scores = new Float64Array(m * n);
    cols.forEach((c, i) => c.forEach((v, k) => (scores[k * n + i] = v)));
    const fm = familyMatrix(scores, m, n, [0, 0, 1, 1], ['a', 'b'], PEARSON, createRng(1));
    const r = (i: number, j: number) => pearson(cols[i], cols[j]);
    const byId = (id: number) => fm.clusters.findIndex((c) => c.id === id);
    const [a, b] = [byId(0), byId(1)];
    expect(fm.values[a * 2 + a]).toBeCloseTo(r(0, 1), 12);
    expect(fm.values[b * 2 + b]).toBeCloseTo(r(2, 3), 12);
    expect(fm.values[a * 2 + b]).toBeCloseTo((r(0, 2) + r(0, 3) + r(1, 2) + r(1, 3)) / 4, 12);
    expect(fm.values[b * 2 + a]).toBe(fm.values[a * 2 + b]);
    expect(Array.from(fm.pairs)).toEqual([1, 4, 4, 1]);
    expect(fm.clusters.map((c) => c.size)).toEqual([2, 2]);
    expect(fm.sampled).toBe(false);
  });

  it('average linkage puts the most similar clusters next to each other', () => {
    // Clusters 0 & 2 alike, 1 & 3 alike.
    const s = [1, 0, 0.8, 0.1, 0, 1, 0.05, 0.7, 0.8, 0.05, 1, 0, 0.1, 0.7, 0, 1];
    const order = averageLinkageOrder(s, 4, [10, 10, 10, 10]);
    expect(order).toHaveLength(4);
    const pos = (c: number) => order.indexOf(c);
    expect(Math.abs(pos(0) - pos(2))).toBe(1);
    expect(Math.abs(pos(1) - pos(3))).toBe(1);
    expect(averageLinkageOrder(s, 4, [10, 10, 10, 10])).toEqual(order);
  });

  // The demo plants family skills: on seed 1 the realised mean Pearson correlation of two prompts is
  // 0.16 within a family and 0.07 across families (arithmetic and unit-conversion, one group with
  // shared specialists, correlate 0.19 with each other: they form one block).
  const { dataset, truth } = generateDemo({ name: 'demo', models: 40, prompts: 1200, seed: 1 }, createRng(1).fork('demo'));
  const families = [...new Set(truth.items.map((it) => it.family))].sort();
  const familyOf = truth.items.map((it) => families.indexOf(it.family));
  const m = dataset.models.length;
  const n = dataset.items.length;

  it('on the demo, clusters finer than the planted families are ordered into contiguous family blocks, within-block similarity above off-block by the planted margin', () => {
    // Like semantic clusters: each family split at random into three clusters (36 in all).
    const split = createRng(5);
    const assign = familyOf.map((f) => f * 3 + split.int(3));
    const labels = Array.from({ length: families.length * 3 }, (_, c) => `${families[Math.floor(c / 3)]}/${c % 3}`);
    const fm = familyMatrix(dataset.scores, m, n, assign, labels, { ...PEARSON, maxPairsPerCell: 4000 }, createRng(2));
    expect(fm.clusters).toHaveLength(36);
    const famAt = fm.clusters.map((c) => Math.floor(c.id / 3));
    // Which families are distinct in the data: within-family mean at least 0.05 above the family's
    // mean to other families (code-output, mostly missing cells, and synonyms are not).
    const byFamily = familyMatrix(dataset.scores, m, n, familyOf, families, { ...PEARSON, maxPairsPerCell: 4000 }, createRng(2));
    const kf = byFamily.clusters.length;
    const distinct = byFamily.clusters
      .filter((c, i) => {
        const row = Array.from(byFamily.values.slice(i * kf, (i + 1) * kf));
        const off = row.filter((_, j) => j !== i);
        return row[i] - off.reduce((x, y) => x + y, 0) / off.length >= 0.05;
      })
      .map((c) => c.id);
    expect(distinct.length).toBeGreaterThanOrEqual(8);
    // Each distinct family's three clusters are contiguous in the display order, counting
    // arithmetic + unit-conversion (which correlate 0.19 with each other) as one block.
    const merged = new Set(['arithmetic', 'unit-conversion']);
    for (const f of distinct) {
      const inBlock = (x: number) => (merged.has(families[f]) ? merged.has(families[x]) : x === f);
      const at = famAt.map((x, i) => (inBlock(x) ? i : -1)).filter((i) => i >= 0);
      expect(at[at.length - 1] - at[0] + 1, `${families[f]} at ${at}`).toBe(at.length);
    }
    const { within, between } = blockContrast(fm, (i) => famAt[i]);
    console.log(`demo: ${distinct.length} distinct families, each a contiguous block; within ${within.toFixed(3)}, off-block ${between.toFixed(3)}`);
    // Planted (seed 1, realised): same family ~0.16, other families ~0.07; margin at least 0.06.
    expect(within - between).toBeGreaterThan(0.06);
    expect(within).toBeGreaterThan(0.13);
    expect(between).toBeLessThan(0.1);
  });

  it('with the planted families themselves as clusters, the diagonal stands out; under the null (families shuffled) it does not', () => {
    const fm = familyMatrix(dataset.scores, m, n, familyOf, families, { ...PEARSON, maxPairsPerCell: 4000 }, createRng(3));
    const diag = blockContrast(fm, (i) => i);
    expect(diag.within - diag.between).toBeGreaterThan(0.06);
    const shuffled = createRng(4).shuffle([...familyOf]);
    const nul = familyMatrix(dataset.scores, m, n, shuffled, families, { ...PEARSON, maxPairsPerCell: 4000 }, createRng(3));
    const d0 = blockContrast(nul, (i) => i);
    console.log(`planted diagonal ${diag.within.toFixed(3)} vs ${diag.between.toFixed(3)}; shuffled ${d0.within.toFixed(3)} vs ${d0.between.toFixed(3)}`);
    expect(Math.abs(d0.within - d0.between)).toBeLessThan(0.02);
  });

  it('sampled cells estimate the full mean, and the same seed gives the same matrix', () => {
    const full = familyMatrix(dataset.scores, m, n, familyOf, families, PEARSON, createRng(1));
    const a = familyMatrix(dataset.scores, m, n, familyOf, families, { ...PEARSON, maxPairsPerCell: 3000 }, createRng(9));
    const b = familyMatrix(dataset.scores, m, n, familyOf, families, { ...PEARSON, maxPairsPerCell: 3000 }, createRng(9));
    expect(a.sampled).toBe(true);
    expect(full.sampled).toBe(false);
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(a.clusters.map((c) => c.id)).toEqual(full.clusters.map((c) => c.id));
    const k = full.clusters.length;
    for (let i = 0; i < k * k; i++) expect(Math.abs(a.values[i] - full.values[i])).toBeLessThan(0.03);
  });

  it('prompts in no cluster (−1) are left out; one cluster gives a 1 × 1 matrix', () => {
    const assign = familyOf.map((f) => (f === 0 ? 0 : -1));
    const fm = familyMatrix(dataset.scores, m, n, assign, families, PEARSON, createRng(1));
    expect(fm.clusters).toHaveLength(1);
    expect(fm.clusters[0].label).toBe(families[0]);
  });
});
