/**
 * Report text on small and sparse benchmarks: every sentence says the state that holds (text
 * present, a stage skipped with its reason, prompts varying but scored by too few models), and no
 * `undefined`/`NaN` reaches report.md or report.json.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMALL_B, cleanupTempDirs, cli, tempDir } from './run-helpers.ts';
import { buildVerdict } from '../../pipeline/report/verdict.ts';
import { benchmark, explanation } from './sections.ts';

afterAll(cleanupTempDirs);

const TEXTS = ['What is the capital of France?', 'Add two and three.', 'Name a primary colour please.'];

async function runOn(csv: string, items: string[] | null): Promise<{ md: string; json: string }> {
  const dir = await tempDir('covary-small-');
  await writeFile(join(dir, 's.csv'), csv);
  const args = ['run', '--name', 'b', '--scores', join(dir, 's.csv'), '--data-dir', join(dir, 'data'), '--reports-dir', join(dir, 'reports'), '--quiet', ...SMALL_B];
  if (items) {
    await writeFile(join(dir, 'items.jsonl'), items.map((t, i) => JSON.stringify({ id: `q${i + 1}`, text: t })).join('\n') + '\n');
    args.push('--items', join(dir, 'items.jsonl'));
  }
  const r = await cli(args);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return { md: await readFile(join(dir, 'reports', 'b', 'report.md'), 'utf8'), json: await readFile(join(dir, 'reports', 'b', 'report.json'), 'utf8') };
}

function expectNoUndefinedOrNaN(r: { md: string; json: string }) {
  for (const text of [r.md, r.json]) {
    expect(text).not.toMatch(/\bundefined\b/);
    expect(text).not.toMatch(/\bNaN\b/);
  }
}

describe('report text on tiny benchmarks', () => {
  it('3 models × 3 prompts with text: length bins are numbers, the skip reason and the text are stated truly', async () => {
    const r = await runOn('model,q1,q2,q3\nm1,1,0,1\nm2,0,1,1\nm3,1,1,0\n', TEXTS);
    expectNoUndefinedOrNaN(r);
    expect(r.md).toMatch(/length bin 1 \(0–\d+ chars\)/);
    expect(r.md).toMatch(/The correlation analysis was skipped \(only 3 models: similarity needs at least 5 models/);
    expect(r.md).not.toMatch(/correlation analysis has not been run/);
    expect(r.md).not.toMatch(/no prompt text/);
    expect(r.md).toMatch(/Semantic similarity could not be assessed because the pairwise model was not fitted: only 0 eligible prompt/);
  }, 60_000);

  it('3 models × 3 prompts without text: "no prompt text" is said, and nothing undefined', async () => {
    const r = await runOn('model,q1,q2,q3\nm1,1,0,1\nm2,0,1,1\nm3,1,1,0\n', null);
    expectNoUndefinedOrNaN(r);
    expect(r.md).toMatch(/Semantic similarity could not be assessed \(no prompt text\)/);
  }, 60_000);

  it('prompts that vary but are scored by too few models are not called "not varying"', async () => {
    const header = 'model,' + Array.from({ length: 20 }, (_, i) => `q${i + 1}`).join(',');
    const rows = Array.from({ length: 6 }, (_, k) => `m${k},` + Array.from({ length: 20 }, (_, i) => ((k + i) % 6 < 2 ? '' : String((k * 3 + i) % 2))).join(','));
    const r = await runOn([header, ...rows].join('\n') + '\n', null);
    expectNoUndefinedOrNaN(r);
    expect(r.md).toMatch(/only 0 prompts vary across at least 5 scored models, and 20 prompts have fewer than 5 models with a score/);
  }, 60_000);
});

describe('verdict sentences for absent sections follow the recorded stage state', () => {
  const none = { benchmark: benchmark('b'), correlation: null, reweighting: null, explanation: null };
  it('skipped (with its reason), unusable, and not run are three different sentences', () => {
    const v = buildVerdict({
      ...none,
      stages: { correlate: { status: 'skipped', reason: 'only 3 models' }, reweight: { status: 'missing', reason: 'stale: made from other inputs' }, explain: { status: 'missing', reason: 'not run' } },
    });
    expect(v.sentences[0]).toBe('The correlation analysis was skipped (only 3 models), so whether prompts co-vary is not assessed here.');
    expect(v.sentences[1]).toBe("Re-weighting's result cannot be used (stale: made from other inputs), so ranking robustness is not assessed here.");
    expect(v.sentences[2]).toBe('The explanation stage has not been run, so what drives the co-variation is not assessed here.');
  });

  it('no semantic partial R² with text present names the skipped stage, not missing text', () => {
    const e = explanation({ semantic: null });
    const withText = { ...none, benchmark: { ...benchmark('b'), promptsWithText: 3 }, explanation: e, stages: { embed: { status: 'skipped' as const, reason: 'embedder unavailable' } } };
    expect(buildVerdict(withText).sentences.join(' ')).toContain('Semantic similarity could not be assessed (the embed stage: embedder unavailable).');
    const noText = { ...none, benchmark: { ...benchmark('b'), promptsWithText: 0 }, explanation: e };
    expect(buildVerdict(noText).sentences.join(' ')).toContain('Semantic similarity could not be assessed (no prompt text).');
  });
});
