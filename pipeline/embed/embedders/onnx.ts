/**
 * Sentence-transformer (or covary-distilled static) ONNX models through transformers.js +
 * onnxruntime-node, from a local folder in Hugging Face layout.
 *
 * Speed: the stock feature-extraction pipeline pools in per-element JavaScript; here texts are
 * tokenised once, sorted by length into padded sub-batches (little padding), the model session is
 * called directly, and pooling + normalisation run in typed-array loops (or inside the graph for
 * distilled static models, whose output is already `sentence_embedding`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AutoModel, AutoTokenizer, Tensor, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import type { EmbedBatchResult, Embedder } from '../embedder.ts';
import { CovaryError } from '../../core/errors.ts';
import { hashModelFolder, inspectModelFolder, isPathLike, missingModelFiles, modelDirFor, type ModelFolder, type Pooling } from './onnx-folder.ts';

export interface OnnxEmbedderOptions {
  /** models/<id> folder name or a path to a Hugging Face layout folder. */
  model: string;
  /** Where local model folders live (default <project>/models). */
  modelsDir: string;
  /** Let transformers.js fetch the model from the Hugging Face hub into modelsDir (explicit opt-in). */
  allowDownload: boolean;
  /** Truncate inputs to this many tokens (0 = no truncation beyond the model's own limit). */
  maxTokens: number;
}

/** Most tokens (batch × padded length) per session call: bounds memory for long prompts. */
const TOKEN_BUDGET = 2048;
const MAX_BATCH = 256;

/** transformers.js reads `env` at load time; loads are serialised so two folders never mix. */
let loadChain: Promise<unknown> = Promise.resolve();
function serialised<T>(f: () => Promise<T>): Promise<T> {
  const p = loadChain.then(f, f);
  loadChain = p.catch(() => undefined);
  return p;
}

export function missingModelError(model: string, dir: string, missing: string[]): CovaryError {
  const what = missing.length === 1 && missing[0] === dir ? 'model folder not found' : `model folder is incomplete (missing ${missing.join(', ')})`;
  const hint = isPathLike(model)
    ? 'point --model at a folder in Hugging Face layout: config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx'
    : `either build a static model offline with \`covary models distill --id ${model}\`, put a Hugging Face layout folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx) at ${dir}, or, with network access, re-run with --allow-download to fetch "${model}" from the Hugging Face hub`;
  return new CovaryError(`ONNX ${what}`, { file: dir }, hint);
}

async function download(model: string, modelsDir: string): Promise<void> {
  const saved = { remote: env.allowRemoteModels, fsCache: env.useFSCache, local: env.localModelPath };
  try {
    env.allowRemoteModels = true;
    env.useFSCache = true;
    env.localModelPath = modelsDir;
    // from_pretrained with cache_dir = modelsDir stores files at modelsDir/<id>/<file>: the HF layout.
    await AutoTokenizer.from_pretrained(model, { cache_dir: modelsDir });
    const m = await AutoModel.from_pretrained(model, { cache_dir: modelsDir, dtype: 'fp32' });
    await m.dispose();
    // Pooling config is not fetched by transformers.js; sentence-transformers repos have it.
    for (const f of ['1_Pooling/config.json', 'modules.json']) {
      const url = `${env.remoteHost.replace(/\/$/, '')}/${model}/resolve/main/${f}`;
      const res = await fetch(url).catch(() => null);
      if (res?.ok) {
        const path = join(modelsDir, model, f);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, Buffer.from(await res.arrayBuffer()));
      }
    }
  } catch (e) {
    throw new CovaryError(`could not download "${model}" from the Hugging Face hub: ${(e as Error).message}`, { field: '--model' }, 'check the model id and the network, or put the folder under models/ by hand');
  } finally {
    env.allowRemoteModels = saved.remote;
    env.useFSCache = saved.fsCache;
    env.localModelPath = saved.local;
  }
}

interface Loaded {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
}

