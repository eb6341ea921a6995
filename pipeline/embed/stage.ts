/**
 * `covary embed`: embed every prompt text of a benchmark (cached by content across benchmarks),
 * writing embed.json + embed/vectors.float32 (n × dims, rows L2-normalised, dataset item order).
 */
import { resolve } from 'node:path';
import type { StageContext, StageModule, StageOutcome } from '../core/stage.ts';
import { CovaryError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';
import { hasText } from '../core/dataset.ts';
import { EmbeddingCache, modelKey } from './cache.ts';
import { embedTexts } from './embed-texts.ts';
import { DEFAULT_MAX_TOKENS, DEFAULT_MODEL_ID, DEFAULT_MODELS_DIR, createEmbedder, peekModelIdentity, type EmbedderChoice } from './embedders/index.ts';
import type { EmbedResult } from './index.ts';

export const DEFAULT_BATCH_SIZE = 16;
export const DEFAULT_WORKERS = 2;
const SKIP_REASON = 'the benchmark has no prompt text, so there is nothing to embed (semantic stages are skipped; ingest item texts to enable them)';

function intOption(argv: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const raw = argv[key];
  const v = raw === undefined || raw === null ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new CovaryError(`--${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`, { field: `--${key}` });
  }
  return v;
}

export function embedChoice(argv: Record<string, unknown>): EmbedderChoice & { batchSize: number } {
  const model = argv.model === undefined ? DEFAULT_MODEL_ID : String(argv.model);
  if (model.trim() === '') throw new CovaryError('--model must not be empty', { field: '--model' });
  return {
    model,
    maxTokens: intOption(argv, 'max-tokens', DEFAULT_MAX_TOKENS, 0, 1_000_000),
    workers: intOption(argv, 'workers', DEFAULT_WORKERS, 1, 64),
    batchSize: intOption(argv, 'batch-size', DEFAULT_BATCH_SIZE, 1, 4096),
    allowDownload: Boolean(argv['allow-download']),
    modelsDir: resolve(argv['models-dir'] === undefined ? DEFAULT_MODELS_DIR : String(argv['models-dir'])),
  };
}

function tokenStats(tokens: Int32Array, maxTokens: number): EmbedResult['tokens'] {
  const known = Array.from(tokens).filter((t) => t >= 0);
  if (known.length === 0 || known.length < tokens.length) return null;
  known.sort((a, b) => a - b);
  const q = (p: number) => known[Math.min(known.length - 1, Math.floor(p * known.length))];
  return {
    mean: Math.round((known.reduce((s, t) => s + t, 0) / known.length) * 10) / 10,
    median: q(0.5),
    p95: q(0.95),
    max: known[known.length - 1],
    truncated: maxTokens > 0 ? known.filter((t) => t > maxTokens).length : 0,
  };
}

