/** Helpers of the report tests that run the pipeline: CLI capture, tiny benchmarks, temp dirs. */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore, type DroppedEntry, type SourceFile } from '../../pipeline/core/store.ts';
import { ANSWER_NONE, countMissing, isBinary, type Dataset } from '../../pipeline/core/dataset.ts';
import { createRng } from '../../pipeline/core/rng.ts';

/** Small replicate counts: enough to exercise every code path, fast enough for CI. */
export const SMALL_B = ['--permutations', '99', '--permutations-b', '19', '--bootstrap', '100', '--null-b-samples', '10', '--restarts', '3', '--permutations-c', '19', '--q3-replicates', '3', '--max-dim', '2'];

import { runCli } from '../helpers/cli.ts';

export const cli = runCli;

const dirs: string[] = [];
export async function tempDir(prefix = 'covary-report-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
export async function cleanupTempDirs(): Promise<void> {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
}

export interface SyntheticOptions {
  name?: string;
  models?: number;
  prompts?: number;
  seed?: number;
  /** Prompt text per item (null = text-free). */
  text?: (i: number) => string | null;
  modelName?: (k: number) => string;
  itemId?: (i: number) => string;
  category?: (i: number) => string;
  tags?: (i: number) => string[];
  /** Give an answer matrix (letters, a shared distractor on family-0 prompts, some "no answer"). */
  answers?: boolean;
  /** Cells to blank (NaN), as [model, item]. */
  missing?: [number, number][];
}

/**
 * A benchmark with planted families: three families of prompts, each favouring a third of the
 * models, on top of a model-strength gradient. Deterministic for a seed.
 */
export function syntheticDataset(o: SyntheticOptions = {}): Dataset {
  const m = o.models ?? 10;
  const n = o.prompts ?? 60;
  const rng = createRng(o.seed ?? 7);
  const scores = new Float64Array(m * n);
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < n; i++) {
      const p = 0.25 + (0.4 * k) / Math.max(1, m - 1) + (i % 3 === k % 3 ? 0.3 : -0.12);
      scores[k * n + i] = rng.next() < p ? 1 : 0;
    }
  }
  for (const [k, i] of o.missing ?? []) scores[k * n + i] = NaN;
  let answers: Dataset['answers'] = null;
  if (o.answers) {
    const vocab = ['A', 'B', 'C', 'D'];
    const codes = new Int32Array(m * n);
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < n; i++) {
        const s = scores[k * n + i];
        if (s !== s) codes[k * n + i] = -1;
        else if (s === 1) codes[k * n + i] = 0;
        else if (i % 3 === 0) codes[k * n + i] = 1;
        else if (i % 7 === 1 && k % 2 === 0) codes[k * n + i] = ANSWER_NONE;
        else codes[k * n + i] = 1 + ((k + i) % 3);
      }
    }
    answers = { vocab, codes };
  }
  return {
    name: o.name ?? 'bench',
    models: Array.from({ length: m }, (_, k) => (o.modelName ? o.modelName(k) : `model-${String(k).padStart(2, '0')}`)),
    items: Array.from({ length: n }, (_, i) => ({
      id: o.itemId ? o.itemId(i) : `q${String(i).padStart(3, '0')}`,
      text: o.text ? o.text(i) : null,
      metadata: { category: o.category ? o.category(i) : ['algebra', 'geometry', 'logic'][i % 3] },
      tags: o.tags ? o.tags(i) : [],
    })),
    scores,
    answers,
  };
}

export async function saveDataset(dataDir: string, d: Dataset, extra: { dropped?: DroppedEntry[]; sources?: SourceFile[]; format?: string } = {}): Promise<void> {
  const store = new ArtifactStore(dataDir);
  await store.saveDataset(d, {
    format: extra.format ?? 'test',
    counts: {
      models: d.models.length,
      items: d.items.length,
      cells: d.scores.length,
      missingCells: countMissing(d.scores),
      itemsWithText: d.items.filter((it) => it.text !== null && it.text.trim() !== '').length,
      binary: isBinary(d.scores),
      hasAnswers: d.answers !== null,
    },
    sources: extra.sources ?? [],
    dropped: extra.dropped ?? [],
    coverage: {},
    options: {},
  });
}

export interface RunResult {
  dataDir: string;
  reportsDir: string;
  code: number;
  out: string;
  err: string;
  dir: string;
  md: string;
  json: string;
}

/** `covary run` on a saved dataset, reading back report.md and report.json. */
export async function runReport(dataDir: string, reportsDir: string, name: string, extra: string[] = [], replicates: string[] = SMALL_B): Promise<RunResult> {
  const r = await cli(['run', '--name', name, '--data-dir', dataDir, '--reports-dir', reportsDir, '--quiet', ...replicates, ...extra]);
  const dir = join(reportsDir, name);
  const read = async (f: string) => readFile(join(dir, f), 'utf8').catch(() => '');
  return { dataDir, reportsDir, ...r, dir, md: await read('report.md'), json: await read('report.json') };
}

/** Replace run-specific temp paths with placeholders (they appear in the command line). */
export function placeholders(text: string, dirs: Record<string, string>): string {
  let t = text;
  for (const [label, d] of Object.entries(dirs)) t = t.split(d).join(`$${label}`);
  return t;
}

export async function listFiles(dir: string, sub = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, sub), { withFileTypes: true })) {
    if (e.name.startsWith('.covary-')) continue; // the store's generation folders, reached through their symlinks
    const rel = sub ? `${sub}/${e.name}` : e.name;
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(join(dir, rel))).isDirectory());
    if (isDir) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

