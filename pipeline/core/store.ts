/**
 * The artifact store: the only module that knows where things live on disk.
 *
 *   <dataDir>/benchmarks/<name>/manifest.json      dataset manifest (counts, sources, hashes)
 *   <dataDir>/benchmarks/<name>/scores.f64          m × n Float64 little-endian, NaN = missing
 *   <dataDir>/benchmarks/<name>/models.json, items.jsonl, answers.codes.i32, answers.vocab.json
 *   <dataDir>/benchmarks/<name>/<stage>.json        a stage's result (+ inputs' hashes, options)
 *   <dataDir>/benchmarks/<name>/<stage>/<file>      a stage's binary arrays
 *   <dataDir>/benchmarks/<name>/logs/run.log        timings (kept out of deterministic outputs)
 *   <dataDir>/cache/...                             caches shared across benchmarks
 *
 * `<dataDir>/benchmarks/<name>` is a symlink to a generation folder `.covary-gen-<name>-<pid>-<id>`
 * beside it: `saveDataset` builds a new generation and swaps the link atomically (core/atomic.ts).
 */
import { readFile, readdir, appendFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CovaryError } from './errors.ts';
import { writeDirAtomic, writeFileAtomic, bytesOf, sweepDeadTemps, sweepGenerations } from './atomic.ts';
import { sha256, stableStringify } from './hash.ts';
import { COVARY_VERSION } from './version.ts';
import type { AnswerMatrix, Dataset, Item } from './dataset.ts';

export const DATASET_SCHEMA_VERSION = 1;
export const STAGE_SCHEMA_VERSION = 1;

export interface SourceFile {
  path: string;
  sha256: string;
  bytes: number;
  role: string;
}

export interface DroppedEntry {
  what: 'item' | 'model' | 'row' | 'cell';
  id?: string;
  count?: number;
  reason: string;
}

export interface DatasetManifest {
  schemaVersion: number;
  kind: 'covary-dataset';
  name: string;
  covaryVersion: string;
  /** Hash of the dataset's content (scores, answers, items, models): stages key on it. */
  contentHash: string;
  format: string;
  counts: {
    models: number;
    items: number;
    cells: number;
    missingCells: number;
    itemsWithText: number;
    binary: boolean;
    hasAnswers: boolean;
  };
  sources: SourceFile[];
  dropped: DroppedEntry[];
  /** Join coverage and other ingestion notes (free-form, shown in the report). */
  coverage: Record<string, unknown>;
  options: Record<string, unknown>;
  files: Record<string, string>;
}

export type Dtype = 'float32' | 'float64' | 'int32' | 'uint32' | 'uint8';
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

export interface BinaryRef {
  file: string;
  dtype: Dtype;
  shape: number[];
  sha256: string;
}

export interface StageArtifact<R = unknown> {
  schemaVersion: number;
  stage: string;
  covaryVersion: string;
  status: 'ok' | 'skipped';
  skipReason?: string;
  /** Hashes of what this result was computed from (dataset contentHash, other stages' hashes). */
  inputs: Record<string, string>;
  options: Record<string, unknown>;
  binaries: Record<string, BinaryRef>;
  result: R;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Benchmark names become folder names: no separators, no `..`, nothing hidden. */
export function validateBenchmarkName(name: string): string {
  if (typeof name !== 'string' || !NAME_RE.test(name) || name.includes('..')) {
    throw new CovaryError(
      typeof name === 'string' && name.length > 128
        ? `invalid benchmark name (${name.length} characters): at most 128 allowed`
        : `invalid benchmark name ${JSON.stringify(name)}: expected 1–128 letters, digits, '.', '_' or '-' (no path separators or '..', not starting with '.')`,
      { field: '--name' },
    );
  }
  return name;
}

function ctorFor(dtype: Dtype) {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int32':
      return Int32Array;
    case 'uint32':
      return Uint32Array;
    case 'uint8':
      return Uint8Array;
  }
}

export function dtypeOf(a: TypedArray): Dtype {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  return 'uint8';
}

/** Copy bytes into a fresh, aligned typed array (file buffers may be unaligned). */
export function typedFromBytes(buf: Uint8Array, dtype: Dtype): TypedArray {
  const C = ctorFor(dtype);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return new C(copy.buffer, 0, copy.byteLength / C.BYTES_PER_ELEMENT);
}

