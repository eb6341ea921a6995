/** Odd but legitimate files, and mistakes that deserve an exact diagnosis. */
import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { firstInvalidUtf8 } from '../../pipeline/ingest/read.ts';

async function ingest(file: string, content: string | Uint8Array, args: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'covary-odd-'));
  await writeFile(join(dir, file), content);
  const data = join(dir, 'data');
  const r = await runCli(['ingest', ...args.map((a) => a.replace('@', join(dir, file))), '--data-dir', data, '--quiet']);
  return { ...r, store: new ArtifactStore(data) };
}

describe('odd input files', () => {
  it('CR-only line ends read as lines (the same dataset as with LF)', async () => {
    const lf = await ingest('s.csv', 'model,q1,q2\nm1,1,0\nm2,0,1\n', ['--name', 'b', '--scores', '@']);
    const cr = await ingest('s.csv', 'model,q1,q2\rm1,1,0\rm2,0,1\r', ['--name', 'b', '--scores', '@']);
    expect(cr.err).toBe('');
    expect(cr.code).toBe(0);
    expect((await cr.store.readManifest('b')).contentHash).toBe((await lf.store.readManifest('b')).contentHash);
  });

  it('invalid UTF-8 is reported with its line and byte', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('model,q1,q2\nm1,1,0\nm2,'), 0xff, ...new TextEncoder().encode(',1\n')]);
    const r = await ingest('s.csv', bytes, ['--name', 'b', '--scores', '@']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/s\.csv:3: file is not UTF-8 text: invalid byte 0xff at byte 23/);
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xc3, 0xa9, 0xe2, 0x82]))).toBe(3); // truncated 3-byte sequence
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
    const valid = new TextEncoder().encode('héllo €𝄞');
    expect(firstInvalidUtf8(valid)).toBe(valid.length); // valid throughout: the offset is the end
  });

  it('long format trims item ids as it trims model names', async () => {
    const r = await ingest('l.csv', 'model,item,score\n m1 , q1 ,1\nm1,q2 ,0\n m2, q1,0\nm2,q2,1\n', ['--name', 'b', '--format', 'long', '@']);
    expect(r.err).toBe('');
    const { dataset } = await r.store.loadDataset('b');
    expect(dataset.items.map((i) => i.id)).toEqual(['q1', 'q2']);
    expect(dataset.models).toEqual(['m1', 'm2']);
  });

  it('a name over 128 characters is refused naming the limit', async () => {
    const r = await ingest('s.csv', 'model,q1,q2\nm1,1,0\nm2,0,1\n', ['--name', 'a'.repeat(129), '--scores', '@']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/invalid benchmark name \(129 characters\): at most 128 allowed/);
    expect((await ingest('s.csv', 'model,q1,q2\nm1,1,0\nm2,0,1\n', ['--name', 'a'.repeat(128), '--scores', '@'])).code).toBe(0);
  });
});
