/**
 * Golden test: a small demo-like benchmark (the demo generator at its smallest size, 12 models ×
 * 120 prompts, prompt text removed so the embedder does not run) through `covary run`; its
 * report.md and report.json must match test/golden/demo-small/ byte for byte (temp folders in the
 * command line replaced by placeholders). After an intended change to the report, regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts
 * and review the diff of test/golden/ before committing it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { generateDemo } from '../../pipeline/demo/index.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { cleanupTempDirs, placeholders, runReport, saveDataset, SMALL_B, tempDir } from './run-helpers.ts';
import { markdownProblems } from './helpers.ts';

const GOLDEN = fileURLToPath(new URL('../golden/demo-small/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

afterAll(cleanupTempDirs);

describe('golden report (small demo, text removed)', () => {
  it('report.md and report.json match test/golden/demo-small byte for byte', async () => {
    const seed = 1;
    const { dataset } = generateDemo({ name: 'demo-small', models: 12, prompts: 120, seed }, createRng(seed).fork('demo'));
    dataset.items = dataset.items.map((it) => ({ ...it, text: null }));
    const dataDir = await tempDir();
    const reportsDir = await tempDir();
    await saveDataset(dataDir, dataset, { format: 'demo' });
    // Null B with 99 replicates, so that its p-value can go below 0.05 (19 cannot).
    const r = await runReport(dataDir, reportsDir, 'demo-small', [], SMALL_B.map((a, i) => (SMALL_B[i - 1] === '--permutations-b' ? '99' : a)));
    expect(r.code, r.err).toBe(0);
    const got = {
      'report.md': placeholders(r.md, { DATA_DIR: dataDir, REPORTS_DIR: reportsDir }),
      'report.json': placeholders(r.json, { DATA_DIR: dataDir, REPORTS_DIR: reportsDir }),
    };
    expect(markdownProblems(got['report.md'])).toEqual([]);
    if (UPDATE || !existsSync(join(GOLDEN, 'report.md'))) {
      if (!UPDATE) throw new Error(`no golden files in ${GOLDEN}: run with UPDATE_GOLDEN=1 to create them`);
      await mkdir(GOLDEN, { recursive: true });
      for (const [f, text] of Object.entries(got)) await writeFile(join(GOLDEN, f), text);
      return;
    }
    for (const [f, text] of Object.entries(got)) {
      const want = await readFile(join(GOLDEN, f), 'utf8');
      expect(text, `${f} differs from test/golden/demo-small/${f} (UPDATE_GOLDEN=1 regenerates it after an intended change)`).toBe(want);
    }
  });
});