async function load(folder: ModelFolder, modelsDir: string): Promise<Loaded> {
  return serialised(async () => {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.useFSCache = false; // never write into node_modules' cache when loading local files
    env.localModelPath = modelsDir;
    // An absolute path is not a hub id, so transformers.js reads it as a local path as is.
    try {
      const tokenizer = await AutoTokenizer.from_pretrained(folder.dir, { local_files_only: true });
      const model = await AutoModel.from_pretrained(folder.dir, { local_files_only: true, dtype: folder.dtype as 'fp32' });
      return { tokenizer, model };
    } catch (e) {
      throw new CovaryError(`could not load the ONNX model: ${(e as Error).message}`, { file: folder.dir }, 'the folder must be a transformers.js-compatible Hugging Face layout');
    }
  });
}

/** A sentence-transformer (or distilled static) ONNX model through transformers.js + onnxruntime-node. */
export async function createOnnxEmbedder(opts: OnnxEmbedderOptions): Promise<Embedder> {
  if (!Number.isInteger(opts.maxTokens) || opts.maxTokens < 0) throw new CovaryError(`--max-tokens must be a whole number ≥ 0, got ${opts.maxTokens}`, { field: '--max-tokens' });
  const dir = modelDirFor(opts.model, opts.modelsDir);
  let missing = missingModelFiles(dir);
  if (missing.length && opts.allowDownload && !isPathLike(opts.model)) {
    await download(opts.model, opts.modelsDir);
    missing = missingModelFiles(dir);
  }
  if (missing.length) throw missingModelError(opts.model, dir, missing);
  const folder = inspectModelFolder(opts.model, dir);
  const { hash } = await hashModelFolder(folder);
  const { tokenizer, model } = await load(folder, opts.modelsDir);
  return new OnnxEmbedder(folder, hash, tokenizer, model, opts.maxTokens);
}

class OnnxEmbedder implements Embedder {
  readonly id: string;
  readonly dims: number;
  readonly modelHash: string;
  private readonly pooling: Pooling;
  private readonly output: string | null;
  private readonly padId: number;
  private readonly emptyId: number;
  private readonly maxLen: number;
  /** Special tokens the tokenizer adds at the end (e.g. [SEP]): kept when truncating. */
  private readonly tailSpecials: number;
  private closed = false;

  constructor(
    private readonly folder: ModelFolder,
    modelHash: string,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    maxTokens: number,
  ) {
    this.id = folder.id;
    this.modelHash = modelHash;
    this.pooling = folder.pooling;
    const cv = folder.covary;
    this.output = cv ? cv.output : null;
    const dims = cv?.dims ?? (folder.config.hidden_size as number | undefined) ?? (folder.config.dim as number | undefined);
    if (!dims) throw new CovaryError('config.json has no hidden_size', { file: join(folder.dir, 'config.json'), field: 'hidden_size' });
    this.dims = dims;
    const padId = tokenizer.pad_token_id ?? (tokenizer.model.tokens_to_ids.get(tokenizer.pad_token ?? '[PAD]') as number | undefined);
    this.padId = typeof padId === 'number' ? padId : 0;
    this.emptyId = cv?.emptyTokenId ?? this.padId;
    const modelMax = typeof tokenizer.model_max_length === 'number' && tokenizer.model_max_length < 1e6 ? tokenizer.model_max_length : Infinity;
    // A static model has no position limit; a transformer stops at its position embeddings.
    const limit = cv ? Infinity : modelMax;
    this.maxLen = maxTokens > 0 ? Math.min(maxTokens, limit) : limit;
    const plain = tokenizer.encode('a', { add_special_tokens: false });
    const withSpecial = tokenizer.encode('a');
    const head = Math.max(0, withSpecial.indexOf(plain[0]));
    this.tailSpecials = Math.max(0, withSpecial.length - head - plain.length);
  }

