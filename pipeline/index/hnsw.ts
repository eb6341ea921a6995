/**
 * Approximate kNN with HNSW (hnswlib-node, cosine space). Points are added one by one in index
 * order with a fixed random seed, so the same vectors and parameters build the same graph.
 * Neighbour cosines are recomputed exactly from the vectors (hnswlib returns 1 − cos in float).
 */
import { createRequire } from 'node:module';
import type HnswLib from 'hnswlib-node';
import type { TopK } from './exact.ts';

// The native addon loads on first use, so commands that never build an index start fast.
const require = createRequire(import.meta.url);
const hnswlib = (): typeof HnswLib => require('hnswlib-node') as typeof HnswLib;

export interface HnswParams {
  M: number;
  efConstruction: number;
  efSearch: number;
  seed: number;
}

export const DEFAULT_HNSW: Omit<HnswParams, 'seed'> = { M: 16, efConstruction: 200, efSearch: 100 };

export type HnswIndex = InstanceType<typeof HnswLib.HierarchicalNSW>;

export function buildHnsw(vectors: Float32Array, n: number, d: number, p: HnswParams, onProgress?: (done: number) => void): HnswIndex {
  const index = new (hnswlib().HierarchicalNSW)('cosine', d);
  index.initIndex({ maxElements: Math.max(1, n), m: p.M, efConstruction: p.efConstruction, randomSeed: p.seed >>> 0 });
  const row = new Array<number>(d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) row[c] = vectors[i * d + c];
    index.addPoint(row, i);
    if (onProgress && (i + 1) % 256 === 0) onProgress(i + 1);
  }
  onProgress?.(n);
  index.setEf(Math.max(p.efSearch, 1));
  return index;
}

function dot(v: Float32Array, d: number, i: number, j: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += v[i * d + c] * v[j * d + c];
  return s;
}

/** Top-k (self excluded) for the given query rows, from the index. */
export function hnswTopK(index: HnswIndex, vectors: Float32Array, n: number, d: number, k: number, queries?: Int32Array, onProgress?: (done: number) => void): TopK {
  const qs = queries ?? Int32Array.from({ length: n }, (_, i) => i);
  const neighbors = new Int32Array(qs.length * k).fill(-1);
  const similarities = new Float32Array(qs.length * k).fill(NaN);
  const want = Math.min(k + 1, n);
  const row = new Array<number>(d);
  for (let r = 0; r < qs.length; r++) {
    const i = qs[r];
    if (want === 0) break;
    for (let c = 0; c < d; c++) row[c] = vectors[i * d + c];
    const res = index.searchKnn(row, want);
    const cand = res.neighbors.filter((j) => j !== i).map((j) => ({ j, s: dot(vectors, d, i, j) }));
    cand.sort((a, b) => b.s - a.s || a.j - b.j);
    for (let c = 0; c < Math.min(k, cand.length); c++) {
      neighbors[r * k + c] = cand[c].j;
      similarities[r * k + c] = cand[c].s;
    }
    if (onProgress && (r + 1) % 512 === 0) onProgress(r + 1);
  }
  onProgress?.(qs.length);
  return { n: qs.length, k, neighbors, similarities };
}

/** Mean over rows of |approx ∩ exact| / (number of exact neighbours in the row). */
export function recallAtK(approx: TopK, exact: TopK): number {
  if (approx.n !== exact.n || approx.k !== exact.k) throw new Error('recall needs graphs of the same shape');
  const k = exact.k;
  let total = 0;
  let rows = 0;
  for (let r = 0; r < exact.n; r++) {
    const truth = new Set<number>();
    for (let c = 0; c < k; c++) if (exact.neighbors[r * k + c] >= 0) truth.add(exact.neighbors[r * k + c]);
    if (truth.size === 0) continue;
    let hit = 0;
    for (let c = 0; c < k; c++) if (truth.has(approx.neighbors[r * k + c])) hit++;
    total += hit / truth.size;
    rows++;
  }
  return rows ? total / rows : NaN;
}
