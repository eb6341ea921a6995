import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { silentReporter } from '../../pipeline/core/progress.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import type { StageContext } from '../../pipeline/core/stage.ts';
import { runIngest } from '../../pipeline/ingest/index.ts';
import { estimateIngestMemory } from '../../pipeline/ingest/memory.ts';

async function matrixFiles(m: number, n: number) {
  const dir = await mkdtemp(join(tmpdir(), 'covary-ingest-mem-'));
  const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
  const rows = [`model,${ids.join(',')}`];
  const lines: string[] = [];
  for (let k = 0; k < m; k++) {
    const cells = ids.map((_, i) => ((k * 7 + i * 3) % 5 === 0 ? '' : String((k + i) % 2)));
    rows.push(`model-${k},${cells.join(',')}`);
    ids.forEach((id, i) => cells[i] !== '' && lines.push(JSON.stringify({ model: `model-${k}`, item: id, score: Number(cells[i]) })));
  }
  await writeFile(join(dir, 'scores.csv'), rows.join('\n') + '\n');
  await writeFile(join(dir, 'scores.jsonl'), lines.join('\n') + '\n');
  return { dir, csv: join(dir, 'scores.csv'), jsonl: join(dir, 'scores.jsonl'), observed: lines.length };
}

describe('ingest memory guard', () => {
  it('estimates cells from the file size and first lines: wide within 5%, long records within 5%', async () => {
    const f = await matrixFiles(300, 80);
    const wide = (await estimateIngestMemory('wide', [f.csv]))!;
    const cells = Number(/about ([\d,]+) cells/.exec(wide.size)![1].replace(/,/g, ''));
    expect(Math.abs(cells - 300 * 80) / (300 * 80)).toBeLessThan(0.05);
    const long = (await estimateIngestMemory('long', [f.jsonl]))!;
    const records = Number(/about ([\d,]+) cells/.exec(long.size)![1].replace(/,/g, ''));
    expect(Math.abs(records - f.observed) / f.observed).toBeLessThan(0.05);
    // Long records cost more per cell than a wide CSV (model, item and line per record in the log).
    expect(long.bytes).toBeGreaterThan(wide.bytes);
    expect(await estimateIngestMemory('lm-eval', [f.csv])).toBeNull();
  });

  it('stops before reading when the estimate exceeds the budget, and ingests under a normal one', async () => {
    const f = await matrixFiles(50, 40);
    const dataDir = await mkdtemp(join(tmpdir(), 'covary-ingest-mem-data-'));
    const ctx = (memoryBudget?: number): StageContext => ({ store: new ArtifactStore(dataDir), reportsDir: '/tmp', seed: 1, reporter: silentReporter, force: false, commandLine: 'test', memoryBudget });
    const err = await runIngest(ctx(50 * 2 ** 20), { name: 'tiny', scores: f.csv }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect((err as CovaryError).toLine()).toMatch(/^ingest: .*wide CSV \(about [\d,]+ cells\) needs about \d+ MiB of memory, more than the 50 MiB available \(split the scores/);
    const errLong = await runIngest(ctx(50 * 2 ** 20), { name: 'tiny', paths: [f.jsonl] }).catch((e: unknown) => e);
    expect((errLong as CovaryError).toLine()).toContain('convert the long records to a wide CSV');
    expect(await readdir(dataDir)).toEqual([]);
    expect((await runIngest(ctx(), { name: 'tiny', scores: f.csv })).status).toBe('computed');
  });
});
