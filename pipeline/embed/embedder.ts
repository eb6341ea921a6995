/** One interface for every sentence-embedding backend. */
export interface Embedder {
  /** Stable id, e.g. "use-lite" or "distilled-use-v1" or a models/ folder name. */
  readonly id: string;
  readonly dims: number;
  /** Hash of the model's files (weights, vocab, config): part of every cache key. */
  readonly modelHash: string;
  /** Embed a batch; returns texts.length × dims, each row L2-normalised. */
  embed(texts: string[]): Promise<Float32Array>;
  /** Release workers / sessions. */
  close(): Promise<void>;
}
