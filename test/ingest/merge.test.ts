import { describe, expect, it } from 'vitest';
import { mergeParts } from '../../pipeline/ingest/merge.ts';
import type { IngestParts, ScoreRecord, ItemRecord } from '../../pipeline/ingest/types.ts';
import { ANSWER_MISSING, ANSWER_NONE } from '../../pipeline/core/dataset.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';

function parts(records: ScoreRecord[], extra: Partial<IngestParts> = {}): IngestParts {
  return { format: 'long', records, items: [], sources: [{ path: 'in.jsonl', sha256: 'x', bytes: 1, role: 'scores' }], notes: [], ...extra };
}
const rec = (model: string, item: string, score: number, line = 1, answer?: string | null): ScoreRecord =>
  answer === undefined ? { model, item, score, where: { file: 'in.jsonl', line } } : { model, item, score, answer, where: { file: 'in.jsonl', line } };

function errLine(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CovaryError);
    return (e as CovaryError).toLine();
  }
  throw new Error('expected an error');
}

const grid = [rec('a', 'x', 1, 1), rec('a', 'y', 0, 2), rec('b', 'y', 1, 3), rec('b', 'x', 0, 4), rec('c', 'z', 0.5, 5)];

describe('mergeParts', () => {
  it('builds the matrix in first-seen order with NaN for missing, never 0', () => {
    const { dataset, coverage } = mergeParts(parts(grid), { name: 't' });
    expect(dataset.models).toEqual(['a', 'b', 'c']);
    expect(dataset.items.map((i) => i.id)).toEqual(['x', 'y', 'z']);
    expect(Array.from(dataset.scores)).toEqual([1, 0, NaN, 0, 1, NaN, NaN, NaN, 0.5]);
    expect(coverage.missingCells).toBe(4);
    expect(coverage.itemsPerModel).toEqual([
      { model: 'a', items: 2 },
      { model: 'b', items: 2 },
      { model: 'c', items: 1 },
    ]);
    expect(coverage.modelsMissingItems).toEqual([
      { model: 'a', missing: 1 },
      { model: 'b', missing: 1 },
      { model: 'c', missing: 2 },
    ]);
    expect(coverage.binary).toBe(false);
    expect(dataset.answers).toBeNull();
    expect(dataset.items[0].text).toBeNull();
  });
  it('declared order wins; declared rows/columns without scores are dropped and reported', () => {
    const r = mergeParts(parts(grid, { modelOrder: ['c', 'ghost', 'a', 'b'], itemOrder: ['z', 'y', 'x', 'empty'] }), { name: 't' });
    expect(r.dataset.models).toEqual(['c', 'a', 'b']);
    expect(r.dataset.items.map((i) => i.id)).toEqual(['z', 'y', 'x']);
    expect(r.dropped).toEqual([
      { what: 'model', id: 'ghost', reason: 'no scores (every cell empty)' },
      { what: 'item', id: 'empty', reason: 'no scores (every cell empty)' },
    ]);
  });
  it('a duplicate (model, item) is an error naming both locations unless --on-duplicate', () => {
    const dup = [...grid, rec('a', 'x', 0, 9)];
    expect(errLine(() => mergeParts(parts(dup), { name: 't' }))).toBe(
      'in.jsonl:9: model "a" has more than one result for item "x" (in.jsonl:1 and in.jsonl:9) (use --on-duplicate mean|first|last to combine repeated results)',
    );
    const cell = (policy: 'mean' | 'first' | 'last') => mergeParts(parts([...dup, rec('a', 'x', 1, 10)]), { name: 't', onDuplicate: policy }).dataset.scores[0];
    expect(cell('first')).toBe(1);
    expect(cell('last')).toBe(1);
    expect(cell('mean')).toBeCloseTo(2 / 3, 12);
    expect(mergeParts(parts(dup), { name: 't', onDuplicate: 'last' }).dataset.scores[0]).toBe(0);
    const r = mergeParts(parts(dup), { name: 't', onDuplicate: 'mean' });
    expect(r.coverage.duplicates).toEqual({ count: 1, policy: 'mean' });
  });
  it('duplicate model rows in a wide file say so', () => {
    const w = parts([rec('a', 'x', 1, 2), rec('a', 'y', 1, 2), rec('b', 'x', 1, 3), rec('b', 'y', 1, 3), rec('a', 'x', 0, 4)], { format: 'wide' });
    expect(errLine(() => mergeParts(w, { name: 't' }))).toMatch(/^in\.jsonl:4: model "a" has two rows \(lines 2 and 4\)/);
  });
  it('scores outside [0, 1] are an error unless --rescale (min-max over observed, recorded)', () => {
    const out = [rec('a', 'x', 10, 1), rec('a', 'y', 0, 2), rec('b', 'x', 5, 3), rec('b', 'y', 2, 4)];
    expect(errLine(() => mergeParts(parts(out), { name: 't' }))).toMatch(/^in\.jsonl:1: score 10 \(model "a", item "x"\) is outside \[0, 1\]; observed range 0 to 10 \(.*--rescale/);
    const r = mergeParts(parts(out), { name: 't', rescale: true });
    expect(Array.from(r.dataset.scores)).toEqual([1, 0, 0.5, 0.2]);
    expect(r.coverage.rescaled).toEqual({ min: 0, max: 10 });
    const inRange = mergeParts(parts(grid), { name: 't', rescale: true });
    expect(inRange.coverage.rescaled).toBeNull();
    expect(inRange.notes.join(' ')).toMatch(/not applied/);
  });
  it('fewer than 2 models or 2 items is an error', () => {
    expect(errLine(() => mergeParts(parts([rec('a', 'x', 1), rec('a', 'y', 0)]), { name: 't' }))).toMatch(/the scores hold 1 model × 2 items: at least 2 models and 2 items are needed/);
    expect(errLine(() => mergeParts(parts([rec('a', 'x', 1), rec('b', 'x', 0)]), { name: 't' }))).toMatch(/2 models × 1 item: at least/);
    expect(errLine(() => mergeParts(parts([]), { name: 't' }))).toMatch(/hold no scores/);
  });
  it('answers: sorted vocabulary, NONE and missing codes', () => {
    const r = mergeParts(parts([rec('a', 'x', 1, 1, 'B'), rec('a', 'y', 0, 2, null), rec('b', 'x', 0, 3, 'A'), rec('b', 'y', 1, 4)]), { name: 't' });
    expect(r.dataset.answers!.vocab).toEqual(['A', 'B']);
    expect(Array.from(r.dataset.answers!.codes)).toEqual([1, ANSWER_NONE, 0, ANSWER_MISSING]);
    expect(r.coverage.answers).toEqual({ cells: 3, noAnswer: 1, vocabulary: 2 });
  });
  it('items file: authoritative text + metadata, text without scores dropped, items without text reported', () => {
    const items: ItemRecord[] = [
      { id: 'x', text: 'X?', metadata: { category: 'c1' }, where: { file: 'items.jsonl', line: 1 } },
      { id: 'y', text: null, metadata: {}, where: { file: 'items.jsonl', line: 2 } },
      { id: 'w', text: 'orphan', metadata: {}, where: { file: 'items.jsonl', line: 3 } },
    ];
    const r = mergeParts(parts(grid), { name: 't', itemsFile: { path: 'items.jsonl', items } });
    expect(r.dataset.items.map((i) => [i.id, i.text, i.metadata])).toEqual([
      ['x', 'X?', { category: 'c1' }],
      ['y', null, {}],
      ['z', null, {}],
    ]);
    expect(r.coverage.itemsWithText).toBe(1);
    expect(r.coverage.itemsWithoutText).toEqual({ count: 2, examples: ['y', 'z'] });
    expect(r.coverage.textWithoutScores).toEqual({ count: 1, examples: ['w'] });
    expect(r.dropped).toEqual([{ what: 'item', id: 'w', reason: 'has text but no model has a score for it' }]);
  });
  it('an items file sharing no id with the scores is an error', () => {
    const items: ItemRecord[] = [{ id: 'other-1', text: 't', metadata: {} }];
    expect(errLine(() => mergeParts(parts(grid), { name: 't', itemsFile: { path: 'items.jsonl', items } }))).toMatch(
      /^items\.jsonl: the items file shares no item id with the scores \(items: "other-1"…; scores: "x", "y", "z"…\) \(is it the items file of another benchmark/,
    );
  });
  it('conflicting prompt texts across logs: the most common is kept and reported', () => {
    const items: ItemRecord[] = [
      { id: 'x', text: 'v1', metadata: { s: 1 } },
      { id: 'x', text: 'v2', metadata: {} },
      { id: 'x', text: 'v2', metadata: {} },
      { id: 'y', text: 'only', metadata: {} },
    ];
    const r = mergeParts(parts(grid, { items }), { name: 't' });
    expect(r.dataset.items[0]).toMatchObject({ id: 'x', text: 'v2', metadata: { s: 1 } });
    expect(r.coverage.textConflicts).toEqual({ count: 1, examples: [{ id: 'x', variants: 2, keptCount: 2, total: 3 }] });
    expect(r.notes.join(' ')).toMatch(/1 item\(s\) had differing prompt texts/);
  });
});
