/**
 * Public face of the index stage (kNN graph of prompt embeddings, near-duplicates, HNSW).
 */
import type { ArtifactStore } from '../core/store.ts';
import { CovaryError } from '../core/errors.ts';
import type { DuplicateRecord } from './duplicates.ts';

export interface KnnGraph {
  n: number;
  k: number;
  /** n × k item indices, most similar first, self excluded; -1 pads rows with fewer neighbours. */
  neighbors: Int32Array;
  /** n × k cosine similarities matching `neighbors` (NaN where padded). */
  similarities: Float32Array;
}

/** index.json's `result`. */
export interface IndexResult {
  n: number;
  dims: number;
  k: number;
  /** Prompts with text: the only ones in the graph (the others have no neighbours and are no one's neighbour). */
  withText?: number;
  modelId: string;
  /** What was used: exact all-pairs search (onnxruntime blocks) or HNSW. */
  method: 'exact' | 'hnsw';
  /** `auto` picks exact up to this many prompts. */
  exactMax: number;
  /**
   * HNSW parameters (the index itself is the `hnsw` binary, hnswlib format; its labels are row
   * numbers among the prompts that have text, which equal item indices when every prompt has text).
   */
  hnsw: null | {
    space: 'cosine';
    M: number;
    efConstruction: number;
    efSearch: number;
    seed: number;
    /** recall@k of the HNSW graph against exact search on `recallSample` seeded query prompts. */
    recallAtK: number | null;
    recallSample: number;
  };
  /** Cosine to the nearest and to the k-th neighbour, averaged over prompts. */
  meanNearestCosine: number | null;
  meanKthCosine: number | null;
  duplicates: {
    threshold: number;
    /** all-pairs: every pair was checked; k-nearest: only pairs within each prompt's k neighbours (HNSW above 30,000 prompts). */
    scope: 'all-pairs' | 'k-nearest';
    pairs: number;
    /** Prompts in at least one pair. */
    prompts: number;
    /** Connected groups of near-duplicates and the largest group's size. */
    groups: number;
    largestGroup: number;
    /** Largest groups as item ids (at most 20 groups, 50 ids each). */
    topGroups: string[][];
    /** Most similar pairs first (at most `listLimit`; all pairs are in the binaries). */
    list: DuplicateRecord[];
    listLimit: number;
  };
}

/** The kNN graph, or null when the index stage was skipped (no prompt text). Throws when not run. */
export async function loadKnnGraph(store: ArtifactStore, bench: string): Promise<KnnGraph | null> {
  const a = await store.readStage<IndexResult>(bench, 'index');
  if (!a) throw new CovaryError(`no index for benchmark "${bench}"`, { file: store.stagePath(bench, 'index') }, `run \`covary index --name ${bench}\` first`);
  if (a.status === 'skipped') return null;
  const nb = a.binaries.neighbors;
  const sim = a.binaries.similarities;
  if (!nb || !sim) throw new CovaryError('index result lists no kNN binaries', { file: store.stagePath(bench, 'index') }, `re-run \`covary index --name ${bench} --force\``);
  const neighbors = (await store.readBinary(bench, nb)) as Int32Array;
  const similarities = (await store.readBinary(bench, sim)) as Float32Array;
  const [n, k] = nb.shape;
  if (neighbors.length !== n * k || similarities.length !== n * k) throw new CovaryError('kNN binaries do not match their recorded shape', { file: store.stagePath(bench, 'index') }, `re-run \`covary index --name ${bench} --force\``);
  return { n, k, neighbors, similarities };
}

/** The near-duplicate pairs (item indices a < b and cosine), or null when skipped. */
export async function loadDuplicatePairs(store: ArtifactStore, bench: string): Promise<{ pairs: Uint32Array; cosines: Float32Array; threshold: number } | null> {
  const a = await store.readStage<IndexResult>(bench, 'index');
  if (!a) throw new CovaryError(`no index for benchmark "${bench}"`, { file: store.stagePath(bench, 'index') }, `run \`covary index --name ${bench}\` first`);
  if (a.status === 'skipped') return null;
  return {
    pairs: (await store.readBinary(bench, a.binaries['duplicate-pairs'])) as Uint32Array,
    cosines: (await store.readBinary(bench, a.binaries['duplicate-cosines'])) as Float32Array,
    threshold: a.result.duplicates.threshold,
  };
}
