import { describe, expect, it } from 'vitest';
import { computeTags, autoCategoryFields, binomialUpperTail } from '../../pipeline/explain/tags.ts';
import { DEFAULT_OPTIONS, resolveOptions } from '../../pipeline/explain/options.ts';
import { datasetFromRows } from './helpers.ts';

const th = DEFAULT_OPTIONS;
const ids = (d: ReturnType<typeof datasetFromRows>, mem: Uint8Array) => d.items.filter((_, i) => mem[i]).map((it) => it.id);
const tag = (ts: ReturnType<typeof computeTags>, id: string) => {
  const t = ts.tags.findIndex((x) => x.id === id);
  if (t < 0) throw new Error(`no tag ${id}: ${ts.tags.map((x) => x.id).join(', ')}`);
  return { summary: ts.tags[t], mem: ts.membership[t] };
};

describe('failure tags on hand-made matrices', () => {
  // 5 models × 6 prompts. q0 all fail, q1 all succeed, q2 1/5 correct, q3 2/5, q4 missing cells (2 of 3 observed fail... all observed fail), q5 4/5
  const rows = [
    [0, 1, 1, 1, NaN, 1],
    [0, 1, 0, 1, 0, 1],
    [0, 1, 0, 0, NaN, 1],
    [0, 1, 0, 0, 0, 1],
    [0, 1, 0, 0, 0, 0],
  ];
  const d = datasetFromRows(rows);
  const ts = computeTags(d, th);

  it('all-fail and all-succeed count only observed models (missing is not wrong)', () => {
    expect(ids(d, tag(ts, 'all-fail').mem)).toEqual(['q0', 'q4']);
    expect(ids(d, tag(ts, 'all-succeed').mem)).toEqual(['q1']);
  });

  it('hard: share correct strictly below the threshold', () => {
    // default 0.2: q0 (0), q4 (0); q2 is exactly 0.2 → not hard
    expect(ids(d, tag(ts, 'hard').mem)).toEqual(['q0', 'q4']);
    const ts2 = computeTags(d, { ...th, hardThreshold: 0.5 });
    expect(ids(d, tag(ts2, 'hard').mem)).toEqual(['q0', 'q2', 'q3', 'q4']);
  });

  it('per tag: count, share and mean accuracy', () => {
    const s = tag(ts, 'hard').summary;
    expect(s.count).toBe(2);
    expect(s.share).toBeCloseTo(2 / 6);
    expect(s.meanAccuracy).toBe(0);
    const s2 = tag(computeTags(d, { ...th, hardThreshold: 0.5 }), 'hard').summary;
    expect(s2.meanAccuracy).toBeCloseTo((0 + 0.2 + 0.4 + 0) / 4);
  });

  it('without an answer matrix, answer-based tags are absent and say why', () => {
    expect(ts.tags.some((t) => t.kind === 'format-failure' || t.kind === 'shared-wrong-answer')).toBe(false);
    expect(ts.notes.join(' ')).toMatch(/no answer matrix/);
  });

  it('graded scores use the correct threshold', () => {
    const g = datasetFromRows([[0.9, 0.1], [0.6, 0.4], [0.5, 0.2]]);
    const t = computeTags(g, th);
    expect(ids(g, tag(t, 'all-succeed').mem)).toEqual(['q0']);
    expect(ids(g, tag(t, 'all-fail').mem)).toEqual(['q1']);
    const t2 = computeTags(g, { ...th, correctThreshold: 0.7 });
    expect(ids(g, tag(t2, 'all-succeed').mem)).toEqual([]);
  });
});

