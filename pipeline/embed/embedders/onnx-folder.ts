/**
 * Local ONNX model folders in Hugging Face layout: where they are, what is in them, how they pool,
 * and the hash of their files (part of every embedding cache key).
 *
 *   <folder>/config.json, tokenizer.json, tokenizer_config.json, onnx/model*.onnx
 *   optional: 1_Pooling/config.json (sentence-transformers), modules.json, config.json "covary" field
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CovaryError } from '../../core/errors.ts';
import { sha256, sha256File } from '../../core/hash.ts';

export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/** ONNX weight files in transformers.js's dtype order of preference (full precision first). */
export const ONNX_VARIANTS: { file: string; dtype: string }[] = [
  { file: 'model.onnx', dtype: 'fp32' },
  { file: 'model_fp16.onnx', dtype: 'fp16' },
  { file: 'model_quantized.onnx', dtype: 'q8' },
  { file: 'model_int8.onnx', dtype: 'int8' },
  { file: 'model_uint8.onnx', dtype: 'uint8' },
  { file: 'model_q4.onnx', dtype: 'q4' },
  { file: 'model_q4f16.onnx', dtype: 'q4f16' },
  { file: 'model_bnb4.onnx', dtype: 'bnb4' },
];

export type Pooling = 'mean' | 'cls' | 'none';

/** What covary writes into config.json of a model it distilled (`covary` field). */
export interface CovaryModelConfig {
  kind: 'static';
  /** The graph already pools and normalises; its output name. */
  output: string;
  pooling: 'none';
  dims: number;
  vocabSize: number;
  teacher: { id: string; modelHash: string; dims: number };
  weighting: string;
  pcaDims: number | null;
  maxTokens: number;
  /** Token id fed for a text with no tokens at all (its row is the teacher's embedding of ""). */
  emptyTokenId: number;
}

export interface ModelFolder {
  /** The id given (models/<id>) or the folder's path relative to nothing (absolute). */
  id: string;
  dir: string;
  onnxFile: string;
  dtype: string;
  pooling: Pooling;
  covary: CovaryModelConfig | null;
  config: Record<string, unknown>;
}

/** A model argument is a path when it is absolute or starts with ./ or ../ (otherwise: an id under modelsDir). */
export function isPathLike(model: string): boolean {
  return isAbsolute(model) || model.startsWith('./') || model.startsWith('../') || model.startsWith('.' + sep) || model === '.';
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

export function validateModelId(id: string): string {
  if (!ID_RE.test(id) || id.includes('..')) {
    throw new CovaryError(`invalid model id ${JSON.stringify(id)}: expected a folder name under models/ (letters, digits, '.', '_', '-', optionally one "owner/name" slash) or a path starting with ./ or /`, { field: '--model' });
  }
  return id;
}

export function modelDirFor(model: string, modelsDir: string): string {
  return isPathLike(model) ? resolve(model) : join(modelsDir, validateModelId(model));
}

/** Which required files are missing (empty when the folder is complete). */
export function missingModelFiles(dir: string): string[] {
  if (!existsSync(dir)) return [dir];
  const missing: string[] = REQUIRED_FILES.filter((f) => !existsSync(join(dir, f)));
  if (!ONNX_VARIANTS.some((v) => existsSync(join(dir, 'onnx', v.file)))) missing.push('onnx/model*.onnx');
  return missing;
}

function readJson(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new CovaryError('model file is not valid JSON', { file: path }, 're-create the model folder');
  }
}

/**
 * Pooling from the folder: covary's own field, else sentence-transformers' 1_Pooling/config.json,
 * else mean (what sentence-transformers uses for most models, e.g. all-MiniLM-L6-v2).
 */
export function poolingOf(dir: string, config: Record<string, unknown>): Pooling {
  const cv = config.covary as CovaryModelConfig | undefined;
  if (cv && cv.pooling === 'none') return 'none';
  const pool = readJson(join(dir, '1_Pooling', 'config.json'));
  if (pool) {
    if (pool.pooling_mode_cls_token === true) return 'cls';
    if (pool.pooling_mode_mean_tokens === true) return 'mean';
    const unsupported = Object.entries(pool).filter(([k, v]) => k.startsWith('pooling_mode_') && v === true).map(([k]) => k);
    if (unsupported.length) throw new CovaryError(`unsupported pooling ${unsupported.join(', ')} (covary supports mean and CLS pooling)`, { file: join(dir, '1_Pooling', 'config.json') });
  }
  return 'mean';
}

export function inspectModelFolder(id: string, dir: string): ModelFolder {
  const config = readJson(join(dir, 'config.json')) ?? {};
  const variant = ONNX_VARIANTS.find((v) => existsSync(join(dir, 'onnx', v.file)));
  if (!variant) throw new CovaryError('no ONNX weights in the model folder', { file: join(dir, 'onnx') }, 'expected onnx/model.onnx (or a quantised variant)');
  const covary = (config.covary as CovaryModelConfig | undefined) ?? null;
  return { id, dir, onnxFile: join('onnx', variant.file), dtype: variant.dtype, pooling: poolingOf(dir, config), covary, config };
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue; // temp files, .cache, .git
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) out.push(...listFiles(p, base));
    else if (s.isFile()) out.push(relative(base, p).split(sep).join('/'));
  }
  return out;
}

/**
 * sha256 over the folder's files (relative path + content hash each, sorted), leaving out ONNX
 * variants other than the one used and README files, which do not change the vectors.
 */
export async function hashModelFolder(folder: Pick<ModelFolder, 'dir' | 'onnxFile'>): Promise<{ hash: string; bytes: number; files: string[] }> {
  const used = folder.onnxFile.split(sep).join('/');
  const files = listFiles(folder.dir).filter((f) => (!f.startsWith('onnx/') || f === used) && !/^readme(\.md)?$/i.test(f));
  const lines: string[] = [];
  let bytes = 0;
  for (const f of files) {
    const p = join(folder.dir, f);
    bytes += statSync(p).size;
    lines.push(`${f}\t${await sha256File(p)}`);
  }
  return { hash: sha256(lines.join('\n')), bytes, files };
}

/** Every complete model folder under modelsDir (one level, or owner/name two levels). */
export function listModelFolders(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  const ids: string[] = [];
  for (const name of readdirSync(modelsDir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(modelsDir, name);
    if (!statSync(p).isDirectory()) continue;
    if (existsSync(join(p, 'config.json'))) ids.push(name);
    else for (const sub of readdirSync(p).sort()) if (!sub.startsWith('.') && existsSync(join(p, sub, 'config.json'))) ids.push(`${name}/${sub}`);
  }
  return ids;
}
