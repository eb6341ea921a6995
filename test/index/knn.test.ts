import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { silentReporter } from '../../pipeline/core/progress.ts';
import { bruteForceTopK, exactTopK } from '../../pipeline/index/exact.ts';
import { buildHnsw, hnswTopK, recallAtK } from '../../pipeline/index/hnsw.ts';
import { computeKnn, resolveMethod, EXACT_MAX, type KnnOptions } from '../../pipeline/index/knn.ts';
import { duplicateGroups, duplicatesFromGraph, sortPairs } from '../../pipeline/index/duplicates.ts';

/** n random unit vectors (seeded). */
function unitVectors(n: number, d: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const v = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const x = rng.normal();
      v[i * d + c] = x;
      s += x * x;
    }
    for (let c = 0; c < d; c++) v[i * d + c] /= Math.sqrt(s);
  }
  return v;
}

const opts = (over: Partial<KnnOptions> = {}): KnnOptions => ({
  k: 5,
  method: 'exact',
  dupThreshold: 0.95,
  hnsw: { M: 16, efConstruction: 200, efSearch: 100 },
  recallSample: 50,
  ...over,
});

describe('exact top-k', () => {
  it('equals brute force (indices, order and cosines) and excludes self', async () => {
    const n = 150;
    const d = 12;
    const v = unitVectors(n, d, 3);
    const truth = bruteForceTopK(v, n, d, 7);
    const { graph } = await exactTopK(v, n, d, { k: 7, blockRows: 13 });
    expect(Array.from(graph.neighbors)).toEqual(Array.from(truth.neighbors));
    for (let i = 0; i < graph.similarities.length; i++) expect(graph.similarities[i]).toBeCloseTo(truth.similarities[i], 5);
    for (let i = 0; i < n; i++) for (let c = 0; c < 7; c++) expect(graph.neighbors[i * 7 + c]).not.toBe(i);
  });

  it('pads with -1 / NaN when there are fewer than k other rows', async () => {
    const v = unitVectors(3, 4, 1);
    const { graph } = await exactTopK(v, 3, 4, { k: 5 });
    expect(Array.from(graph.neighbors.subarray(0, 5)).slice(2)).toEqual([-1, -1, -1]);
    expect(Number.isNaN(graph.similarities[4])).toBe(true);
    expect(graph.neighbors.subarray(0, 2)).not.toContain(0);
  });

  it('answers a subset of query rows in the given order', async () => {
    const v = unitVectors(60, 8, 5);
    const truth = bruteForceTopK(v, 60, 8, 4);
    const queries = Int32Array.from([42, 3, 17]);
    const { graph } = await exactTopK(v, 60, 8, { k: 4, queries });
    queries.forEach((q, r) => expect(Array.from(graph.neighbors.subarray(r * 4, r * 4 + 4))).toEqual(Array.from(truth.neighbors.subarray(q * 4, q * 4 + 4))));
  });

  it('finds every planted near-duplicate pair and nothing else', async () => {
    const n = 80;
    const d = 16;
    const v = unitVectors(n, d, 9);
    // plant: 10 → copy of 3 (exact), 50 → slightly perturbed 20, 61 and 62 → copies of 7 (a group of 3)
    const copy = (to: number, from: number, noise = 0) => {
      let s = 0;
      for (let c = 0; c < d; c++) {
        v[to * d + c] = v[from * d + c] + (c === 0 ? noise : 0);
        s += v[to * d + c] ** 2;
      }
      for (let c = 0; c < d; c++) v[to * d + c] /= Math.sqrt(s);
    };
    copy(10, 3);
    copy(50, 20, 0.05);
    copy(61, 7);
    copy(62, 7);
    const { duplicates } = await exactTopK(v, n, d, { k: 3, dupThreshold: 0.97 });
    const pairs = sortPairs(duplicates).map((p) => `${p.a}-${p.b}`).sort();
    expect(pairs).toEqual(['20-50', '3-10', '61-62', '7-61', '7-62'].sort());
    expect(duplicateGroups(duplicates, n)).toEqual([[7, 61, 62], [3, 10], [20, 50]]);
    // The same pairs are visible from a kNN graph when each has few duplicates.
    const { graph } = await exactTopK(v, n, d, { k: 3 });
    expect(duplicatesFromGraph(graph, 0.97).map((p) => `${p.a}-${p.b}`).sort()).toEqual(pairs);
  });
});

