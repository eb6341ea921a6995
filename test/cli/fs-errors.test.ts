import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { main } from '../../pipeline/cli/main.ts';
import { simulateProcess } from '../../pipeline/core/fault.ts';
import { fromSystemError } from '../../pipeline/core/errors.ts';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { vi } from 'vitest';

const CSV = 'model,q1,q2,q3\nm1,1,0,1\nm2,0,1,1\nm3,1,1,0\n';

async function scratch() {
  const dir = await mkdtemp(join(tmpdir(), 'covary-fs-'));
  const scores = join(dir, 's.csv');
  await writeFile(scores, CSV);
  return { dir, scores, data: join(dir, 'data'), reports: join(dir, 'reports') };
}

/** One line on stderr naming `path` and `cause`, no stack trace, exit 1. */
function expectOneLine(r: { code: number; err: string }, path: string, cause: RegExp) {
  expect(r.code).toBe(1);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/internal error|\n\s+at /);
  expect(r.err).toContain(path);
  expect(r.err).toMatch(cause);
}

describe('file-system failures are one line naming the path and the cause', () => {
  it('--data-dir naming a regular file (ENOTDIR), nothing written', async () => {
    const s = await scratch();
    await writeFile(s.data, 'not a folder');
    const r = await runCli(['ingest', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--quiet']);
    expectOneLine(r, s.data, /not a folder \[ENOTDIR\]/);
  });

  it('--reports-dir naming a regular file (EEXIST)', async () => {
    const s = await scratch();
    expect((await runCli(['ingest', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--quiet'])).code).toBe(0);
    await writeFile(s.reports, 'not a folder');
    const r = await runCli(['report', '--name', 'b', '--data-dir', s.data, '--reports-dir', s.reports, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/\[(EEXIST|ENOTDIR)\]/);
    expect(r.err).toContain(s.reports);
  });

  it('a folder where a file is expected, and a symlink loop (given as an option or as a path)', async () => {
    const s = await scratch();
    expectOneLine(await runCli(['ingest', '--name', 'b', '--scores', s.dir, '--data-dir', s.data, '--quiet']), s.dir, /expected a file \(scores\), found a folder/);
    const loop = join(s.dir, 'loop');
    await symlink(join(s.dir, 'loop2'), loop);
    await symlink(loop, join(s.dir, 'loop2'));
    expectOneLine(await runCli(['ingest', '--name', 'b', '--scores', loop, '--data-dir', s.data, '--quiet']), loop, /symlink loop\) \[ELOOP\]/);
    expectOneLine(await runCli(['ingest', '--name', 'b', loop, '--data-dir', s.data, '--quiet']), loop, /symlink loop\) \[ELOOP\]/);
    expect(existsSync(s.data)).toBe(false);
  });

  it('an unreadable scores file (EACCES)', async () => {
    const s = await scratch();
    await chmod(s.scores, 0o000);
    const r = await runCli(['ingest', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--quiet']);
    if (process.getuid?.() === 0) {
      // root reads it anyway: the message for the code is checked below instead.
      expect(r.code).toBe(0);
    } else expectOneLine(r, s.scores, /permission denied \[EACCES\]/);
    const e = Object.assign(new Error("EACCES: permission denied, open '/x/s.csv'"), { code: 'EACCES', syscall: 'open', path: '/x/s.csv' });
    expect(fromSystemError(e)?.toLine()).toBe('/x/s.csv: permission denied [EACCES] (open)');
  });

  it('disk full while writing (ENOSPC, injected at each write): one line, the old benchmark intact, no temp files', async () => {
    const s = await scratch();
    expect((await runCli(['ingest', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--quiet'])).code).toBe(0);
    const store = new ArtifactStore(s.data);
    const before = (await store.loadDataset('b')).manifest.contentHash;
    const other = join(s.dir, 's2.csv');
    await writeFile(other, CSV.replace('m1,1,0,1', 'm1,0,0,1'));
    const args = ['ingest', '--name', 'b', '--force', '--scores', other, '--data-dir', s.data, '--quiet'];
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((t: string | Uint8Array) => ((err += String(t)), true));
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      for (let k = 1; k <= 4; k++) {
        err = '';
        const sim = simulateProcess(() => main(args), { failAt: k, errno: 'ENOSPC' });
        expect(await sim.done).toBe(1);
        expect(err.trimEnd().split('\n')).toHaveLength(1);
        expect(err).toMatch(/no space left on the device \(disk full\) \[ENOSPC\]/);
        const bench = join(s.data, 'benchmarks');
        expect((await readdir(bench)).filter((n) => n.startsWith('.covary-tmp-'))).toEqual([]);
        expect((await store.loadDataset('b')).manifest.contentHash).toBe(before);
      }
    } finally {
      spy.mockRestore();
      out.mockRestore();
    }
    const after = await runCli(['ingest', '--name', 'b', '--scores', s.scores, '--data-dir', s.data, '--quiet']);
    expect(after.code).toBe(0);
    expect(after.err).toBe('');
  });

  it('names with a newline stay on one line, escaped', async () => {
    const s = await scratch();
    const r = await runCli(['ingest', '--name', 'b', '--scores', join(s.dir, 'a\nb.csv'), '--data-dir', s.data, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain('a\\nb.csv');
    const n = await runCli(['correlate', '--name', 'x\ny', '--data-dir', s.data]);
    expect(n.err.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('pipes and FIFOs are read once', () => {
  it('a FIFO fed by a writer ingests like the file; one nobody writes to times out with a message', async () => {
    const s = await scratch();
    const fifo = join(s.dir, 'fifo');
    await new Promise<void>((res, rej) => execFile('mkfifo', [fifo], (e) => (e ? rej(e) : res())));
    const writer = new Promise<void>((res) => setTimeout(() => writeFile(fifo, CSV).then(() => res()), 200));
    const r = await runCli(['ingest', '--name', 'p', '--scores', fifo, '--data-dir', s.data, '--quiet', '--json']);
    await writer;
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const viaFile = await runCli(['ingest', '--name', 'f', '--scores', s.scores, '--data-dir', s.data, '--quiet', '--json']);
    expect(viaFile.code).toBe(0);
    const store = new ArtifactStore(s.data);
    expect((await store.readManifest('p')).contentHash).toBe((await store.readManifest('f')).contentHash);
    process.env.COVARY_PIPE_TIMEOUT_MS = '300';
    try {
      const silent = await runCli(['ingest', '--name', 'q', '--scores', fifo, '--data-dir', s.data, '--quiet']);
      expectOneLine(silent, fifo, /no data arrived from the pipe in 0.3 s/);
    } finally {
      delete process.env.COVARY_PIPE_TIMEOUT_MS;
    }
  });
});

describe('process substitution', () => {
  it('--scores <(cat s.csv) ingests the file (read once, hashed from what was read)', async () => {
    const s = await scratch();
    const bin = join(process.cwd(), 'bin', 'covary.js');
    const cmd = `"${process.execPath}" "${bin}" ingest --name p --scores <(cat "${s.scores}") --data-dir "${s.data}" --quiet`;
    const r = await new Promise<{ code: number; err: string }>((res) =>
      execFile('bash', ['-c', cmd], { timeout: 60_000 }, (e, _o, err) => res({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, err })),
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const viaFile = await runCli(['ingest', '--name', 'f', '--scores', s.scores, '--data-dir', s.data, '--quiet']);
    expect(viaFile.code).toBe(0);
    const store = new ArtifactStore(s.data);
    expect((await store.readManifest('p')).contentHash).toBe((await store.readManifest('f')).contentHash);
  }, 60_000);
});
