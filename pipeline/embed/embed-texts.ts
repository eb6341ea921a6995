/**
 * Embed a list of texts with an embedder and the cache: each distinct text once, cached ones not
 * at all, the rest in batches of similar length dispatched to every worker at once, each finished
 * batch persisted to the cache as soon as it is done (so an interrupted run loses at most the
 * batches in flight).
 */
import type { Embedder } from './embedder.ts';
import type { EmbeddingCache, ShardRow } from './cache.ts';
import { textHash } from './cache.ts';
import type { Reporter } from '../core/progress.ts';
import type { Rng } from '../core/rng.ts';

export interface EmbedTextsOptions {
  /** Texts per batch (the model's batch). */
  batchSize: number;
  /** Token limit the embedder applies (0 = none): part of the cache lookup. */
  maxTokens: number;
  /** Orders the batches (a random order makes the progress rate, hence the ETA, representative). */
  rng: Rng;
  reporter: Reporter;
  /** Progress bar label. */
  label?: string;
  /** Longest text (characters) packed into one batch: long texts go in smaller batches. */
  maxBatchChars?: number;
}

export interface EmbedTextsResult {
  /** texts.length × dims, rows L2-normalised, in input order. */
  vectors: Float32Array;
  /** Uncut token count per input text (-1 when the embedder does not say). */
  tokens: Int32Array;
  /** Distinct texts. */
  unique: number;
  /** Distinct texts computed now. */
  embedded: number;
  /** Distinct texts served by the cache. */
  fromCache: number;
  seconds: number;
}

/** Group indices (already sorted by length) into batches of ≤ batchSize texts and ≤ maxChars characters. */
export function planBatches(order: number[], lengths: number[], batchSize: number, maxChars: number): number[][] {
  const batches: number[][] = [];
  let cur: number[] = [];
  let chars = 0;
  for (const i of order) {
    const len = Math.min(lengths[i], maxChars);
    if (cur.length > 0 && (cur.length >= batchSize || chars + len > maxChars)) {
      batches.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(i);
    chars += len;
  }
  if (cur.length) batches.push(cur);
  return batches;
}

export async function embedTexts(embedder: Embedder, texts: string[], cache: EmbeddingCache | null, opts: EmbedTextsOptions): Promise<EmbedTextsResult> {
  const started = performance.now();
  const dims = embedder.dims;
  const n = texts.length;
  // Distinct texts, by exact content.
  const hashes = texts.map(textHash);
  const firstOf = new Map<string, number>();
  const uniq: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!firstOf.has(hashes[i])) {
      firstOf.set(hashes[i], uniq.length);
      uniq.push(i);
    }
  }
  const u = uniq.length;
  const uVectors = new Float32Array(u * dims);
  const uTokens = new Int32Array(u).fill(-1);
  const done = new Uint8Array(u);

  let fromCache = 0;
  if (cache) {
    const hits = await cache.getMany(
      uniq.map((i) => hashes[i]),
      opts.maxTokens,
    );
    uniq.forEach((i, k) => {
      const hit = hits.get(hashes[i]);
      if (!hit) return;
      uVectors.set(hit.vector, k * dims);
      uTokens[k] = hit.tokens;
      done[k] = 1;
      fromCache++;
    });
  }

  // Misses, sorted by length so that a batch holds texts of similar length.
  const todo: number[] = [];
  for (let k = 0; k < u; k++) if (!done[k]) todo.push(k);
  // Length as the model will see it: a text cut to maxTokens costs about as much as its cut part.
  const cap = opts.maxTokens > 0 ? opts.maxTokens * 8 : Infinity;
  const lengths = uniq.map((i) => Math.min(texts[i].length, cap));
  todo.sort((a, b) => lengths[a] - lengths[b] || a - b);
  const maxChars = opts.maxBatchChars ?? Math.max(opts.batchSize * 600, 20_000);
  const batches = planBatches(todo, lengths, opts.batchSize, maxChars);
  opts.rng.shuffle(batches);

  if (todo.length > 0) embedder.expect?.(todo.length);
  const bar = opts.reporter.bar(opts.label ?? `embed ${embedder.id}`, todo.length, 'prompts');
  const concurrency = Math.max(1, embedder.concurrency ?? 1);
  let next = 0;
  let failed = false;
  const runner = async () => {
    while (next < batches.length && !failed) {
      const batch = batches[next++];
      const batchTexts = batch.map((k) => texts[uniq[k]]);
      const res = embedder.embedWithTokens ? await embedder.embedWithTokens(batchTexts) : { vectors: await embedder.embed(batchTexts), tokens: new Int32Array(batch.length).fill(-1) };
      if (res.vectors.length !== batch.length * dims) throw new Error(`embedder ${embedder.id} returned ${res.vectors.length} values for ${batch.length} texts of ${dims} dims`);
      const rows: ShardRow[] = [];
      batch.forEach((k, r) => {
        const vector = res.vectors.subarray(r * dims, (r + 1) * dims);
        uVectors.set(vector, k * dims);
        const tokens = res.tokens[r];
        uTokens[k] = tokens;
        // A text known to fit the limit was embedded whole: reusable under any larger limit too.
        const whole = opts.maxTokens === 0 || (tokens >= 0 && tokens <= opts.maxTokens);
        rows.push({ textHash: hashes[uniq[k]], variant: whole ? 0 : opts.maxTokens, tokens, vector: Float32Array.from(vector) });
      });
      if (cache) await cache.putBatch(rows);
      bar.tick(batch.length);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, batches.length) }, () =>
        runner().catch((e: unknown) => {
          failed = true;
          throw e;
        }),
      ),
    );
  } finally {
    bar.stop();
  }

  const vectors = new Float32Array(n * dims);
  const tokens = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = firstOf.get(hashes[i])!;
    vectors.set(uVectors.subarray(k * dims, (k + 1) * dims), i * dims);
    tokens[i] = uTokens[k];
  }
  return { vectors, tokens, unique: u, embedded: todo.length, fromCache, seconds: (performance.now() - started) / 1000 };
}
