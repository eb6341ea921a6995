import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { parseSeed } from '../../pipeline/cli/context.ts';

async function scratch(): Promise<{ dir: string; scores: string; data: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'covary-opts-'));
  const scores = join(dir, 's.csv');
  await writeFile(scores, 'model,q1,q2\nm1,1,0\nm2,0,1\n');
  return { dir, scores, data: join(dir, 'data') };
}

/** A usage error: one line on stderr, exit 2, nothing on stdout. */
function expectUsageError(r: { code: number; out: string; err: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
}

describe('option validation stops before any work', () => {
  it('an unknown option on ingest writes nothing', async () => {
    const s = await scratch();
    const r = await runCli(['ingest', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--bogus', '1', '--quiet']);
    expectUsageError(r, /Unknown argument: bogus/);
    expect(existsSync(s.data)).toBe(false);
  });

  it('cache clear with a mistyped option deletes nothing', async () => {
    const s = await scratch();
    const folder = join(s.data, 'cache', 'embeddings', 'k1');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'model.json'), '{}');
    const r = await runCli(['cache', 'clear', 'k1', '--dry-run', '--data-dir', s.data]);
    expectUsageError(r, /^covary: error: Unknown argument: dry-run \(/);
    expect(await readdir(folder)).toEqual(['model.json']);
  });

  it('a mistyped global option does not run the pipeline with the default', async () => {
    const s = await scratch();
    const r = await runCli(['run', '--name', 'b', '--scores', s.scores, '--seeed', '5', '--data-dir', s.data, '--reports-dir', join(s.dir, 'r')]);
    expectUsageError(r, /Unknown argument: seeed/);
    expect(existsSync(s.data)).toBe(false);
    expect(existsSync(join(s.dir, 'r'))).toBe(false);
  });

  it('run checks reweight, cluster and explain option values before ingesting anything', async () => {
    for (const bad of [['--bootstrap', '-1'], ['--k-min', '5', '--k-max', '3'], ['--hard-threshold', '2']]) {
      const s = await scratch();
      const r = await runCli(['run', '--name', 'b', '--scores', s.scores, ...bad, '--data-dir', s.data, '--reports-dir', join(s.dir, 'r')]);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(new RegExp(bad[bad.length - 2]));
      expect(existsSync(s.data), bad.join(' ')).toBe(false);
    }
  });

  it('a missing required option is one line, not followed by a second misleading error', async () => {
    const s = await scratch();
    const r = await runCli(['correlate', '--data-dir', s.data]);
    expectUsageError(r, /Missing required argument: name/);
    expect(r.err).not.toMatch(/invalid benchmark name/);
  });

  it('refuses invalid seeds up front', async () => {
    const s = await scratch();
    for (const seed of ['abc', '-1', '1.5', '4294967296', '1e400']) {
      const r = await runCli(['ingest', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--seed', seed, '--quiet']);
      expectUsageError(r, /--seed/);
    }
    const twice = await runCli(['ingest', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--seed', '1', '--seed', '2']);
    expectUsageError(twice, /given 2 times/);
    expect(existsSync(s.data)).toBe(false);
  });

  it('accepts the whole 32-bit unsigned range and nothing else', () => {
    expect(parseSeed(0)).toBe(0);
    expect(parseSeed(4294967295)).toBe(4294967295);
    expect(() => parseSeed(4294967296)).toThrow(/0 to 4294967295/);
    expect(() => parseSeed(Number.NaN)).toThrow(/not a number/);
  });

  it('refuses non-numbers for number options and values outside an enum', async () => {
    const s = await scratch();
    expectUsageError(await runCli(['correlate', '--name', 'b', '--permutations', 'abc', '--data-dir', s.data]), /invalid --permutations: expected a finite number/);
    expectUsageError(await runCli(['correlate', '--name', 'b', '--metric', 'foo', '--data-dir', s.data]), /Invalid values: Argument: metric, Given: "foo"/);
    expect(existsSync(s.data)).toBe(false);
  });

  it('run checks every stage\'s option values before ingesting or computing anything', async () => {
    const s = await scratch();
    for (const bad of [['--permutations', '-1'], ['--neighbors', '0'], ['--batch-size', '0']]) {
      const r = await runCli(['run', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--reports-dir', join(s.dir, 'r'), '--quiet', ...bad]);
      expect(r.code).toBe(2);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toContain(bad[0]);
      expect(existsSync(s.data)).toBe(false);
    }
  });
});
