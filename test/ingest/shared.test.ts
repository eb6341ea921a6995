/**
 * The six real datasets of ../shared/data ingest exactly: counts from the shared README, each
 * re-derived here from the raw files (rows, header columns, empty cells, NONE markers) and
 * spot-checked cell by cell. Skipped with a message when the folder is absent.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDatasets } from '../../scripts/shared-datasets.ts';
import { ANSWER_MISSING, ANSWER_NONE, answerAt, countMissing } from '../../pipeline/core/dataset.ts';
import { cli, context, scratch, SHARED } from './helpers.ts';

const present = existsSync(SHARED);
if (!present) console.warn(`skipping the shared-data ingest tests: ${SHARED} is absent`);

/** The raw matrix, split naively (these files hold no quoted fields; checked below). */
function rawMatrix(path: string): { header: string[]; rows: string[][] } {
  const text = readFileSync(path, 'utf8');
  expect(text.includes('"')).toBe(false);
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

function argValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

describe.skipIf(!present)('shared datasets ingest exactly', async () => {
  const s = await scratch();
  for (const d of sharedDatasets(SHARED)) {
    it(`${d.name}: ${d.expected.models} × ${d.expected.items}`, async () => {
      const r = await cli(['ingest', '--data-dir', s.dataDir, '--quiet', ...d.args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const { dataset, manifest } = await context(s.dataDir).store.loadDataset(d.name);
      const e = d.expected;
      // Against the README's counts.
      expect(dataset.models).toHaveLength(e.models);
      expect(dataset.items).toHaveLength(e.items);
      expect(countMissing(dataset.scores)).toBe(e.missingCells);
      expect(manifest.counts.itemsWithText).toBe(e.items);
      const missingBy: Record<string, number> = {};
      for (const x of (manifest.coverage as { modelsMissingItems: { model: string; missing: number }[] }).modelsMissingItems) missingBy[x.model] = x.missing;
      expect(missingBy).toEqual(e.missingByModel);
      for (const k of e.metadata) expect(dataset.items[0].metadata).toHaveProperty(k);

      // Against the raw files themselves.
      const scores = rawMatrix(argValue(d.args, '--scores')!);
      expect(scores.rows).toHaveLength(e.models);
      expect(scores.header.length - 1).toBe(e.items);
      expect(dataset.models).toEqual(scores.rows.map((row) => row[0]));
      expect(dataset.items.map((i) => i.id)).toEqual(scores.header.slice(1));
      let empty = 0;
      for (const row of scores.rows) for (const c of row.slice(1)) if (c === '') empty++;
      expect(empty).toBe(e.missingCells);
      const n = e.items;
      for (let t = 0; t < 200; t++) {
        const k = (t * 7919) % e.models;
        const i = (t * 104729 + 13) % n;
        const raw = scores.rows[k][i + 1];
        const v = dataset.scores[k * n + i];
        if (raw === '') expect(v).toBeNaN();
        else expect(v).toBe(Number(raw));
      }
      const answersPath = argValue(d.args, '--answers');
      if (answersPath) {
        const preds = rawMatrix(answersPath);
        let none = 0;
        for (const row of preds.rows) for (const c of row.slice(1)) if (c === 'NONE') none++;
        expect(none).toBe(e.noneAnswers);
        let codedNone = 0;
        for (const c of dataset.answers!.codes) if (c === ANSWER_NONE) codedNone++;
        expect(codedNone).toBe(e.noneAnswers);
        for (let t = 0; t < 200; t++) {
          const k = (t * 31) % e.models;
          const i = (t * 7907 + 5) % n;
          const raw = preds.rows[k][i + 1].trim();
          const code = dataset.answers!.codes[k * n + i];
          if (raw === '') expect(code).toBe(ANSWER_MISSING);
          else if (raw === 'NONE') expect(code).toBe(ANSWER_NONE);
          else expect(answerAt(dataset, k, i)).toBe(raw);
        }
      } else {
        expect(dataset.answers).toBeNull();
        expect(e.noneAnswers).toBeNull();
      }
      const itemsPath = argValue(d.args, '--items')!;
      const idField = argValue(d.args, '--id-field')!;
      const firstItem = JSON.parse(readFileSync(itemsPath, 'utf8').split(/\r?\n/)[0]) as Record<string, unknown>;
      const j = dataset.items.findIndex((it) => it.id === String(firstItem[idField]));
      expect(j).toBeGreaterThanOrEqual(0);
      expect(dataset.items[j].text!.startsWith(String(firstItem[argValue(d.args, '--text-field')!.split(',')[0]]))).toBe(true);
    });
  }

  it('MATH ids (integers in the items file) are strings; MMLU-Pro keeps options and category', async () => {
    const store = context(s.dataDir).store;
    if (!store.hasDataset('math-l5') || !store.hasDataset('mmlu-pro')) return; // the per-dataset tests report the failure
    const math = (await store.loadDataset('math-l5')).dataset;
    expect(math.items.slice(0, 3).map((i) => i.id)).toEqual(['0', '1', '2']);
    const mmlu = (await store.loadDataset('mmlu-pro')).dataset;
    const first = mmlu.items[0];
    expect(first.id).toBe('70');
    expect(first.metadata.category).toBe('business');
    expect(first.metadata.src).toBe('ori_mmlu-business_ethics');
    expect(first.text).toMatch(/offence\.\nA\. Safe practices, Fear, Jealousy, Trivial\nB\. /);
    expect(first.text).toMatch(/\nI\. Unsafe practices, Distress, Fear, Serious$/);
    const cats = new Set(mmlu.items.map((i) => i.metadata.category));
    expect(cats.size).toBe(14);
    expect(mmlu.answers!.vocab).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J']);
    const policy = (await store.loadDataset('policy')).dataset;
    // Answers are trimmed: " 12" and "12" are one label.
    expect(policy.answers!.vocab.every((v) => v === v.trim())).toBe(true);
    expect(join('a', 'b')).toBe('a/b');
  });
});
