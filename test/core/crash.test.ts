/**
 * Crash consistency, tested the way it breaks: kill a command just before each of its file-system
 * mutations in turn (the store's fault-injection hook), re-run the same command, and require the
 * artifacts of a clean run byte for byte, with no temp files or stray generations left behind.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cp, lstat, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../pipeline/cli/main.ts';
import { simulateProcess } from '../../pipeline/core/fault.ts';
import { sha256 } from '../../pipeline/core/hash.ts';
import { EmbeddingCache, textHash, type ShardRow } from '../../pipeline/embed/cache.ts';

const FAST = ['--permutations', '19', '--permutations-b', '9', '--bootstrap', '20', '--null-b-samples', '3', '--restarts', '2', '--workers', '1', '--quiet'];

function csv(models: number, prompts: number, flip: number): string {
  const rows = [['model', ...Array.from({ length: prompts }, (_, i) => `q${i}`)].join(',')];
  for (let k = 0; k < models; k++) {
    rows.push([`m${k}`, ...Array.from({ length: prompts }, (_, i) => String(((k * 7 + i * 3 + (i % 3 === k % 3 ? 1 : 0) + flip) % 5) < 2 + (k % 3) ? 1 : 0))].join(','));
  }
  return rows.join('\n') + '\n';
}

let root: string;
let template: string;
let restore: () => void;

/** Every file reachable from `dir` (following the published symlinks), hashed; run logs left out. */
async function snapshot(dir: string, sub = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = (await readdir(join(dir, sub))).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.startsWith('.covary-') || n === 'logs') continue;
    const rel = sub ? `${sub}/${n}` : n;
    const s = await stat(join(dir, rel));
    if (s.isDirectory()) Object.assign(out, await snapshot(dir, rel));
    else out[rel] = sha256(await readFile(join(dir, rel)));
  }
  return out;
}

