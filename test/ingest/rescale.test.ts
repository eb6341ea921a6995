import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { ArtifactStore } from '../../pipeline/core/store.ts';

async function ingest(csv: string, extra: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'covary-rescale-'));
  await writeFile(join(dir, 's.csv'), csv);
  const data = join(dir, 'data');
  const r = await runCli(['ingest', '--name', 'b', '--scores', join(dir, 's.csv'), '--data-dir', data, '--quiet', ...extra]);
  return { ...r, data };
}

describe('--rescale and non-finite scores', () => {
  it('an overflowing score is refused with or without --rescale, and nothing is written', async () => {
    for (const extra of [[], ['--rescale']]) {
      const r = await ingest('model,q1,q2\nm1,1e400,0\nm2,0,1\n', extra);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/s\.csv:2, column 2 .*"1e400" overflows a 64-bit number/);
      expect(r.err).not.toMatch(/--rescale/);
      expect(existsSync(r.data)).toBe(false);
    }
  });

  it('suggests --rescale only when rescaling can help', async () => {
    const helps = await ingest('model,q1,q2\nm1,5,0\nm2,0,10\n');
    expect(helps.err).toMatch(/pass --rescale/);
    const allEqual = await ingest('model,q1,q2\nm1,5,5\nm2,5,5\n');
    expect(allEqual.code).toBe(1);
    expect(allEqual.err).not.toMatch(/--rescale/);
    const tooWide = await ingest('model,q1,q2\nm1,1e308,-1e308\nm2,0,1\n');
    expect(tooWide.err).not.toMatch(/--rescale/);
    const refused = await ingest('model,q1,q2\nm1,1e308,-1e308\nm2,0,1\n', ['--rescale']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/cannot rescale: the observed range .* is too wide/);
  });

  it('a finite range is rescaled exactly, every real score kept', async () => {
    const r = await ingest('model,q1,q2\nm1,5,0\nm2,0,10\n', ['--rescale']);
    expect(r.code).toBe(0);
    const { dataset } = await new ArtifactStore(r.data).loadDataset('b');
    expect(Array.from(dataset.scores)).toEqual([0.5, 0, 0, 1]);
  });
});
