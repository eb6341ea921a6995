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
  /**
   * Optional: like `embed`, plus each text's token count BEFORE truncation (so the stage can say
   * how many prompts were cut, and the cache can reuse an uncut vector under any larger limit).
   */
  embedWithTokens?(texts: string[]): Promise<EmbedBatchResult>;
  /** Optional: how many `embed` calls may usefully run at once (e.g. worker threads); default 1. */
  readonly concurrency?: number;
  /**
   * Optional hint, before the first `embed`: about `count` texts will follow. Lets a backend skip
   * starting worker threads when there is too little work to repay their start-up.
   */
  expect?(count: number): void;
}

export interface EmbedBatchResult {
  /** texts.length × dims, rows L2-normalised. */
  vectors: Float32Array;
  /** Token count of each text before truncation; -1 when unknown. */
  tokens: Int32Array;
}
