import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { lmEvalFormat } from '../../pipeline/ingest/formats/lm-eval.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { HAS_SHARED, LOCAL, SHARED, filesUnder, itemIds, models, scoreOf } from './helpers.ts';

const LM = join(SHARED, 'lm-eval');

describe.skipIf(!HAS_SHARED)('lm-eval on the shared fixtures', () => {
  it('reads 0.4 --log_samples of 3 models (4 runs) on the same 10 winogrande docs', async () => {
    const files = filesUnder(join(LM, 'v0.4-log_samples-3models-winogrande'));
    expect(await lmEvalFormat.detect(files)).toBe(true);
    const p = await lmEvalFormat.read(files, {});
    expect(models(p)).toEqual(['LGAI-EXAONE/EXAONE-3.0-7.8B-Instruct', 'gpt-4o', 'upstage/SOLAR-10.7B-Instruct-v1.0']);
    expect(itemIds(p)).toHaveLength(10);
    // SOLAR ran twice (14-36 and 15-04): the most recent run is kept, the other set aside in a note
    expect(p.records).toHaveLength(30);
    expect(p.records.filter((r) => r.model.startsWith('upstage')).every((r) => r.where!.file.includes('15-04-32'))).toBe(true);
    expect(p.notes.join('\n')).toMatch(
      /upstage\/SOLAR-10\.7B-Instruct-v1\.0 on winogrande: 2 runs; kept the most recent, samples_winogrande_2024-12-23T15-04-32\.131238\.jsonl \(2024-12-23T15-04-32\.131238\); set aside samples_winogrande_2024-12-23T14-36-36\.300029\.jsonl/,
    );
    expect(p.metric).toEqual({ chosen: 'exact_match', available: ['exact_match'] });
    expect(p.notes.join('\n')).toContain('filter get-answer');
    // gpt-4o: exact_match 1 on docs 1, 5, 6 (results file: 0.3)
    const gpt = p.records.filter((r) => r.model === 'gpt-4o');
    expect(gpt.filter((r) => r.score === 1).map((r) => r.item).sort()).toEqual(['winogrande/1', 'winogrande/5', 'winogrande/6']);
    expect(scoreOf(p, 'LGAI-EXAONE/EXAONE-3.0-7.8B-Instruct', 'winogrande/3')).toBe(0);
    // --runs all hands both SOLAR runs to merge (which then reports the duplicate); they differ on doc 7 only
    const all = await lmEvalFormat.read(files, { runs: 'all' });
    expect(all.records).toHaveLength(40);
    const solar7 = all.records.filter((r) => r.model.startsWith('upstage') && r.item === 'winogrande/7');
    expect(solar7.map((r) => r.score).sort()).toEqual([0, 1]);
    expect(scoreOf(p, 'upstage/SOLAR-10.7B-Instruct-v1.0', 'winogrande/7')).toBe(solar7.find((r) => r.where!.file.includes('15-04-32'))!.score);
    // "[invalid]" filtered answers are "no answer extracted"
    expect(p.records.find((r) => r.model === 'gpt-4o' && r.item === 'winogrande/0')!.answer).toBeNull();
    expect(p.records.find((r) => r.model === 'gpt-4o' && r.item === 'winogrande/1')!.answer).toBe('1');
    // prompt text: chat-template JSON rendered; no template markup kept
    const item0 = p.items.find((i) => i.id === 'winogrande/0')!;
    expect(item0.text).toMatch(/^Which one of the two options/);
    expect(item0.text).toContain('Sarah was a much better surgeon');
    expect(item0.metadata.task).toBe('winogrande');
    expect(p.notes.join('\n')).not.toContain('doc_hash mismatch');
    // the set-aside samples file is not read (its results file is: it is read before runs are grouped)
    expect(p.sources.map((s) => s.role).sort()).toEqual(['results', 'results', 'results', 'results', 'samples', 'samples', 'samples']);
    expect(p.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads lm-eval 0.4.9 output (trimmed upstream: 10 of 5000 docs) with doc metadata', async () => {
    const p = await lmEvalFormat.read(filesUnder(join(LM, 'v0.4.9-math_perturbed-every_eval_ever')), {});
    expect(models(p)).toEqual(['RylanSchaeffer/mem_Qwen3-93M_minerva_math_rep_0_sbst_1.0000_epch_1_ot_1']);
    expect(itemIds(p)).toHaveLength(10);
    expect(p.records.every((r) => r.score === 0)).toBe(true);
    const it0 = p.items.find((i) => i.id === 'math_perturbed_full/0')!;
    expect(it0.text).toMatch(/^Problem: How many vertical asymptotes/);
    expect(it0.metadata['doc.type']).toBe('Algebra');
    expect(it0.metadata['doc.level']).toBe('Level 3');
  });

  it('reads the older loglikelihood variant (string logprobs, no filter/metrics keys), model from the folder', async () => {
    const p = await lmEvalFormat.read(filesUnder(join(LM, 'v0.4-loglikelihood-metabench-pythia14m')), {});
    expect(models(p)).toEqual(['EleutherAI/pythia-14m']);
    expect(itemIds(p)).toHaveLength(106);
    expect(p.records.reduce((s, r) => s + r.score, 0)).toBe(55);
    expect(scoreOf(p, 'EleutherAI/pythia-14m', 'metabench_winogrande_secondary/0')).toBe(0);
    expect(scoreOf(p, 'EleutherAI/pythia-14m', 'metabench_winogrande_secondary/1')).toBe(1);
    // resps [["-59.0"],["-58.625"]] → the second choice has the higher loglikelihood
    expect(p.records.find((r) => r.item === 'metabench_winogrande_secondary/0')!.answer).toBe('B');
    const t = p.items.find((i) => i.id === 'metabench_winogrande_secondary/0')!.text!;
    expect(t).toContain('___ bought the new Frank Miller comic');
    expect(t).toMatch(/A\. Lindsey\nB\. Natalie$/);
  });

  it('reads v0.3 --write_out arrays with string metrics, model from the folder name', async () => {
    const p = await lmEvalFormat.read(filesUnder(join(LM, 'v0.3-write_out-truthfulqa_gen')), {});
    expect(models(p)).toEqual(['llama', 'mistral']);
    expect(itemIds(p)).toHaveLength(817);
    expect(p.metric!.chosen).toBe('bleurt_acc');
    expect(p.metric!.available).toContain('rougeL_acc');
    const sum = (m: string) => p.records.filter((r) => r.model === m).reduce((s, r) => s + r.score, 0);
    expect(sum('llama')).toBe(297);
    expect(sum('mistral')).toBe(346);
    const q = await lmEvalFormat.read(filesUnder(join(LM, 'v0.3-write_out-truthfulqa_gen')), { metric: 'rougeL_acc' });
    expect(q.records.filter((r) => r.model === 'mistral').reduce((s, r) => s + r.score, 0)).toBe(323);
    expect(p.items.find((i) => i.id === 'truthfulqa_gen/5')!.text).toMatch(/only you and your parents know\?/);
  });

  it('rejects an aggregate-only results file, saying --log_samples is needed', async () => {
    const files = filesUnder(join(LM, 'v0.3-results-aggregate-only'));
    expect(await lmEvalFormat.detect(files)).toBe(true);
    const err = await lmEvalFormat.read(files, {}).catch((e) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect(err.toLine()).toMatch(/llama-7B_common_sense_reasoning_0-shot\.json: .*aggregate.*--log_samples/);
  });

  it('lists the tasks when a folder mixes them, and reads the one chosen with --task', async () => {
    const files = filesUnder(LM);
    const err = await lmEvalFormat.read(files, {}).catch((e) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect(err.message).toContain('math_perturbed_full, metabench_winogrande_secondary, truthfulqa_gen, winogrande');
    const p = await lmEvalFormat.read(files, { task: 'winogrande' });
    expect(itemIds(p)).toHaveLength(10);
    const bad = await lmEvalFormat.read(files, { task: 'nope' }).catch((e) => e);
    expect(bad.toLine()).toMatch(/--task nope.*tasks found: math_perturbed_full/);
  });

  it('errors on an unknown --metric or --filter, listing the available ones', async () => {
    const files = filesUnder(join(LM, 'v0.4-log_samples-3models-winogrande'));
    const m = await lmEvalFormat.read(files, { metric: 'acc' }).catch((e) => e);
    expect(m.toLine()).toMatch(/--metric acc: .*available: exact_match/);
    const f = await lmEvalFormat.read(files, { filter: 'strict-match' }).catch((e) => e);
    expect(f.toLine()).toMatch(/--filter strict-match: .*filters found: get-answer/);
  });
});

describe('lm-eval edge cases (hand-made)', () => {
  const two = filesUnder(join(LOCAL, 'lm-eval/two-filters'));

  it('uses the first filter by default and --filter to choose another', async () => {
    const p = await lmEvalFormat.read(two, {});
    expect(p.notes.join('\n')).toMatch(/filter strict-match \(the first; others: flexible-extract/);
    expect(scoreOf(p, 'org/model-a', 'gsm8k/0')).toBe(1);
    expect(scoreOf(p, 'org/model-b', 'gsm8k/0')).toBe(0);
    const q = await lmEvalFormat.read(two, { filter: 'flexible-extract' });
    expect(scoreOf(q, 'org/model-b', 'gsm8k/0')).toBe(1);
    expect(q.records).toHaveLength(6); // one line per doc per filter: only the chosen filter's lines
  });

  it('takes the model from config.model_args when model_name is absent', async () => {
    const p = await lmEvalFormat.read(two, {});
    expect(models(p)).toEqual(['org/model-a', 'org/model-b']);
    expect(p.notes.join('\n')).toContain('"org/model-b" (from results config.model_args)');
  });

  it('keeps a doc_id with a different doc_hash apart (suffixed id) and reports it', async () => {
    const p = await lmEvalFormat.read(two, {});
    expect(itemIds(p)).toEqual(['gsm8k/0', 'gsm8k/1', 'gsm8k/2', expect.stringMatching(/^gsm8k\/2#[0-9a-f]{8}$/)]);
    expect(p.items).toHaveLength(4);
    expect(p.notes.join('\n')).toMatch(/doc_hash mismatch: gsm8k\/2 .*kept apart as item gsm8k\/2#/);
    const texts = p.items.filter((i) => i.id.startsWith('gsm8k/2')).map((i) => i.text).sort();
    expect(texts).toEqual(['Question: What is 10-3?\nAnswer:', 'Question: What is 9-1?\nAnswer:']);
  });

  it('renders a JSON chat prompt as plain text (chat template on API models)', async () => {
    const p = await lmEvalFormat.read(two, {});
    expect(p.items.find((i) => i.id === 'gsm8k/0')!.text).toBe('Question: What is 2+3?\nAnswer:');
  });

  it('reads early-0.4 list arguments with string logprobs: choices in the text, argmax answer, other metrics', async () => {
    const files = filesUnder(join(LOCAL, 'lm-eval/old-variant'));
    const p = await lmEvalFormat.read(files, {});
    expect(p.metric).toEqual({ chosen: 'acc', available: ['acc', 'acc_norm'] });
    expect(models(p)).toEqual(['EleutherAI/pythia-70m']);
    expect(p.items.find((i) => i.id === 'arc_easy/0')!.text).toBe('The sky is\nA. blue\nB. green');
    expect(p.records.map((r) => r.answer)).toEqual(['A', 'A']);
    const q = await lmEvalFormat.read(files, { metric: 'acc_norm' });
    expect(scoreOf(q, 'EleutherAI/pythia-70m', 'arc_easy/1')).toBe(1);
    expect(scoreOf(p, 'EleutherAI/pythia-70m', 'arc_easy/1')).toBe(0);
  });

  it('gives file:line for a malformed JSONL line', async () => {
    const err = await lmEvalFormat.read(filesUnder(join(LOCAL, 'lm-eval/malformed')), {}).catch((e) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect(err.toLine()).toMatch(/samples_gsm8k_.*\.jsonl:2: malformed JSON/);
  });

  it('explains a metric with no per-item value', async () => {
    const err = await lmEvalFormat.read(filesUnder(join(LOCAL, 'lm-eval/corpus-metric')), {}).catch((e) => e);
    expect(err.toLine()).toMatch(/no per-item metric .*bleu has no per-item value/);
  });

  it('detect() is specific: not a random JSON or JSONL file', async () => {
    expect(await lmEvalFormat.detect(filesUnder(join(LOCAL, 'promptfoo')))).toBe(false);
    expect(await lmEvalFormat.detect(filesUnder(join(LOCAL, 'inspect')))).toBe(false);
    expect(await lmEvalFormat.detect(filesUnder(join(LOCAL, 'helm')))).toBe(false);
  });

  it('reads all subtasks of one group without --task, and one subtask or the group with --task', async () => {
    const files = filesUnder(join(LOCAL, 'lm-eval/group'));
    const p = await lmEvalFormat.read(files, {});
    expect(p.notes.join('\n')).toMatch(/belong to group "mmlu_tiny"/);
    expect(itemIds(p)).toEqual(['mmlu_tiny_a/0', 'mmlu_tiny_b/0']);
    expect([scoreOf(p, 'org/m', 'mmlu_tiny_a/0'), scoreOf(p, 'org/m', 'mmlu_tiny_b/0')]).toEqual([1, 0]);
    expect(p.records.map((r) => r.answer)).toEqual(['A', 'B']);
    expect(p.items[0]).toMatchObject({ text: 'A anatomy question?\nAnswer:\nA. x\nB. y', metadata: { task: 'mmlu_tiny_a', 'doc.subject': 'anatomy' } });
    const a = await lmEvalFormat.read(files, { task: 'mmlu_tiny_b' });
    expect(itemIds(a)).toEqual(['mmlu_tiny_b/0']);
    const g = await lmEvalFormat.read(files, { task: 'mmlu_tiny' });
    expect(itemIds(g)).toHaveLength(2);
  });
});