describe('answer-based tags', () => {
  const noChance = { ...th, distractorAlpha: 1 };
  // 6 models × 4 prompts; answers: null = no extracted answer, undefined = missing cell
  const rows = [
    [0, 0, 0, 1],
    [0, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 1, 0, 0],
    [1, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  const answers = [
    ['B', null, 'B', 'A'],
    ['B', null, 'C', 'B'],
    ['B', 'C', 'A', 'C'],
    [null, 'A', 'D', 'D'],
    ['A', 'B', 'E', 'E'],
    ['C', 'D', 'F', 'B'],
  ];
  const d = datasetFromRows(rows, { answers });
  const ts = computeTags(d, noChance);

  it('format failure: share with no extracted answer above the threshold', () => {
    // q0: 1/6 none; q1: 2/6 = 0.33 > 0.25
    expect(ids(d, tag(ts, 'format-failure').mem)).toEqual(['q1']);
    expect(ids(d, tag(computeTags(d, { ...th, formatThreshold: 0.1 }), 'format-failure').mem)).toEqual(['q0', 'q1']);
  });

  it('format failure ignores missing cells in the denominator', () => {
    const d2 = datasetFromRows([[0, 1], [0, 1], [NaN, 1]], { answers: [[null, 'A'], ['B', 'A'], [undefined, 'C']] });
    // q0: 1 of 2 answered cells has no answer = 0.5 > 0.25
    expect(ids(d2, tag(computeTags(d2, th), 'format-failure').mem)).toEqual(['q0']);
  });

  it('shared wrong answer: most common wrong answer among failing models with an answer', () => {
    // q0: failing with answers: B,B,B,C (4; model 3 has none) → B 3/4 = 0.75 ≥ 0.5 → tagged
    // q1: failing with answers: C,B,D (3) (+2 none) → max 1/3 → not
    // q2: failing: B,C,D,E,F (5) → 1/5 → not
    // q3: failing: B,C,D,E,B (5) → B 2/5 = 0.4 → not at 0.5, tagged at 0.4
    expect(ids(d, tag(ts, 'shared-wrong-answer').mem)).toEqual(['q0']);
    expect(ids(d, tag(computeTags(d, { ...noChance, distractorThreshold: 0.4 }), 'shared-wrong-answer').mem)).toEqual(['q0', 'q3']);
  });

  it('shared wrong answer needs a minimum number of failing models', () => {
    expect(ids(d, tag(computeTags(d, { ...noChance, distractorMinFailing: 5 }), 'shared-wrong-answer').mem)).toEqual([]);
  });

  it('shared wrong answer must beat chance over the wrong answers seen (K × binomial tail ≤ alpha)', () => {
    // 20 failing models. Prompt a: 3 wrong answers seen, top 9 of 20 (45% ≥ 0.4 but chance-like);
    // prompt b: top 16 of 20 (80%); prompt c: every failing model gives the same wrong answer.
    const m = 21;
    const rows2 = Array.from({ length: m }, (_, k) => [k === 0 ? 1 : 0, k === 0 ? 1 : 0, k === 0 ? 1 : 0]);
    const ans = Array.from({ length: m }, (_, k) => {
      if (k === 0) return ['R', 'R', 'R'];
      const a = k <= 9 ? 'X' : k <= 15 ? 'Y' : 'Z';
      const b = k <= 16 ? 'X' : k <= 18 ? 'Y' : 'Z';
      return [a, b, 'X'];
    });
    const d2 = datasetFromRows(rows2, { answers: ans });
    const t = computeTags(d2, { ...th, distractorThreshold: 0.4 });
    // c is tagged (one wrong answer from 20 failing models is far beyond chance for K ≥ 2) but
    // flagged in a note as a possible two-choice item.
    expect(ids(d2, tag(t, 'shared-wrong-answer').mem)).toEqual(['q1', 'q2']);
    expect(t.notes.join(' ')).toMatch(/1 prompt\(s\) tagged shared-wrong-answer had one single wrong answer/);
    // without the chance check the chance-like prompt a is tagged too
    expect(ids(d2, tag(computeTags(d2, { ...th, distractorThreshold: 0.4, distractorAlpha: 1 }), 'shared-wrong-answer').mem)).toEqual(['q0', 'q1', 'q2']);
  });

  it('binomial upper tail matches hand values', () => {
    expect(binomialUpperTail(4, 3, 0.5)).toBeCloseTo(5 / 16, 12);
    expect(binomialUpperTail(10, 0, 0.3)).toBe(1);
    expect(binomialUpperTail(10, 11, 0.3)).toBe(0);
    expect(binomialUpperTail(20, 16, 1 / 3)).toBeCloseTo(2.5077833884688e-5, 15);
  });

  it('a binary answer vocabulary makes the rule meaningless: not computed, with a note', () => {
    const d2 = datasetFromRows([[0, 1], [0, 0], [0, 1]], { answers: [['x', 'y'], ['x', 'x'], ['x', 'y']] });
    const t = computeTags(d2, th);
    expect(t.tags.some((x) => x.kind === 'shared-wrong-answer')).toBe(false);
    expect(t.notes.join(' ')).toMatch(/vocabulary has only 2/);
  });
});

describe('metadata categories, length bins, dataset tags', () => {
  const n = 8;
  const rows = [Array.from({ length: n }, (_, i) => i % 2), Array.from({ length: n }, (_, i) => (i + 1) % 2)];
  const items = Array.from({ length: n }, (_, i) => ({
    text: 'x'.repeat(10 * (i + 1)),
    metadata: { subject: i < 4 ? 'law' : 'math', answer: 'ABCDEFGH'[i], uid: `u${i}`, flag: i === 0 },
    tags: i === 2 ? ['tricky'] : [],
  }));
  const d = datasetFromRows(rows, { items });
  const ts = computeTags(d, th);

  it('picks categorical fields automatically, never answer or id-like ones, nor a flag one value dominates', () => {
    const big = datasetFromRows([Array(200).fill(0), Array(200).fill(1)], { items: Array.from({ length: 200 }, (_, i) => ({ metadata: { rare: i === 0, half: i % 2 === 0 } })) });
    expect(autoCategoryFields(big, 30)).toEqual(['half']);
    expect(autoCategoryFields(d, 30)).toEqual(['subject']);
    expect(ids(d, tag(ts, 'category:subject=law').mem)).toEqual(['q0', 'q1', 'q2', 'q3']);
    expect(ts.groups.find((g) => g.id === 'category:subject')!.values).toEqual(['law', 'math']);
  });

  it('explicit category fields override the automatic choice', () => {
    const t = computeTags(d, { ...th, categoryFields: ['answer'] });
    expect(t.tags.filter((x) => x.kind === 'category')).toHaveLength(8);
  });

  it('length bins are quantiles of prompt length', () => {
    expect(ts.lengthCuts).toEqual([20, 40, 60, 80]);
    expect(ids(d, tag(ts, 'length:1').mem)).toEqual(['q0', 'q1']);
    expect(ids(d, tag(ts, 'length:4').mem)).toEqual(['q6', 'q7']);
  });

  it('item tags from the dataset and user tags from a file are both used; unknown ids ignored here', () => {
    const t = computeTags(d, th, { byId: new Map([['q5', ['tricky', 'units']], ['nope', ['x']]]), source: 'f' });
    expect(ids(d, tag(t, 'user:tricky').mem)).toEqual(['q2', 'q5']);
    expect(ids(d, tag(t, 'user:units').mem)).toEqual(['q5']);
    expect(t.tags.some((x) => x.id === 'user:x')).toBe(false);
  });
});

describe('options', () => {
  it('rejects out-of-range thresholds with the flag named', () => {
    expect(() => resolveOptions({ hardThreshold: 1.5 })).toThrow(/must be in \[0, 1\]/);
    try {
      resolveOptions({ permutations: -1 });
    } catch (e) {
      expect((e as { toLine(): string }).toLine()).toMatch(/--permutations/);
    }
  });
});