export class ArtifactStore {
  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  benchmarksDir(): string {
    return join(this.dataDir, 'benchmarks');
  }

  benchmarkDir(name: string): string {
    return join(this.benchmarksDir(), validateBenchmarkName(name));
  }

  cacheDir(...parts: string[]): string {
    return join(this.dataDir, 'cache', ...parts);
  }

  async listBenchmarks(): Promise<string[]> {
    try {
      const names = await readdir(this.benchmarksDir());
      return names.filter((n) => NAME_RE.test(n) && existsSync(join(this.benchmarksDir(), n, 'manifest.json'))).sort();
    } catch {
      return [];
    }
  }

  hasDataset(name: string): boolean {
    return existsSync(join(this.benchmarkDir(name), 'manifest.json'));
  }

  /**
   * Remove what killed writers left for this benchmark: unpublished or replaced generations of its
   * folder and dead temp files (a few directory listings; live writers' files are left alone).
   */
  async sweep(name: string): Promise<void> {
    const dir = this.benchmarkDir(name);
    await sweepGenerations(dir);
    await sweepDeadTemps(dir);
  }

  private async sweepStage(name: string, stage: string): Promise<void> {
    await sweepDeadTemps(this.benchmarkDir(name));
    await sweepDeadTemps(join(this.benchmarkDir(name), stage));
  }

  /**
   * Write a whole dataset as a new generation of the benchmark folder and publish it in one atomic
   * step; replaces any previous one and its stage results.
   */
  async saveDataset(dataset: Dataset, manifest: Omit<DatasetManifest, 'contentHash' | 'files' | 'schemaVersion' | 'kind' | 'covaryVersion' | 'name'>): Promise<DatasetManifest> {
    const files = encodeDataset(dataset);
    const fileHashes: Record<string, string> = {};
    for (const [f, bytes] of Object.entries(files)) fileHashes[f] = sha256(bytes);
    const full: DatasetManifest = {
      schemaVersion: DATASET_SCHEMA_VERSION,
      kind: 'covary-dataset',
      name: dataset.name,
      covaryVersion: COVARY_VERSION,
      contentHash: datasetContentHash(fileHashes),
      ...manifest,
      files: fileHashes,
    };
    await writeDirAtomic(this.benchmarkDir(dataset.name), async (tmp) => {
      for (const [f, bytes] of Object.entries(files)) await writeFileAtomic(join(tmp, f), bytes);
      await writeFileAtomic(join(tmp, 'manifest.json'), stableStringify(full, 2) + '\n');
    });
    return full;
  }

  async readManifest(name: string): Promise<DatasetManifest> {
    const path = join(this.benchmarkDir(name), 'manifest.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new CovaryError(`no ingested benchmark named "${name}"`, { file: path }, `run \`covary ingest --name ${name} ...\` first, or \`covary demo\``);
    }
    let m: DatasetManifest;
    try {
      m = JSON.parse(text) as DatasetManifest;
    } catch {
      throw new CovaryError('manifest is not valid JSON', { file: path }, 're-run covary ingest with --force');
    }
    if (m.kind !== 'covary-dataset' || m.schemaVersion !== DATASET_SCHEMA_VERSION) {
      throw new CovaryError(`unsupported dataset schema (kind ${m.kind}, version ${m.schemaVersion}; expected ${DATASET_SCHEMA_VERSION})`, { file: path }, 're-ingest with this covary version');
    }
    return m;
  }

  /** Load and validate a dataset against its manifest (hashes and shapes). */
  async loadDataset(name: string): Promise<{ dataset: Dataset; manifest: DatasetManifest }> {
    const manifest = await this.readManifest(name);
    await this.sweep(name);
    const dir = this.benchmarkDir(name);
    const files: Record<string, Uint8Array> = {};
    for (const [f, expected] of Object.entries(manifest.files)) {
      const path = join(dir, f);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch {
        throw new CovaryError('dataset file is missing', { file: path }, 're-run covary ingest with --force');
      }
      if (sha256(bytes) !== expected) {
        throw new CovaryError('dataset file does not match its manifest hash (corrupted or edited)', { file: path }, 're-run covary ingest with --force');
      }
      files[f] = bytes;
    }
    const dataset = decodeDataset(name, files);
    if (dataset.models.length !== manifest.counts.models || dataset.items.length !== manifest.counts.items) {
      throw new CovaryError('dataset shape does not match its manifest counts', { file: join(dir, 'manifest.json') });
    }
    return { dataset, manifest };
  }

