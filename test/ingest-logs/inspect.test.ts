import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { strToU8, zipSync } from 'fflate';
import { inspectFormat } from '../../pipeline/ingest/formats/inspect.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { HAS_SHARED, LOCAL, SHARED, filesUnder, itemIds, models, scoreOf } from './helpers.ts';

const INS = join(SHARED, 'inspect');

describe.skipIf(!HAS_SHARED)('Inspect on the shared fixtures', () => {
  const files = () => filesUnder(INS);

  it('errors listing the tasks when logs of several tasks are mixed', async () => {
    expect(await inspectFormat.detect(files())).toBe(true);
    const err = await inspectFormat.read(files(), {}).catch((e) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect(err.message).toContain('inspect_evals/arc_easy, inspect_evals/mmlu_0_shot, inspect_evals/pubmedqa, popularity');
  });

  it('reads popularity from .eval archives and .json logs; the same run given twice is read once', async () => {
    const p = await inspectFormat.read(files(), { task: 'popularity' });
    expect(models(p)).toEqual(['ollama/gemma3', 'ollama/llama3.1', 'openai/gpt-4o-mini']);
    expect(itemIds(p)).toHaveLength(10);
    expect(p.notes.join('\n')).toMatch(/log_formats\.json is the same log as log_formats\.eval/);
    // gpt-4o-mini .eval (accuracy 0.8): samples 3 and 7 incorrect
    const evalFile = (r: { where?: { file: string } }) => r.where!.file.endsWith('.eval');
    const mini = p.records.filter((r) => r.model === 'openai/gpt-4o-mini' && evalFile(r));
    expect(mini).toHaveLength(10);
    expect(mini.filter((r) => r.score === 0).map((r) => r.item).sort()).toEqual(['3', '7']);
    // a later but cancelled gpt-4o-mini run is set aside: the complete run wins (--runs all keeps both for merge)
    expect(p.records.filter((r) => r.model === 'openai/gpt-4o-mini' && !evalFile(r))).toHaveLength(0);
    expect(p.notes.join('\n')).toMatch(/openai\/gpt-4o-mini on popularity: 2 runs; kept the most recent complete one, \S+\.eval .*set aside 2025-05-12T20-28-13-04-00_popularity\.json/);
    const all = await inspectFormat.read(files(), { task: 'popularity', runs: 'all' });
    expect(all.records.filter((r) => r.model === 'openai/gpt-4o-mini' && !evalFile(r))).toHaveLength(3);
    expect(all.notes.join('\n')).toMatch(/status "cancelled"/);
    expect(scoreOf(p, 'ollama/llama3.1', '1')).toBe(0);
    expect(scoreOf(p, 'ollama/gemma3', '1')).toBe(1);
    expect(p.items.find((i) => i.id === '4')!.text).toContain('I love human flesh');
    expect(p.items.find((i) => i.id === '4')!.metadata.label_confidence).toBeCloseTo(0.9234099863287768, 15);
    expect(p.sources.some((s) => s.role === 'inspect-eval')).toBe(true);
  });

  it('reads arc_easy for 2 models with partly overlapping ids; choices are part of the text', async () => {
    const p = await inspectFormat.read(files(), { task: 'arc_easy' });
    expect(models(p)).toEqual(['anthropic/claude-sonnet-4-0', 'ollama/qwen2.5:0.5b']);
    expect(itemIds(p)).toEqual(['1', '2', '3', '4', '5']);
    expect([1, 2, 3].map((i) => scoreOf(p, 'ollama/qwen2.5:0.5b', String(i)))).toEqual([1, 0, 0]);
    expect(p.records.filter((r) => r.model === 'anthropic/claude-sonnet-4-0').every((r) => r.score === 1)).toBe(true);
    expect(p.records.find((r) => r.model === 'ollama/qwen2.5:0.5b' && r.item === '2')!.answer).toBe('D');
    expect(p.items.find((i) => i.id === '2')!.text).toBe(
      'Which piece of safety equipment is used to keep mold spores from entering the respiratory system?\n\nA. safety goggles\nB. breathing mask\nC. rubber gloves\nD. lead apron',
    );
  });

  it('keeps string sample ids and metadata', async () => {
    const p = await inspectFormat.read(files(), { task: 'pubmedqa' });
    expect(itemIds(p)).toEqual(['12377809', '26163474']);
    const m = await inspectFormat.read(files(), { task: 'inspect_evals/mmlu_0_shot' });
    expect(m.items[0].metadata.subject).toBe('college_physics');
    expect(scoreOf(m, 'openai/gpt-4o', '1')).toBe(0);
  });

  it('errors on an unknown --scorer, listing the available ones', async () => {
    const err = await inspectFormat.read(files(), { task: 'pubmedqa', scorer: 'match' }).catch((e) => e);
    expect(err.toLine()).toMatch(/--scorer match: no such scorer.*available: choice/);
  });
});

describe('Inspect edge cases (hand-made)', () => {
  const json = join(LOCAL, 'inspect/epochs.json');

  it('maps C/I/P/N to 1/0/0.5/0 and reduces epochs by the mean (or the first)', async () => {
    const p = await inspectFormat.read([json], {});
    expect(scoreOf(p, 'openai/test-model', 'q-1')).toBe(0.5); // C, I
    expect(scoreOf(p, 'openai/test-model', 'q-2')).toBe(0.5); // P, P
    expect(scoreOf(p, 'openai/test-model', '7')).toBe(0.5); // N, C (numeric id → "7")
    const f = await inspectFormat.read([json], { epochs: 'first' });
    expect([scoreOf(f, 'openai/test-model', 'q-1'), scoreOf(f, 'openai/test-model', '7')]).toEqual([1, 0]);
  });

  it('reads dict values per key, and errors when a dict scorer is chosen without a key', async () => {
    const p = await inspectFormat.read([json], { scorer: 'judge.f1' });
    expect(scoreOf(p, 'openai/test-model', 'q-1')).toBe(0.375);
    expect(p.metric!.available).toEqual(['match', 'judge', 'judge.acc', 'judge.f1']);
    const err = await inspectFormat.read([json], { scorer: 'judge' }).catch((e) => e);
    expect(err.toLine()).toMatch(/scorer judge gives a dict.*--scorer judge\.acc \| judge\.f1/);
  });

  it('renders chat-message input and keeps nested metadata as JSON', async () => {
    const p = await inspectFormat.read([json], {});
    const it7 = p.items.find((i) => i.id === '7')!;
    expect(it7.text).toBe('system: Be brief.\n\nuser: Question 7?\n\nA. yes\nB. no');
    expect(it7.metadata).toMatchObject({ category: 'cat7', nested: '{"k":1}', task: 'my_task' });
  });

  it('reads a .eval zip in memory (header.json + samples/*.json)', async () => {
    const log = JSON.parse(readFileSync(json, 'utf8'));
    const entries: Record<string, Uint8Array> = {};
    const { samples, ...header } = log;
    entries['header.json'] = strToU8(JSON.stringify(header));
    for (const s of samples) entries[`samples/${s.id}_epoch_${s.epoch}.json`] = strToU8(JSON.stringify(s));
    const dir = mkdtempSync(join(tmpdir(), 'covary-inspect-'));
    const file = join(dir, 'run.eval');
    writeFileSync(file, zipSync(entries));
    expect(await inspectFormat.detect([file])).toBe(true);
    const p = await inspectFormat.read([file], {});
    expect(scoreOf(p, 'openai/test-model', 'q-1')).toBe(0.5);
    // the same run as the .json: read once
    const both = await inspectFormat.read([file, json], {});
    expect(both.records).toHaveLength(3);
    writeFileSync(join(dir, 'broken.eval'), 'PK not a zip');
    const err = await inspectFormat.read([join(dir, 'broken.eval')], {}).catch((e) => e);
    expect(err.toLine()).toMatch(/broken\.eval: not a readable \.eval archive/);
  });

  it('names the file and field of a value that is not C/I/P/N, a number or a boolean', async () => {
    const err = await inspectFormat.read([join(LOCAL, 'inspect-bad/bad-value.json')], {}).catch((e) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect(err.toLine()).toMatch(/bad-value\.json, field "scores\.match": score value "maybe"/);
  });
});