  /** Token ids of one text, truncated to maxLen (trailing special tokens kept); `full` = count before. */
  private ids(text: string): { ids: number[]; full: number } {
    let ids = this.tokenizer.encode(text);
    const full = ids.length;
    if (ids.length > this.maxLen) {
      const tail = this.tailSpecials ? ids.slice(ids.length - this.tailSpecials) : [];
      ids = ids.slice(0, this.maxLen - tail.length).concat(tail);
    }
    if (ids.length === 0) ids = [this.emptyId];
    return { ids, full };
  }

  async embed(texts: string[]): Promise<Float32Array> {
    return (await this.embedWithTokens(texts)).vectors;
  }

  async embedWithTokens(texts: string[]): Promise<EmbedBatchResult> {
    if (this.closed) throw new Error('embedder is closed');
    const n = texts.length;
    const out = new Float32Array(n * this.dims);
    const tokens = new Int32Array(n);
    if (n === 0) return { vectors: out, tokens };
    const tokenized = texts.map((t, i) => {
      const r = this.ids(t);
      tokens[i] = r.full;
      return r.ids;
    });
    // Longest first, so each sub-batch pads to a similar length and the token budget holds.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => tokenized[b].length - tokenized[a].length || a - b);
    let start = 0;
    while (start < n) {
      const len = tokenized[order[start]].length;
      const size = Math.max(1, Math.min(MAX_BATCH, Math.floor(TOKEN_BUDGET / len), n - start));
      await this.runBatch(order.slice(start, start + size), tokenized, len, out);
      start += size;
    }
    return { vectors: out, tokens };
  }

  private async runBatch(rows: number[], tokenized: number[][], len: number, out: Float32Array): Promise<void> {
    const b = rows.length;
    const ids = new BigInt64Array(b * len).fill(BigInt(this.padId));
    const mask = new BigInt64Array(b * len);
    for (let r = 0; r < b; r++) {
      const t = tokenized[rows[r]];
      for (let j = 0; j < t.length; j++) {
        ids[r * len + j] = BigInt(t[j]);
        mask[r * len + j] = 1n;
      }
    }
    const feeds = { input_ids: new Tensor('int64', ids, [b, len]), attention_mask: new Tensor('int64', mask, [b, len]) };
    const result = (await this.model(feeds)) as Record<string, Tensor>;
    const d = this.dims;
    if (this.output || this.pooling === 'none') {
      const t = result[this.output ?? 'sentence_embedding'];
      if (!t) throw new CovaryError(`the model has no output "${this.output}"`, { file: this.folder.dir });
      const data = t.data as Float32Array;
      for (let r = 0; r < b; r++) normaliseInto(data, r * d, d, out, rows[r] * d);
      return;
    }
    const hidden = result.last_hidden_state ?? result.token_embeddings ?? Object.values(result)[0];
    const h = hidden.data as Float32Array;
    const hd = hidden.dims[2];
    if (hd !== d) throw new CovaryError(`model output has ${hd} dims, config.json says ${d}`, { file: this.folder.dir });
    const acc = new Float32Array(d);
    for (let r = 0; r < b; r++) {
      const base = r * len * d;
      if (this.pooling === 'cls') {
        normaliseInto(h, base, d, out, rows[r] * d);
        continue;
      }
      acc.fill(0);
      const count = tokenized[rows[r]].length;
      for (let j = 0; j < count; j++) {
        const o = base + j * d;
        for (let c = 0; c < d; c++) acc[c] += h[o + c];
      }
      normaliseInto(acc, 0, d, out, rows[r] * d);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.model.dispose();
  }
}

/** Copy src[from..from+d) into dst[to..] scaled to unit L2 norm (a zero vector stays zero). */
function normaliseInto(src: Float32Array, from: number, d: number, dst: Float32Array, to: number): void {
  let s = 0;
  for (let c = 0; c < d; c++) s += src[from + c] * src[from + c];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let c = 0; c < d; c++) dst[to + c] = src[from + c] * inv;
}

/** True when a folder under modelsDir (or a path) holds a complete model. */
export function onnxModelAvailable(model: string, modelsDir: string): boolean {
  const dir = modelDirFor(model, modelsDir);
  return existsSync(dir) && missingModelFiles(dir).length === 0;
}
