/**
 * Public face of the embed stage: what later stages (index, cluster, reweight, explain, report)
 * read. The embed.json result and the vectors binary are written by ./stage.ts.
 */
import type { ArtifactStore } from '../core/store.ts';
import { CovaryError } from '../core/errors.ts';

export type { Embedder, EmbedBatchResult } from './embedder.ts';

export interface EmbeddingsInfo {
  modelId: string;
  modelHash: string;
  dims: number;
  /** Number of prompts = dataset items, same order. */
  n: number;
  maxTokens: number;
}

export interface Embeddings extends EmbeddingsInfo {
  /** n × dims row-major, each row L2-normalised (so dot product = cosine). Zero rows for items without text. */
  vectors: Float32Array;
  /** Items without prompt text (their rows are all zeros). */
  withoutText?: number;
}

/** embed.json's `result` (null when the stage was skipped). */
export interface EmbedResult {
  modelId: string;
  /** sha256 over the model's files (weights, vocabulary, config). */
  modelHash: string;
  /** Folder of the shared cache under <data-dir>/cache/embeddings/. */
  cacheKey: string;
  dims: number;
  dtype: 'float32';
  /** Token limit applied (0 = none). */
  maxTokens: number;
  /** Items (rows of the matrix). */
  n: number;
  withText: number;
  /** Items without text: zero rows. */
  withoutText: number;
  /** Distinct prompt texts. */
  unique: number;
  /** Prompts longer than maxTokens (cut); null when the model does not report token counts. */
  truncated: number | null;
  /** Token counts (uncut) over prompts with text, by the model's own tokenizer; null when unknown. */
  tokens: { mean: number; median: number; p95: number; max: number; truncated: number } | null;
}

/** The embed stage's result, or null when it was skipped (no prompt text). Throws when not run. */
export async function loadEmbedResult(store: ArtifactStore, bench: string): Promise<EmbedResult | null> {
  const art = await store.readStage<EmbedResult | null>(bench, 'embed');
  if (!art) {
    throw new CovaryError(`the benchmark "${bench}" has no embeddings yet`, { file: store.stagePath(bench, 'embed') }, `run \`covary embed --name ${bench}\` first`);
  }
  return art.status === 'skipped' ? null : art.result;
}

/** The benchmark's embeddings, or null when the embed stage was skipped (no prompt text). Throws when not run or stale. */
export async function loadEmbeddings(store: ArtifactStore, bench: string): Promise<Embeddings | null> {
  const art = await store.readStage<EmbedResult | null>(bench, 'embed');
  const path = store.stagePath(bench, 'embed');
  if (!art) {
    throw new CovaryError(`the benchmark "${bench}" has no embeddings yet`, { file: path }, `run \`covary embed --name ${bench}\` first`);
  }
  const manifest = await store.readManifest(bench);
  if (art.inputs.dataset !== manifest.contentHash) {
    throw new CovaryError(`the embeddings of "${bench}" were computed for an earlier version of its dataset`, { file: path }, `run \`covary embed --name ${bench}\` again`);
  }
  if (art.status === 'skipped' || !art.result) return null;
  const r = art.result;
  const ref = art.binaries.vectors;
  if (!ref) throw new CovaryError('embed.json lists no vectors file', { file: path }, `run \`covary embed --name ${bench} --force\``);
  const vectors = (await store.readBinary(bench, ref)) as Float32Array;
  if (ref.dtype !== 'float32' || vectors.length !== r.n * r.dims) {
    throw new CovaryError(`embedding matrix has ${vectors.length} values, expected ${r.n} × ${r.dims} float32`, { file: path }, `run \`covary embed --name ${bench} --force\``);
  }
  return { modelId: r.modelId, modelHash: r.modelHash, dims: r.dims, n: r.n, maxTokens: r.maxTokens, withoutText: r.withoutText, vectors };
}
