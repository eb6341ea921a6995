/**
 * The index stage's computation: kNN graph (exact or HNSW), HNSW recall against exact on a seeded
 * sample, near-duplicate pairs. Pure apart from the reporter; the stage wrapper does the I/O.
 */
import type { Rng } from '../core/rng.ts';
import type { Reporter } from '../core/progress.ts';
import { CovaryError } from '../core/errors.ts';
import { exactTopK, type DuplicatePair, type TopK } from './exact.ts';
import { buildHnsw, hnswTopK, recallAtK, type HnswIndex, type HnswParams } from './hnsw.ts';
import { duplicatesFromGraph, sortPairs } from './duplicates.ts';

export type IndexMethod = 'auto' | 'exact' | 'hnsw';

/** Below this many prompts `auto` uses exact search (all pairs in onnxruntime blocks: seconds). */
export const EXACT_MAX = 10_000;
/**
 * Up to this many prompts the near-duplicate scan checks every pair (onnxruntime blocks: ~10 s for
 * 12k × 512 on 2 cores) even when the graph comes from HNSW; beyond it only pairs within each
 * prompt's k nearest neighbours are seen.
 */
export const DUP_ALL_PAIRS_MAX = 30_000;

export interface KnnOptions {
  k: number;
  method: IndexMethod;
  dupThreshold: number;
  hnsw: Omit<HnswParams, 'seed'>;
  /** Query rows for HNSW recall against exact. */
  recallSample: number;
}

export interface KnnOutput {
  method: 'exact' | 'hnsw';
  graph: TopK;
  duplicates: DuplicatePair[];
  duplicateScope: 'all-pairs' | 'k-nearest';
  hnsw: null | { params: HnswParams; recallAtK: number; recallSample: number; index: HnswIndex };
}

export function validateKnnOptions(o: KnnOptions): void {
  if (!Number.isInteger(o.k) || o.k < 1 || o.k > 1000) throw new CovaryError(`--neighbors must be a whole number from 1 to 1000, got ${o.k}`, { field: '--neighbors' });
  if (!['auto', 'exact', 'hnsw'].includes(o.method)) throw new CovaryError(`--method must be auto, exact or hnsw, got ${JSON.stringify(o.method)}`, { field: '--method' });
  if (!(o.dupThreshold > -1 && o.dupThreshold <= 1)) throw new CovaryError(`--dup-threshold must be a cosine in (-1, 1], got ${o.dupThreshold}`, { field: '--dup-threshold' });
  for (const [name, v] of [['--hnsw-m', o.hnsw.M], ['--hnsw-ef-construction', o.hnsw.efConstruction], ['--hnsw-ef-search', o.hnsw.efSearch]] as const) {
    if (!Number.isInteger(v) || v < 2) throw new CovaryError(`${name} must be a whole number ≥ 2, got ${v}`, { field: name });
  }
  if (!Number.isInteger(o.recallSample) || o.recallSample < 0) throw new CovaryError(`--recall-sample must be a whole number ≥ 0, got ${o.recallSample}`, { field: '--recall-sample' });
}

export function resolveMethod(method: IndexMethod, n: number): 'exact' | 'hnsw' {
  return method === 'auto' ? (n <= EXACT_MAX ? 'exact' : 'hnsw') : method;
}

/**
 * kNN over the rows with a vector; all-zero rows (prompts without text) get no neighbours and are
 * nobody's neighbour. Indices in the output are the original row numbers.
 */
export async function computeKnn(vectors: Float32Array, n: number, d: number, o: KnnOptions, rng: Rng, reporter: Reporter): Promise<KnnOutput> {
  validateKnnOptions(o);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += vectors[i * d + c] * vectors[i * d + c];
    if (s > 0) keep.push(i);
  }
  if (keep.length === n) return computeKnnDense(vectors, n, d, o, rng, reporter);
  const compact = new Float32Array(keep.length * d);
  keep.forEach((i, r) => compact.set(vectors.subarray(i * d, (i + 1) * d), r * d));
  const out = await computeKnnDense(compact, keep.length, d, o, rng, reporter);
  const k = o.k;
  const neighbors = new Int32Array(n * k).fill(-1);
  const similarities = new Float32Array(n * k).fill(NaN);
  keep.forEach((i, r) => {
    for (let c = 0; c < k; c++) {
      const j = out.graph.neighbors[r * k + c];
      neighbors[i * k + c] = j >= 0 ? keep[j] : -1;
      similarities[i * k + c] = out.graph.similarities[r * k + c];
    }
  });
  const duplicates = out.duplicates.map((p) => ({ a: keep[p.a], b: keep[p.b], cosine: p.cosine }));
  return { ...out, graph: { n, k, neighbors, similarities }, duplicates };
}

async function computeKnnDense(vectors: Float32Array, n: number, d: number, o: KnnOptions, rng: Rng, reporter: Reporter): Promise<KnnOutput> {
  const method = resolveMethod(o.method, n);
  if (method === 'exact') {
    const bar = reporter.bar('index: exact kNN', n, 'prompts');
    try {
      const { graph, duplicates } = await exactTopK(vectors, n, d, { k: o.k, dupThreshold: o.dupThreshold, onProgress: (x) => bar.update(x) });
      return { method, graph, duplicates: sortPairs(duplicates), duplicateScope: 'all-pairs', hnsw: null };
    } finally {
      bar.stop();
    }
  }
  const params: HnswParams = { ...o.hnsw, seed: rng.fork('hnsw').int(0x7fffffff) };
  let bar = reporter.bar('index: HNSW build', n, 'prompts');
  const index = buildHnsw(vectors, n, d, params, (x) => bar.update(x));
  bar.stop();
  bar = reporter.bar('index: HNSW search', n, 'prompts');
  const graph = hnswTopK(index, vectors, n, d, o.k, undefined, (x) => bar.update(x));
  bar.stop();
  const s = Math.min(o.recallSample, n);
  const queries = rng.fork('recall-sample').sample(n, s).sort();
  let recall = NaN;
  let duplicates: DuplicatePair[];
  let scope: KnnOutput['duplicateScope'];
  if (n <= DUP_ALL_PAIRS_MAX) {
    // One exact pass gives every near-duplicate pair and the recall reference.
    bar = reporter.bar('index: exact near-duplicate scan', n, 'prompts');
    const exact = await exactTopK(vectors, n, d, { k: o.k, dupThreshold: o.dupThreshold, onProgress: (x) => bar.update(x) });
    bar.stop();
    if (s > 0) recall = recallAtK(subsetRows(graph, queries), subsetRows(exact.graph, queries));
    duplicates = exact.duplicates;
    scope = 'all-pairs';
  } else {
    if (s > 0) recall = recallAtK(subsetRows(graph, queries), (await exactTopK(vectors, n, d, { k: o.k, queries })).graph);
    duplicates = duplicatesFromGraph(graph, o.dupThreshold);
    scope = 'k-nearest';
  }
  return { method, graph, duplicates: sortPairs(duplicates), duplicateScope: scope, hnsw: { params, recallAtK: recall, recallSample: s, index } };
}

export function subsetRows(g: TopK, rows: Int32Array): TopK {
  const k = g.k;
  const neighbors = new Int32Array(rows.length * k);
  const similarities = new Float32Array(rows.length * k);
  rows.forEach((r, i) => {
    neighbors.set(g.neighbors.subarray(r * k, (r + 1) * k), i * k);
    similarities.set(g.similarities.subarray(r * k, (r + 1) * k), i * k);
  });
  return { n: rows.length, k, neighbors, similarities };
}
