/**
 * The embed command as a user runs it: a separate process, killed mid-run, or two at once on one
 * cache. Spawns `node bin/covary.js` (2 worker threads each, the default).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCacheFolders, verifyCacheFolder } from '../../pipeline/embed/cache.ts';
import { stage } from '../../pipeline/embed/stage.ts';
import { loadEmbedResult, loadEmbeddings } from '../../pipeline/embed/index.ts';
import type { StageOutcome } from '../../pipeline/core/stage.ts';
import { context, saveTexts, syntheticTexts, tempStore } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/covary.js', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function covary(dataDir: string, args: string[], onSpawn?: (kill: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(() => child.kill('SIGKILL'));
  });
}

/** The last `embed …` line of a benchmark's run.log. */
async function runLogLine(dataDir: string, bench: string): Promise<string> {
  const lines = (await readFile(join(dataDir, 'benchmarks', bench, 'logs', 'run.log'), 'utf8')).split('\n').filter((l) => l.startsWith('embed model='));
  return lines[lines.length - 1] ?? '';
}

async function shardCount(dir: string): Promise<number> {
  try {
    const keys = await readdir(dir);
    let n = 0;
    for (const k of keys) n += (await readdir(join(dir, k))).filter((f) => f.endsWith('.cvec')).length;
    return n;
  } catch {
    return 0;
  }
}

// Child processes on a shared 2-core machine can be slow: generous per-test limits.
describe('covary embed / cache as separate processes', { timeout: 240_000 }, () => {
  it('resumes after kill -9 without recomputing finished batches; cache verify finds a damaged file', async () => {
    const store = await tempStore('covary-embed-kill-');
    const texts = syntheticTexts(80);
    await saveTexts(store, 'big', texts);
    const cacheRoot = store.cacheDir('embeddings');

    let killedAt = 0;
    const first = await covary(store.dataDir, ['embed', '--name', 'big', '--batch-size', '2'], (kill) => {
      const poll = setInterval(async () => {
        const n = await shardCount(cacheRoot);
        if (n >= 3 && !killedAt) {
          killedAt = n;
          clearInterval(poll);
          kill();
        }
      }, 20);
    });
    expect(first.signal, `the first run was meant to be killed mid-way; it ended with code ${first.code}: ${first.stderr}`).toBe('SIGKILL');
    expect(await store.readStage('big', 'embed')).toBeNull(); // no half-written result

    const [before] = await listCacheFolders(cacheRoot);
    const saved = before.entries;
    expect(saved).toBeGreaterThanOrEqual(6);
    expect(saved).toBeLessThan(80);

    const second = await covary(store.dataDir, ['embed', '--name', 'big', '--batch-size', '2', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const out = JSON.parse(second.stdout) as StageOutcome;
    expect(out.status).toBe('computed');
    expect(out.details!.fromCache).toBe(saved);
    expect(out.details!.embedded).toBe(80 - saved);
    expect(await runLogLine(store.dataDir, 'big')).toContain(`embedded=${80 - saved} fromCache=${saved}`);
    expect((await loadEmbedResult(store, 'big'))!.n).toBe(80);
    expect((await loadEmbeddings(store, 'big'))!.vectors.length).toBe(80 * 512);
    const [after] = await listCacheFolders(cacheRoot);
    expect(after).toMatchObject({ entries: 80, temps: 0 });

    expect((await verifyCacheFolder(cacheRoot, after.key)).problems).toEqual([]);

    // Flip one byte inside a vector of some shard: verify must name that file and fail.
    const dir = join(cacheRoot, after.key);
    const shard = (await readdir(dir)).filter((f) => f.endsWith('.cvec')).sort()[0];
    const bytes = await readFile(join(dir, shard));
    bytes[bytes.length - 5] ^= 0x40;
    await writeFile(join(dir, shard), bytes);
    const bad = await covary(store.dataDir, ['cache', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`DAMAGED ${join(dir, shard)}`);
    expect(bad.stdout).toMatch(/1 damaged entry; damaged entries \(text sha256\): [0-9a-f]{64}/);
    expect(bad.stderr).toMatch(/damaged file/);
    // (--fix, ls and clear are covered in-process by cache.test.ts.)
  });

  it('two embed processes on one cache at once both finish with identical vectors', async () => {
    const store = await tempStore('covary-embed-two-');
    const texts = syntheticTexts(48, 500);
    await saveTexts(store, 'one', texts);
    await saveTexts(store, 'two', [...texts].reverse());
    const [a, b] = await Promise.all([
      covary(store.dataDir, ['embed', '--name', 'one', '--batch-size', '8', '--workers', '1']),
      covary(store.dataDir, ['embed', '--name', 'two', '--batch-size', '8', '--workers', '1']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ea = (await loadEmbeddings(store, 'one'))!;
    const eb = (await loadEmbeddings(store, 'two'))!;
    for (let i = 0; i < 48; i++) {
      expect(Array.from(eb.vectors.subarray((47 - i) * 512, (48 - i) * 512))).toEqual(Array.from(ea.vectors.subarray(i * 512, (i + 1) * 512)));
    }
    const [info] = await listCacheFolders(store.cacheDir('embeddings'));
    expect(info).toMatchObject({ entries: 48, temps: 0 });
    expect((await verifyCacheFolder(store.cacheDir('embeddings'), info.key)).problems).toEqual([]);
    // A third benchmark with the same prompts computes nothing (and never loads the model).
    await saveTexts(store, 'three', texts.slice(0, 30));
    const three = await stage.run(context(store), 'three', { workers: 2 });
    expect(three.status).toBe('computed');
    expect(three.details).toMatchObject({ embedded: 0, fromCache: 30 });
    expect(await loadEmbedResult(store, 'three')).toMatchObject({ n: 30, unique: 30 });
  });

  it('embed.json is byte-identical whether the vectors came from a cold or a warm cache', async () => {
    const store = await tempStore('covary-embed-warm-');
    await saveTexts(store, 'same', [...syntheticTexts(12, 900), null]);
    const cold = await covary(store.dataDir, ['embed', '--name', 'same', '--workers', '1', '--json']);
    expect(cold.code, cold.stderr).toBe(0);
    expect((JSON.parse(cold.stdout) as StageOutcome).details).toMatchObject({ embedded: 12, fromCache: 0 });
    const jsonCold = await readFile(store.stagePath('same', 'embed'));
    const vecCold = await readFile(join(store.benchmarkDir('same'), 'embed', 'vectors.float32'));

    const warm = await covary(store.dataDir, ['embed', '--name', 'same', '--workers', '1', '--force', '--json']);
    expect(warm.code, warm.stderr).toBe(0);
    expect((JSON.parse(warm.stdout) as StageOutcome).details).toMatchObject({ embedded: 0, fromCache: 12 });
    expect((await readFile(store.stagePath('same', 'embed'))).equals(jsonCold)).toBe(true);
    expect((await readFile(join(store.benchmarkDir('same'), 'embed', 'vectors.float32'))).equals(vecCold)).toBe(true);
    // The run's counts went to the log, one line per run.
    const log = await readFile(join(store.benchmarkDir('same'), 'logs', 'run.log'), 'utf8');
    expect(log).toMatch(/embedded=12 fromCache=0[\s\S]*embedded=0 fromCache=12/);
  });
});