export async function runEmbedStage(ctx: StageContext, bench: string, argv: Record<string, unknown>): Promise<StageOutcome> {
  const { store, reporter } = ctx;
  const choice = embedChoice(argv);
  const manifest = await store.readManifest(bench);
  const inputs = { dataset: manifest.contentHash };
  const path = store.stagePath(bench, 'embed');

  const skip = async (): Promise<StageOutcome> => {
    const options = { model: choice.model, maxTokens: choice.maxTokens };
    if (!ctx.force && (await store.isFresh(bench, 'embed', inputs, options))) return { stage: 'embed', status: 'skipped', message: `${SKIP_REASON} (result reused)`, path };
    await store.writeStage(bench, 'embed', { inputs, options, result: null, status: 'skipped', skipReason: SKIP_REASON });
    return { stage: 'embed', status: 'skipped', message: SKIP_REASON, path };
  };
  if (manifest.counts.itemsWithText === 0) return skip();

  const peek = await peekModelIdentity(choice);
  if (peek && !ctx.force && (await store.isFresh(bench, 'embed', inputs, { model: peek.id, modelHash: peek.modelHash, maxTokens: choice.maxTokens }))) {
    return { stage: 'embed', status: 'cached', message: `embeddings are up to date (${peek.id}, max ${choice.maxTokens || 'no'} tokens)`, path };
  }

  const { dataset } = await store.loadDataset(bench);
  if (!hasText(dataset)) return skip();
  const started = performance.now();
  const embedder = await createEmbedder(choice);
  try {
    const options = { model: embedder.id, modelHash: embedder.modelHash, maxTokens: choice.maxTokens };
    if (!peek && !ctx.force && (await store.isFresh(bench, 'embed', inputs, options))) {
      return { stage: 'embed', status: 'cached', message: `embeddings are up to date (${embedder.id}, max ${choice.maxTokens || 'no'} tokens)`, path };
    }
    const dims = embedder.dims;
    const withText: number[] = [];
    dataset.items.forEach((it, i) => {
      if (it.text !== null && it.text.trim() !== '') withText.push(i);
    });
    const key = modelKey(embedder.id, embedder.modelHash);
    const cache = await EmbeddingCache.open(store.cacheDir('embeddings', key), { modelId: embedder.id, modelHash: embedder.modelHash, dims }, {
      onBadShard: (file, problem) => reporter.warn(`embedding cache file ${file} is damaged (${problem}); its prompts are re-embedded (\`covary cache verify --fix\` removes it)`),
    });
    const texts = withText.map((i) => dataset.items[i].text as string);
    reporter.info(`embed: ${bench}: ${texts.length} prompt texts with ${embedder.id} (batches of ${choice.batchSize}, max ${choice.maxTokens || 'no'} tokens)`);
    const run = await embedTexts(embedder, texts, cache, {
      batchSize: choice.batchSize,
      maxTokens: choice.maxTokens,
      rng: createRng(ctx.seed).fork('embed'),
      reporter,
      label: `embed ${embedder.id}`,
    });
    await cache.compact().catch((e: unknown) => reporter.warn(`could not compact the embedding cache: ${(e as Error).message}`));

    const n = dataset.items.length;
    const vectors = new Float32Array(n * dims);
    withText.forEach((i, r) => vectors.set(run.vectors.subarray(r * dims, (r + 1) * dims), i * dims));
    const tokens = tokenStats(run.tokens, choice.maxTokens);
    const result: EmbedResult = {
      modelId: embedder.id,
      modelHash: embedder.modelHash,
      cacheKey: key,
      dims,
      dtype: 'float32',
      maxTokens: choice.maxTokens,
      n,
      withText: withText.length,
      withoutText: n - withText.length,
      unique: run.unique,
      truncated: tokens ? tokens.truncated : null,
      tokens,
    };
    await store.writeStage(bench, 'embed', { inputs, options, result }, { vectors: { data: vectors, shape: [n, dims] } });
    const seconds = (performance.now() - started) / 1000;
    const rate = run.embedded > 0 && run.seconds > 0 ? `, ${(run.embedded / run.seconds).toFixed(1)} prompts/s` : '';
    await store.appendLog(bench, `embed model=${embedder.id} n=${n} unique=${run.unique} embedded=${run.embedded} fromCache=${run.fromCache} workers=${embedder.concurrency ?? 1} batch=${choice.batchSize} maxTokens=${choice.maxTokens} seconds=${seconds.toFixed(2)} embedSeconds=${run.seconds.toFixed(2)}`);
    const parts = [
      `${run.embedded} embedded`,
      `${run.fromCache} from cache`,
      ...(texts.length > run.unique ? [`${texts.length - run.unique} duplicate texts reused`] : []),
      ...(result.withoutText ? [`${result.withoutText} items without text (zero vectors)`] : []),
      ...(result.truncated ? [`${result.truncated} cut to ${choice.maxTokens} tokens`] : []),
    ];
    const threads = embedder.concurrency ?? 1;
    const where = run.embedded > 0 && threads > 1 ? ` on ${threads} worker threads` : '';
    const summary = `${parts.join(', ')} in ${seconds.toFixed(1)} s${rate}${where}`;
    reporter.info(`embed: ${summary}`);
    // How this run got its vectors depends on the cache's state: reported here, never in embed.json.
    const details = {
      embedded: run.embedded,
      fromCache: run.fromCache,
      unique: run.unique,
      duplicates: texts.length - run.unique,
      seconds: Math.round(seconds * 100) / 100,
      embedSeconds: Math.round(run.seconds * 100) / 100,
      workers: threads,
    };
    return { stage: 'embed', status: 'computed', message: `${n} prompts × ${dims} dims (${embedder.id}): ${summary}`, path, details };
  } finally {
    await embedder.close();
  }
}

export const stage: StageModule = {
  name: 'embed',
  describe: 'Embed every prompt text with a local sentence encoder (cached by content across benchmarks)',
  built: true,
  validate: (argv) => void embedChoice(argv),
  options: {
    model: { type: 'string', default: DEFAULT_MODEL_ID, describe: `Embedding model: "${DEFAULT_MODEL_ID}" (Universal Sentence Encoder lite, offline), a models/<id> folder, or a path to an ONNX folder in Hugging Face layout` },
    'max-tokens': { type: 'number', default: DEFAULT_MAX_TOKENS, describe: 'Cut each prompt to this many tokens of the model\'s tokenizer (0 = no cut)' },
    'batch-size': { type: 'number', default: DEFAULT_BATCH_SIZE, describe: 'Prompts per model call (batched by similar length)' },
    workers: { type: 'number', default: DEFAULT_WORKERS, describe: 'Worker threads for the default encoder, each with its own model (1 = in-process)' },
    'allow-download': { type: 'boolean', default: false, describe: 'Let an ONNX model be fetched from the Hugging Face hub into --models-dir (needs network)' },
    'models-dir': { type: 'string', default: DEFAULT_MODELS_DIR, describe: 'Where local ONNX model folders live' },
  },
  run: runEmbedStage,
};
