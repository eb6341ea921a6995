/**
 * The irt stage in the report (issue #11 items 6–7): `covary run --with irt` on a small benchmark
 * with planted families writes report.json's irt section, correlation.nullC and verdict.families,
 * the section "How many abilities does this benchmark measure?", its figures, and the methods text.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFile } from 'node:fs/promises';
import type { Report } from '../../pipeline/report/schema.ts';
import { cleanupTempDirs, runReport, saveDataset, SMALL_B, syntheticDataset, tempDir, type RunResult } from './run-helpers.ts';
import { markdownProblems } from './helpers.ts';

vi.setConfig({ testTimeout: 120_000 });

const IRT_FAST = ['--with', 'irt', '--folds', '3'];
let a: RunResult;
let report: Report;

beforeAll(async () => {
  const dataDir = await tempDir();
  const reportsDir = await tempDir();
  await saveDataset(dataDir, syntheticDataset({ name: 'fam', models: 12, prompts: 60, text: (i) => `Question ${i} about ${['algebra', 'geometry', 'logic'][i % 3]} and ${['primes', 'triangles', 'syllogisms'][i % 3]}` }));
  a = await runReport(dataDir, reportsDir, 'fam', IRT_FAST, SMALL_B);
  report = JSON.parse(a.json);
  await writeFile('/tmp/irtr/report.md', a.md);
  await writeFile('/tmp/irtr/report.json', a.json);
});
afterAll(cleanupTempDirs);

describe('report with the irt stage', () => {
  it('runs', () => {
    expect(a.code, a.err).toBe(0);
  });
});
