/**
 * The fault-injection hook in a real process (COVARY_FAULT makes it SIGKILL itself), and two real
 * processes racing to replace the same report folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

const BIN = join(process.cwd(), 'bin', 'covary.js');
let dir: string;
let common: string[];

function spawnCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, _out, err) => {
      const e = error as (Error & { code?: number; signal?: string }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, err });
    });
  });
}

async function internalNames(d: string): Promise<string[]> {
  return (await readdir(d)).filter((n) => n.startsWith('.covary-'));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'covary-crashp-'));
  const rows = ['model,' + Array.from({ length: 8 }, (_, i) => `q${i}`).join(',')];
  for (let k = 0; k < 6; k++) rows.push(`m${k},` + Array.from({ length: 8 }, (_, i) => ((k + i * (k % 3 + 1)) % 3 === 0 ? 1 : 0)).join(','));
  await writeFile(join(dir, 's.csv'), rows.join('\n') + '\n');
  common = ['--data-dir', join(dir, 'data'), '--reports-dir', join(dir, 'reports'), '--quiet'];
  const r = await runCli(['run', '--name', 'b', '--scores', join(dir, 's.csv'), '--permutations', '19', '--permutations-b', '9', '--bootstrap', '20', '--null-b-samples', '3', '--restarts', '2', '--workers', '1', ...common]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('real processes', () => {
  it('COVARY_FAULT=rename:N kills the process there; the next run recovers and leaves nothing behind', async () => {
    const killed = await spawnCli(['correlate', '--name', 'b', '--seed', '2', '--permutations', '19', '--permutations-b', '9', '--workers', '1', ...common], { COVARY_FAULT: 'rename:2' });
    expect(killed.signal).toBe('SIGKILL');
    const bench = join(dir, 'data', 'benchmarks', 'b');
    expect((await readdir(join(bench, 'correlate'))).some((n) => n.startsWith('.covary-tmp-')) || (await readdir(bench)).some((n) => n.startsWith('.covary-tmp-'))).toBe(true);
    const again = await runCli(['run', '--name', 'b', '--permutations', '19', '--permutations-b', '9', '--bootstrap', '20', '--null-b-samples', '3', '--restarts', '2', '--workers', '1', ...common]);
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    expect([...(await readdir(bench)), ...(await readdir(join(bench, 'correlate')))].filter((n) => n.startsWith('.covary-'))).toEqual([]);
  }, 60_000);

  it('two racing report --force both succeed; the index lists the benchmark once', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => spawnCli(['report', '--name', 'b', '--force', ...common])));
    expect(a.err).toBe('');
    expect(b.err).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    const index = await readFile(join(dir, 'reports', 'index.md'), 'utf8');
    expect(index.match(/\]\(b\/report\.md\)/g)).toHaveLength(1);
    expect(index).not.toMatch(/covary-/);
    // What the racers left (the loser's generation) goes with the next run.
    expect((await runCli(['report', '--name', 'b', ...common])).code).toBe(0);
    expect(await internalNames(join(dir, 'reports'))).toHaveLength(1); // the published generation
  }, 60_000);
});