  /**
   * loadDataset, requiring the content a freshness check was made against: a re-ingest in between
   * is an error, never a result filed under the other content's hash.
   */
  async loadDatasetMatching(name: string, contentHash: string): Promise<Dataset> {
    const { dataset, manifest } = await this.loadDataset(name);
    if (manifest.contentHash !== contentHash) {
      throw new CovaryError('the dataset changed while the stage was starting (re-ingested meanwhile?)', { file: join(this.benchmarkDir(name), 'manifest.json') }, 'run the command again');
    }
    return dataset;
  }

  stagePath(name: string, stage: string): string {
    return join(this.benchmarkDir(name), `${stage}.json`);
  }

  /**
   * Write a stage result: binaries first (each atomically), the JSON last. The JSON is the commit:
   * it lists the binaries' hashes, and `isFresh` checks them, so a kill between the binaries and
   * the JSON leaves a stale result (recomputed next time), never a stuck one.
   */
  async writeStage<R>(
    name: string,
    stage: string,
    artifact: Omit<StageArtifact<R>, 'schemaVersion' | 'stage' | 'covaryVersion' | 'binaries' | 'status'> & { status?: 'ok' | 'skipped' },
    binaries: Record<string, { data: TypedArray; shape: number[] }> = {},
  ): Promise<StageArtifact<R>> {
    const dir = this.benchmarkDir(name);
    const refs: Record<string, BinaryRef> = {};
    for (const [key, { data, shape }] of Object.entries(binaries)) {
      const dtype = dtypeOf(data);
      const file = `${stage}/${key}.${dtype}`;
      const bytes = bytesOf(data);
      await writeFileAtomic(join(dir, file), bytes);
      refs[key] = { file, dtype, shape, sha256: sha256(bytes) };
    }
    const full: StageArtifact<R> = {
      schemaVersion: STAGE_SCHEMA_VERSION,
      stage,
      covaryVersion: COVARY_VERSION,
      status: artifact.status ?? 'ok',
      ...(artifact.skipReason ? { skipReason: artifact.skipReason } : {}),
      inputs: artifact.inputs,
      options: artifact.options,
      binaries: refs,
      result: artifact.result,
    };
    await writeFileAtomic(this.stagePath(name, stage), stableStringify(full, 2) + '\n');
    await this.sweepStage(name, stage);
    return full;
  }

