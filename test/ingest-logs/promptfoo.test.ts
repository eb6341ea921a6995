import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { promptfooFormat } from '../../pipeline/ingest/formats/promptfoo.ts';
import { HAS_SHARED, LOCAL, SHARED, filesUnder, itemIds, models, scoreOf } from './helpers.ts';

const PF = join(SHARED, 'promptfoo');

describe.skipIf(!HAS_SHARED)('promptfoo on the shared fixtures', () => {
  it('reads the real export: provider id as model, testIdx as item, score', async () => {
    const files = filesUnder(join(PF, 'promptfoo-repo-sample-export'));
    expect(await promptfooFormat.detect(files)).toBe(true);
    const p = await promptfooFormat.read(files, {});
    expect(models(p)).toEqual(['openai:gpt-5', 'openai:gpt-5-mini']);
    expect(itemIds(p)).toEqual(['0', '1']);
    expect(scoreOf(p, 'openai:gpt-5', '0')).toBe(0.5);
    expect(scoreOf(p, 'openai:gpt-5-mini', '0')).toBe(0.75);
    expect(scoreOf(p, 'openai:gpt-5', '1')).toBeCloseTo(2 / 3, 12);
    expect(p.items.find((i) => i.id === '0')!.text).toMatch(/^Solve this riddle: I speak without a mouth/);
    const s = await promptfooFormat.read(files, { metric: 'success' });
    expect(s.records.every((r) => r.score === 0)).toBe(true);
  });

  it('reads results.json and results.jsonl alike: label as model, metadata.item_id as item', async () => {
    const dir = join(PF, 'generated-promptfoo-0.121.20-offline');
    for (const f of ['results.json', 'results.jsonl']) {
      const files = [join(dir, f)];
      expect(await promptfooFormat.detect(files)).toBe(true);
      const p = await promptfooFormat.read(files, {});
      expect(models(p)).toEqual(['echo-model', 'rule-based-model']);
      expect(itemIds(p)).toEqual(['q1', 'q2', 'q3']);
      expect(['q1', 'q2', 'q3'].map((q) => scoreOf(p, 'rule-based-model', q))).toEqual([1, 0, 1]);
      expect(['q1', 'q2', 'q3'].map((q) => scoreOf(p, 'echo-model', q))).toEqual([0, 0, 0]);
      expect(p.items.find((i) => i.id === 'q2')!.metadata).toMatchObject({ subject: 'arithmetic', item_id: 'q2' });
      expect(p.records.find((r) => r.model === 'rule-based-model' && r.item === 'q2')!.answer).toBe('5');
    }
    const both = await promptfooFormat.read(filesUnder(dir), {});
    expect(both.records).toHaveLength(6);
    expect(both.notes.join('\n')).toMatch(/6 results appeared in more than one file/);
    const byVar = await promptfooFormat.read([join(dir, 'results.json')], { itemField: 'vars.question' });
    expect(itemIds(byVar)).toContain('What is 2+2?');
  });

  it('errors on an unknown --metric and a missing --item-field', async () => {
    const f = [join(PF, 'generated-promptfoo-0.121.20-offline/results.json')];
    const e1 = await promptfooFormat.read(f, { metric: 'accuracy' }).catch((e) => e);
    expect(e1.toLine()).toMatch(/--metric accuracy: .*available: score, success/);
    const e2 = await promptfooFormat.read(f, { itemField: 'vars.nope' }).catch((e) => e);
    expect(e2.toLine()).toMatch(/results\.json, field "vars\.nope": result has no item id/);
  });
});

describe('promptfoo edge cases (hand-made)', () => {
  const files = filesUnder(join(LOCAL, 'promptfoo'));
  it('splits items per prompt template, averages --repeat results, leaves errored results missing', async () => {
    expect(await promptfooFormat.detect(files)).toBe(true);
    const p = await promptfooFormat.read(files, {});
    expect(models(p)).toEqual(['openai:a', 'openai:b']); // openai:c only errored
    expect(itemIds(p)).toEqual(['0#p1', '0#p2', '1#p1', '1#p2']);
    expect(scoreOf(p, 'openai:b', '0#p1')).toBe(0.5);
    expect(scoreOf(p, 'openai:b', '1#p2')).toBe(0);
    expect(p.notes.join('\n')).toMatch(/errored results .*: 1, left missing/);
    expect(p.metric!.available).toEqual(['score', 'success', 'accuracy']);
    const n = await promptfooFormat.read(files, { metric: 'accuracy' });
    expect(scoreOf(n, 'openai:a', '1#p2')).toBe(1);
    expect(p.items.find((i) => i.id === '0#p2')!).toMatchObject({ text: 'Answer briefly: 2+2?', metadata: { template: 2, 'var.q': '2+2?' } });
  });
});
