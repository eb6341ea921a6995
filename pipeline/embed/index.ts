/**
 * Public face of the embed stage. (Contract fixed early so other stages can code against it;
 * the implementation lands with issue #3.)
 */
import type { ArtifactStore } from '../core/store.ts';
import { NotBuiltError } from '../core/errors.ts';

export type { Embedder } from './embedder.ts';

export interface EmbeddingsInfo {
  modelId: string;
  modelHash: string;
  dims: number;
  /** Number of prompts = dataset items, same order. */
  n: number;
  maxTokens: number;
}

export interface Embeddings extends EmbeddingsInfo {
  /** n × dims row-major, each row L2-normalised (so dot product = cosine). */
  vectors: Float32Array;
}

/** The benchmark's embeddings, or null when the embed stage was skipped (no prompt text). Throws when not run. */
export async function loadEmbeddings(_store: ArtifactStore, _bench: string): Promise<Embeddings | null> {
  throw new NotBuiltError('loading embeddings (issue #3)');
}