  /** A stage's artifact, or null when it has not been run. */
  async readStage<R>(name: string, stage: string): Promise<StageArtifact<R> | null> {
    const path = this.stagePath(name, stage);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return null;
    }
    try {
      return JSON.parse(text) as StageArtifact<R>;
    } catch {
      throw new CovaryError('stage result is not valid JSON', { file: path }, `re-run covary ${stage} --name ${name}`);
    }
  }

  /** Like readStage but a clear error when absent or skipped. */
  async requireStage<R>(name: string, stage: string, neededBy: string): Promise<StageArtifact<R>> {
    const a = await this.readStage<R>(name, stage);
    if (!a) {
      throw new CovaryError(`${neededBy} needs the ${stage} stage's result, which does not exist`, { file: this.stagePath(name, stage) }, `run \`covary ${stage} --name ${name}\` first`);
    }
    return a;
  }

  /** Hash that identifies a stage's result (its JSON text, which lists its binaries' hashes). */
  async stageHash(name: string, stage: string): Promise<string | null> {
    try {
      return sha256(await readFile(this.stagePath(name, stage)));
    } catch {
      return null;
    }
  }

  async readBinary(name: string, ref: BinaryRef): Promise<TypedArray> {
    const path = join(this.benchmarkDir(name), ref.file);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch {
      throw new CovaryError('stage binary is missing', { file: path }, 're-run the stage');
    }
    if (sha256(bytes) !== ref.sha256) throw new CovaryError('stage binary does not match its recorded hash', { file: path }, 're-run the stage');
    return typedFromBytes(bytes, ref.dtype);
  }

  /**
   * A stage's result is fresh when it exists, is of this schema, was made from the same inputs and
   * options, and every binary it lists has the recorded hash (a binary from an interrupted later
   * write, or a flipped byte, makes it stale: recomputed, never stuck).
   */
  async isFresh(name: string, stage: string, inputs: Record<string, string>, options: Record<string, unknown>): Promise<boolean> {
    let a: StageArtifact | null;
    try {
      a = await this.readStage(name, stage);
    } catch {
      return false; // unreadable JSON (e.g. a half-written file from an older version): recompute
    }
    if (!a || a.schemaVersion !== STAGE_SCHEMA_VERSION || a.covaryVersion !== COVARY_VERSION) return false;
    if (stableStringify(a.inputs) !== stableStringify(inputs)) return false;
    if (stableStringify(a.options) !== stableStringify(options)) return false;
    for (const ref of Object.values(a.binaries ?? {})) {
      try {
        if (sha256(await readFile(join(this.benchmarkDir(name), ref.file))) !== ref.sha256) return false;
      } catch {
        return false;
      }
    }
    await this.sweepStage(name, stage);
    return true;
  }

  /** A user-facing export beside the benchmark's artifacts (e.g. irt-items.csv); returns its path. */
  async writeExport(name: string, file: string, text: string): Promise<string> {
    if (file.includes('/') || file.includes('\\') || file.startsWith('.')) throw new Error(`export file name must be a plain name, got ${file}`);
    const path = join(this.benchmarkDir(name), file);
    await writeFileAtomic(path, text);
    return path;
  }

  /** Timings and other non-deterministic facts go here, never into results. */
  async appendLog(name: string, line: string): Promise<void> {
    const dir = join(this.benchmarkDir(name), 'logs');
    await mkdir(dir, { recursive: true });
    await appendFile(join(dir, 'run.log'), line.endsWith('\n') ? line : line + '\n');
  }
}

/** The contentHash `saveDataset` would record for this dataset (lets ingest detect a no-op without writing). */
export function contentHashOf(d: Dataset): string {
  const fileHashes: Record<string, string> = {};
  for (const [f, bytes] of Object.entries(encodeDataset(d))) fileHashes[f] = sha256(bytes);
  return datasetContentHash(fileHashes);
}

function datasetContentHash(fileHashes: Record<string, string>): string {
  return sha256(stableStringify(fileHashes));
}

function encodeDataset(d: Dataset): Record<string, Uint8Array> {
  const enc = new TextEncoder();
  const files: Record<string, Uint8Array> = {
    'scores.f64': bytesOf(d.scores),
    'models.json': enc.encode(JSON.stringify(d.models) + '\n'),
    'items.jsonl': enc.encode(d.items.map((it) => stableStringify(it)).join('\n') + '\n'),
  };
  if (d.answers) {
    files['answers.codes.i32'] = bytesOf(d.answers.codes);
    files['answers.vocab.json'] = enc.encode(JSON.stringify(d.answers.vocab) + '\n');
  }
  return files;
}

function decodeDataset(name: string, files: Record<string, Uint8Array>): Dataset {
  const dec = new TextDecoder();
  const models = JSON.parse(dec.decode(files['models.json'])) as string[];
  const itemLines = dec.decode(files['items.jsonl']).split('\n').filter((l) => l.length > 0);
  const items = itemLines.map((l) => JSON.parse(l) as Item);
  const scores = typedFromBytes(files['scores.f64'], 'float64') as Float64Array;
  if (scores.length !== models.length * items.length) {
    throw new CovaryError(`scores.f64 holds ${scores.length} cells, expected ${models.length} × ${items.length}`, { file: 'scores.f64' });
  }
  let answers: AnswerMatrix | null = null;
  if (files['answers.codes.i32']) {
    answers = {
      codes: typedFromBytes(files['answers.codes.i32'], 'int32') as Int32Array,
      vocab: JSON.parse(dec.decode(files['answers.vocab.json'])) as string[],
    };
  }
  return { name, models, items, scores, answers };
}
