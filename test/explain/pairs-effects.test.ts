import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { samplePairs, pairKey } from '../../pipeline/explain/pairs.ts';
import { decileCurve, tagEffect, nearestNeighbourEffect, allPairsMantelTest } from '../../pipeline/explain/effects.ts';
import { prepareColumns } from '../../pipeline/correlate/prompt-similarity.ts';
import { exactKnn, familyEmbeddings, simulateScores } from './helpers.ts';

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('pair sampling', () => {
  it('takes all pairs with weight 1 when they fit the budget', () => {
    const s = samplePairs(Int32Array.from([0, 2, 3, 5]), 6, null, 100, 0.5, createRng(1));
    expect(s.design).toBe('all');
    expect(Array.from(s.i)).toEqual([0, 0, 0, 2, 2, 3]);
    expect(Array.from(s.j)).toEqual([2, 3, 5, 3, 5, 5]);
    expect(Array.from(s.weight)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('stratified: every kNN pair (within budget) plus distinct random pairs; weights add up to all pairs', () => {
    const n = 300;
    const rng = createRng(2);
    const fam = Int32Array.from({ length: n }, (_, i) => i % 10);
    const v = familyEmbeddings(fam, 6, 0.5, rng);
    const knn = exactKnn(v, n, 6, 5);
    const s = samplePairs(range(n), n, knn, 3000, 0.5, createRng(3));
    expect(s.design).toBe('stratified');
    expect(s.i.length).toBe(3000);
    const keys = new Set<number>();
    for (let p = 0; p < s.i.length; p++) {
      expect(s.i[p]).toBeLessThan(s.j[p]);
      keys.add(pairKey(s.i[p], s.j[p], n));
    }
    expect(keys.size).toBe(3000); // no duplicates
    for (let i = 0; i < n; i++) for (let t = 0; t < 5; t++) expect(keys.has(pairKey(i, knn.neighbors[i * 5 + t], n))).toBe(true);
    const total = s.weight.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo((n * (n - 1)) / 2, 6);
    expect(s.knnSampled).toBe(s.knnPopulation);
    // same seed, same sample
    const s2 = samplePairs(range(n), n, knn, 3000, 0.5, createRng(3));
    expect(Array.from(s2.j)).toEqual(Array.from(s.j));
  });

  it('tag stratum: every pair inside a small failure tag is sampled, weights still add up to all pairs', () => {
    const n = 300;
    const v = familyEmbeddings(Int32Array.from({ length: n }, (_, i) => i % 10), 6, 0.5, createRng(12));
    const knn = exactKnn(v, n, 6, 5);
    const mem = new Uint8Array(n);
    for (let i = 0; i < n; i += 15) mem[i] = 1; // 20 prompts → 190 pairs
    const s = samplePairs(range(n), n, knn, 3000, 0.4, createRng(13), [mem], 0.2);
    const keys = new Set<number>();
    for (let p = 0; p < s.i.length; p++) keys.add(pairKey(s.i[p], s.j[p], n));
    expect(keys.size).toBe(s.i.length);
    for (let a = 0; a < n; a += 15) for (let b = a + 15; b < n; b += 15) expect(keys.has(pairKey(a, b, n))).toBe(true);
    expect(s.tagPopulation).toBeGreaterThan(150);
    expect(s.tagSampled).toBe(s.tagPopulation);
    expect(s.weight.reduce((a, b) => a + b, 0)).toBeCloseTo((n * (n - 1)) / 2, 6);
    // a weighted mean over the sample is unbiased for the all-pairs mean: check on a pair function
    const f = (a: number, b: number) => (mem[a] & mem[b] ? 1 : 0) + (a % 10 === b % 10 ? 0.5 : 0);
    let num = 0;
    for (let p = 0; p < s.i.length; p++) num += s.weight[p] * f(s.i[p], s.j[p]);
    let all = 0;
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) all += f(a, b);
    expect(num / ((n * (n - 1)) / 2)).toBeCloseTo(all / ((n * (n - 1)) / 2), 2);
  });

  it('subsamples the kNN stratum when it exceeds its share of the budget, weights still unbiased', () => {
    const n = 200;
    const v = familyEmbeddings(Int32Array.from({ length: n }, (_, i) => i % 4), 5, 0.5, createRng(4));
    const knn = exactKnn(v, n, 5, 10);
    const s = samplePairs(range(n), n, knn, 600, 0.5, createRng(5));
    expect(s.knnSampled).toBe(300);
    expect(s.knnPopulation).toBeGreaterThan(300);
    let wk = 0;
    for (let p = 0; p < s.i.length; p++) if (s.stratum[p]) wk += s.weight[p];
    expect(wk).toBeCloseTo(s.knnPopulation, 6);
  });
});

describe('readable effects', () => {
  it('decile curve: equal-weight bins in order of semantic similarity, weighted means', () => {
    const P = 100;
    const s = Float64Array.from({ length: P }, (_, p) => p / P);
    const y = Float64Array.from({ length: P }, (_, p) => (p < 50 ? 0 : 1));
    const w = new Float64Array(P).fill(1);
    const bins = decileCurve(s, y, null, w);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.pairs)).toEqual(Array(10).fill(10));
    expect(bins.map((b) => b.meanSimilarity)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(bins[0].lo).toBe(0);
    expect(bins[9].hi).toBeCloseTo(0.99);
    // a heavy pair takes a whole bin's share
    const w2 = new Float64Array(P).fill(1);
    w2[0] = 100;
    expect(decileCurve(s, y, null, w2)[0].share).toBeGreaterThan(0.5);
  });

  it('tag effect: within / cross / outside weighted means, hand-checked', () => {
    const mem = Uint8Array.from([1, 1, 0, 0]);
    const I = Int32Array.from([0, 0, 0, 1, 1, 2]);
    const J = Int32Array.from([1, 2, 3, 2, 3, 3]);
    const y = Float64Array.from([0.9, 0.1, 0.2, 0.3, 0.4, 0.5]);
    const w = Float64Array.from([1, 1, 1, 1, 1, 3]);
    const e = tagEffect('t', mem, I, J, y, null, w);
    expect([e.pairsWithin, e.pairsCross, e.pairsOutside]).toEqual([1, 4, 1]);
    expect(e.meanWithin).toBeCloseTo(0.9);
    expect(e.meanCross).toBeCloseTo(0.25);
    expect(e.meanOutside).toBeCloseTo(0.5);
    expect(e.meanExcessWithin).toBeNull();
  });

  it('nearest neighbours: planted families → neighbours more similar than random, small p; none → p not small', () => {
    const n = 120;
    const m = 30;
    const fam = Int32Array.from({ length: n }, (_, i) => i % 6);
    const v = familyEmbeddings(fam, 8, 0.6, createRng(7));
    const knn = exactKnn(v, n, 8, 5);
    for (const [effect, expectSmall] of [[2, true], [0, false]] as const) {
      const scores = simulateScores(m, fam, effect, createRng(8));
      const pc = prepareColumns(scores, m, n, 'pearson');
      const el = range(n).filter((i) => pc.eligible[i] === 1);
      const r = nearestNeighbourEffect(knn, pc, el, 0, 5, 10_000, 99, createRng(9))!;
      expect(r.edges).toBeGreaterThan(400);
      if (expectSmall) {
        expect(r.meanNeighbours).toBeGreaterThan(r.nullMean! + 0.05);
        expect(r.p).toBeLessThanOrEqual(0.02);
      } else expect(r.p).toBeGreaterThan(0.05);
    }
  });
});

describe('all-pairs Mantel permutation test', () => {
  /** Every permutation of 0..n−1. */
  function permutations(n: number): number[][] {
    if (n === 1) return [[0]];
    return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, at) => [...p.slice(0, at), n - 1, ...p.slice(at)]));
  }

  it('its Monte Carlo p matches the exact permutation p from enumerating all 720 relabellings of 6 prompts', () => {
    const rng = createRng(4);
    const m = 8;
    const n = 6;
    const scores = Float64Array.from({ length: m * n }, () => rng.next());
    const d = 3;
    const vectors = Float32Array.from({ length: n * d }, () => rng.normal());
    const pc = prepareColumns(scores, m, n, 'pearson', 3);
    const eligible = Int32Array.from({ length: n }, (_, i) => i);
    const obs = allPairsMantelTest(vectors, d, pc, eligible, 0, rng);
    // Exact: relabel the embeddings by every permutation and recompute r from scratch.
    let ge = 0;
    const all = permutations(n);
    for (const perm of all) {
      const v = new Float32Array(n * d);
      perm.forEach((src, i) => v.set(vectors.subarray(src * d, (src + 1) * d), i * d));
      if (allPairsMantelTest(v, d, pc, eligible, 0, rng).r >= obs.r - 1e-12) ge++;
    }
    const exactP = ge / all.length;
    const mc = allPairsMantelTest(vectors, d, pc, eligible, 4000, createRng(9));
    expect(mc.r).toBe(obs.r);
    expect(mc.permutations).toBe(4000);
    expect(Math.abs(mc.p! - exactP)).toBeLessThan(4 * Math.sqrt((exactP * (1 - exactP)) / 4000) + 1 / 4001);
    expect(exactP).toBeGreaterThan(0.05);
    expect(exactP).toBeLessThan(0.95);
  });
});
