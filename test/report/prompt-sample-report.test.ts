/** A benchmark above --max-test-cells: the report says the tests ran on a prompt sample (issue #15). */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, runReport, saveDataset, syntheticDataset, tempDir } from './run-helpers.ts';

afterAll(cleanupTempDirs);

describe('tests on a prompt sample, through covary run', () => {
  it('report.json carries correlation.testPrompts and the methods say what was sampled', async () => {
    const dataDir = await tempDir();
    const reportsDir = await tempDir();
    await saveDataset(dataDir, syntheticDataset({ name: 'wide', models: 10, prompts: 600 }));
    const r = await runReport(dataDir, reportsDir, 'wide', ['--max-test-cells', '4000']);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.json);
    const used = report.correlation.promptsUsed;
    expect(report.correlation.testPrompts).toEqual({ sampled: 400, of: used, pairsAmong: (400 * 399) / 2, maxTestCells: 4000 });
    expect(report.correlation.nullC).not.toBeNull();
    // Q3 ran on the same prompt sample: never labelled as every pair.
    expect(report.irt.q3.exact).toBe(false);
    expect(r.md).toContain(`computed on a seeded sample of 400 of the ${used} prompts`);
  }, 120_000);
});