describe('HNSW', () => {
  it('has recall 1.0 against exact on tiny data and the same graph', async () => {
    const n = 120;
    const d = 10;
    const v = unitVectors(n, d, 11);
    const index = buildHnsw(v, n, d, { M: 16, efConstruction: 200, efSearch: 200, seed: 7 });
    const approx = hnswTopK(index, v, n, d, 5);
    const { graph } = await exactTopK(v, n, d, { k: 5 });
    expect(recallAtK(approx, graph)).toBe(1);
    expect(Array.from(approx.neighbors)).toEqual(Array.from(graph.neighbors));
  });

  it('recall@k counts the share of true neighbours found', () => {
    const exact = { n: 2, k: 2, neighbors: Int32Array.from([1, 2, 0, 2]), similarities: new Float32Array(4) };
    const approx = { n: 2, k: 2, neighbors: Int32Array.from([2, 3, 0, 1]), similarities: new Float32Array(4) };
    expect(recallAtK(approx, exact)).toBeCloseTo((0.5 + 0.5) / 2, 12);
  });
});

describe('computeKnn', () => {
  it('auto picks exact up to EXACT_MAX', () => {
    expect(resolveMethod('auto', EXACT_MAX)).toBe('exact');
    expect(resolveMethod('auto', EXACT_MAX + 1)).toBe('hnsw');
    expect(resolveMethod('hnsw', 5)).toBe('hnsw');
  });

  it('HNSW path reports recall 1 on small data and agrees with the exact path', async () => {
    const n = 100;
    const d = 8;
    const v = unitVectors(n, d, 21);
    const ex = await computeKnn(v, n, d, opts(), createRng(1), silentReporter);
    const hn = await computeKnn(v, n, d, opts({ method: 'hnsw', recallSample: 100 }), createRng(1), silentReporter);
    expect(hn.method).toBe('hnsw');
    expect(hn.hnsw!.recallAtK).toBe(1);
    expect(Array.from(hn.graph.neighbors)).toEqual(Array.from(ex.graph.neighbors));
    expect(ex.duplicateScope).toBe('all-pairs');
    expect(hn.duplicateScope).toBe('all-pairs'); // below DUP_ALL_PAIRS_MAX every pair is checked even with HNSW
    expect(hn.duplicates).toEqual(ex.duplicates);
  });

  it('rows without a vector (no text) get no neighbours and are nobody\'s neighbour', async () => {
    const n = 30;
    const d = 6;
    const v = unitVectors(n, d, 4);
    v.fill(0, 5 * d, 6 * d);
    v.fill(0, 17 * d, 18 * d);
    for (const method of ['exact', 'hnsw'] as const) {
      const out = await computeKnn(v, n, d, opts({ method, k: 4 }), createRng(1), silentReporter);
      expect(Array.from(out.graph.neighbors.subarray(5 * 4, 6 * 4))).toEqual([-1, -1, -1, -1]);
      expect(Array.from(out.graph.neighbors)).not.toContain(17);
      expect(Array.from(out.graph.neighbors)).not.toContain(5);
      const truthRow0 = bruteForceTopK(v, n, d, 4).neighbors.subarray(0, 4); // zero rows have cosine 0: never in a top-4 of random data
      expect(Array.from(out.graph.neighbors.subarray(0, 4))).toEqual(Array.from(truthRow0));
    }
  });

  it('rejects bad options with a clear error', async () => {
    const v = unitVectors(4, 2, 1);
    await expect(computeKnn(v, 4, 2, opts({ k: 0 }), createRng(1), silentReporter)).rejects.toThrow(/--k|neighbo/);
    await expect(computeKnn(v, 4, 2, opts({ dupThreshold: 2 }), createRng(1), silentReporter)).rejects.toThrow(/--dup-threshold/);
  });
});
