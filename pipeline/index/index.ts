/**
 * Public face of the index stage (kNN graph of prompt embeddings). Contract fixed early;
 * the implementation lands with issue #3.
 */
import type { ArtifactStore } from '../core/store.ts';
import { NotBuiltError } from '../core/errors.ts';

export interface KnnGraph {
  n: number;
  k: number;
  /** n × k item indices, most similar first, self excluded; -1 pads rows with fewer neighbours. */
  neighbors: Int32Array;
  /** n × k cosine similarities matching `neighbors` (NaN where padded). */
  similarities: Float32Array;
}

/** The kNN graph, or null when the index stage was skipped (no prompt text). Throws when not run. */
export async function loadKnnGraph(_store: ArtifactStore, _bench: string): Promise<KnnGraph | null> {
  throw new NotBuiltError('loading the kNN graph (issue #3)');
}