/** Names the store makes that should not outlive a completed command: temp files, unpublished generations. */
async function leftovers(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      return;
    }
    const targets = new Set<string>();
    for (const n of names) {
      if ((await lstat(join(d, n))).isSymbolicLink()) targets.add(await readlink(join(d, n)));
    }
    for (const n of names) {
      const p = join(d, n);
      if (n.startsWith('.covary-tmp-') || (n.startsWith('.covary-gen-') && !targets.has(n))) found.push(p);
      const s = await lstat(p);
      if (s.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return found;
}

/** A copy of the template, always at the same path (the report records the command line, paths included). */
async function freshCopy(): Promise<string> {
  const dir = join(root, 'work');
  await rm(dir, { recursive: true, force: true });
  await cp(template, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

function argsIn(dir: string, args: string[]): string[] {
  return [...args.map((a) => a.replaceAll('@', dir)), '--data-dir', join(dir, 'data'), '--reports-dir', join(dir, 'reports')];
}

async function rerunAfterKill(args: string[], k: number, rerunArgs: string[], expected: Record<string, string>, what: string): Promise<void> {
  const dir = await freshCopy();
  const killed = simulateProcess(() => main(argsIn(dir, args)), { killAt: k });
  expect(await killed.killed).toBe(true);
  const rerun = simulateProcess(() => main(argsIn(dir, rerunArgs)));
  expect(await rerun.done, `${what} after a kill at mutation ${k}`).toBe(0);
  expect(await snapshot(dir), `artifacts of ${what} after a kill at mutation ${k}`).toEqual(expected);
  expect(await leftovers(dir), `leftovers after a kill at mutation ${k}`).toEqual([]);
}

/**
 * Run `args` cleanly once, then for every mutation k it makes: kill at k, re-run, compare with the
 * clean run. With `original` (the command that made the template's result), also re-run that
 * after the kill: the old result must come back intact or be recomputed, never be stuck or mixed
 * with the killed run's files.
 * Returns the number of kill points tried.
 */
async function killEverywhere(args: string[], original?: string[]): Promise<number> {
  const clean = await freshCopy();
  const counting = simulateProcess(() => main(argsIn(clean, args)));
  expect(await counting.done).toBe(0);
  const expected = await snapshot(clean);
  expect(await leftovers(clean)).toEqual([]);
  const total = counting.mutations();
  expect(total).toBeGreaterThan(0);
  const before = original ? await snapshot(template) : null;
  for (let k = 1; k <= total; k++) {
    await rerunAfterKill(args, k, args, expected, 'the same command');
    if (original && before) await rerunAfterKill(args, k, original, before, 'the original command');
  }
  return total;
}

beforeAll(async () => {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  restore = () => {
    out.mockRestore();
    err.mockRestore();
  };
  root = await mkdtemp(join(tmpdir(), 'covary-crash-'));
  template = join(root, 'template');
  await writeFile(join(root, 's1.csv'), csv(6, 9, 0));
  await writeFile(join(root, 's2.csv'), csv(6, 9, 1));
  // Each command runs as its own pretend process (pids of finished ones are not alive, as in real life).
  const code = simulateProcess(() => main(argsIn(template, ['run', '--name', 'b', '--scores', join(root, 's1.csv'), ...FAST])));
  expect(await code.done).toBe(0);
}, 60_000);

afterAll(async () => {
  restore();
  await rm(root, { recursive: true, force: true });
});

const STAGE_FAST: Record<string, string[]> = {
  correlate: ['--permutations', '19', '--permutations-b', '9', '--workers', '1'],
  cluster: ['--restarts', '2'],
  reweight: ['--bootstrap', '20'],
  explain: ['--permutations', '19', '--null-b-samples', '3', '--workers', '1'],
  report: [],
};

describe('kill at every mutation, then re-run: same artifacts as a clean run, nothing left over', () => {
  it('ingest --force replacing a benchmark', async () => {
    const n = await killEverywhere(['ingest', '--name', 'b', '--force', '--scores', join(root, 's2.csv'), '--quiet']);
    expect(n).toBeGreaterThan(3);
  }, 60_000);

  for (const [stage, fast] of Object.entries(STAGE_FAST)) {
    it(`${stage} replacing its earlier result`, async () => {
      // The report records its command line, so re-running the original is checked for analysis stages only.
      const original = stage === 'report' ? undefined : [stage, '--name', 'b', ...fast, '--quiet'];
      await killEverywhere([stage, '--name', 'b', '--seed', '2', ...fast, '--quiet'], original);
    }, 60_000);
  }
});

describe('the embedding cache under a kill at every mutation', () => {
  const DIMS = 4;
  const model = { modelId: 'toy', modelHash: 'cd'.repeat(32), dims: DIMS };
  const batch = (from: number): ShardRow[] =>
    [0, 1, 2].map((j) => ({ textHash: textHash(`t${from + j}`), variant: 0, tokens: 3, vector: Float32Array.from({ length: DIMS }, (_, d) => from + j + d / 10) }));
  /** Open, store three batches, compact them into one shard. */
  const session = async (dir: string): Promise<number> => {
    const cache = await EmbeddingCache.open(dir, model);
    for (const from of [0, 3, 6]) await cache.putBatch(batch(from));
    await cache.compact(2);
    return 0;
  };

  it('a re-run leaves the same shards, every vector readable, no temp files', async () => {
    const base = join(root, 'cache');
    const cleanDir = join(base, 'clean');
    const counting = simulateProcess(() => session(cleanDir));
    await counting.done;
    const expected = await snapshot(cleanDir);
    const total = counting.mutations();
    expect(total).toBeGreaterThan(4);
    for (let k = 1; k <= total; k++) {
      const dir = join(base, `k${k}`);
      const killed = simulateProcess(() => session(dir), { killAt: k });
      expect(await killed.killed).toBe(true);
      await simulateProcess(() => session(dir)).done;
      expect(await snapshot(dir), `cache after a kill at mutation ${k}`).toEqual(expected);
      expect(await leftovers(dir)).toEqual([]);
      const reopened = await EmbeddingCache.open(dir, model);
      const hits = await reopened.getMany([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => textHash(`t${i}`)), 0);
      expect(hits.size).toBe(9);
    }
  }, 30_000);
});
