import { describe, expect, it } from 'vitest';
import { readFile, copyFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runIngest } from '../../pipeline/ingest/index.ts';
import { ANSWER_NONE, answerAt } from '../../pipeline/core/dataset.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { cli, context, EXAMPLES, leftovers, scratch, WIDE } from './helpers.ts';

const ex = (f: string) => join(EXAMPLES, f);
const wideArgs = { scores: ex('scores.csv'), answers: ex('answers.csv'), items: ex('items.jsonl'), textField: 'question,options' };

describe('ingest of the committed example (data/examples)', () => {
  it('wide and long forms of the same results give the identical dataset', async () => {
    const s = await scratch();
    const ctx = context(s.dataDir);
    const w = await runIngest(ctx, { name: 'ex-wide', ...wideArgs });
    const l = await runIngest(ctx, { name: 'ex-long', paths: [ex('long.csv')], items: ex('items.jsonl'), textField: 'question,options' });
    expect(w.status).toBe('computed');
    expect(l.status).toBe('computed');
    const a = await ctx.store.loadDataset('ex-wide');
    const b = await ctx.store.loadDataset('ex-long');
    expect(a.manifest.contentHash).toBe(b.manifest.contentHash);
    expect(a.manifest.format).toBe('wide');
    expect(b.manifest.format).toBe('long');
    const d = a.dataset;
    expect(d.models).toEqual(['alpha-7b', 'beta-13b', 'gamma-70b', 'delta-8x7b', 'epsilon-1b']);
    expect(d.items.map((i) => i.id)).toEqual(['q01', 'q02', 'q03', 'q04', 'q05', 'q06', 'q07', 'q08', 'q09', 'q10']);
    expect(d.items[7].text).toBe('Which word is a synonym of "rapid"?\nA. slow\nB. quick\nC. heavy\nD. quiet');
    expect(d.items[7].metadata).toEqual({ answer: 'B', category: 'vocabulary' });
    expect(d.scores[4 * 10 + 9]).toBeNaN(); // epsilon-1b has no result on q10
    expect(d.answers!.codes[4 * 10 + 1]).toBe(ANSWER_NONE); // epsilon-1b: NONE on q02
    expect(answerAt(d, 0, 4)).toBe('Sydney');
    expect(d.scores[0 * 10 + 4]).toBe(0);
    expect(a.manifest.counts).toEqual({ models: 5, items: 10, cells: 50, missingCells: 1, itemsWithText: 10, binary: true, hasAnswers: true });
    expect(a.manifest.sources.map((x) => x.role)).toEqual(['scores', 'answers', 'items']);
    expect(a.manifest.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await leftovers(s.dataDir)).toEqual(['benchmarks/ex-long', 'benchmarks/ex-wide']);
  });

  it('re-ingesting identical inputs is a no-op; different content needs --force', async () => {
    const s = await scratch();
    const ctx = context(s.dataDir);
    expect((await runIngest(ctx, { name: 'ex', ...wideArgs })).status).toBe('computed');
    const manifest1 = await readFile(join(s.dataDir, 'benchmarks/ex/manifest.json'), 'utf8');
    const again = await runIngest(ctx, { name: 'ex', ...wideArgs });
    expect(again.status).toBe('cached');
    expect(again.message).toMatch(/already ingested from identical inputs.*nothing to do/);
    // Same content through other files (the long form) is also a no-op.
    const viaLong = await runIngest(ctx, { name: 'ex', paths: [ex('long.csv')], items: ex('items.jsonl'), textField: 'question,options' });
    expect(viaLong.status).toBe('cached');
    expect(viaLong.message).toMatch(/identical content/);
    expect(await readFile(join(s.dataDir, 'benchmarks/ex/manifest.json'), 'utf8')).toBe(manifest1);
    // Different content under the same name: an error, the old dataset is untouched.
    const other = await s.write('other.csv', WIDE);
    const err = await runIngest(ctx, { name: 'ex', scores: other }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect((err as CovaryError).toLine()).toMatch(/benchmark "ex" already exists with different content \(5 models × 10 items from .*scores\.csv.*\).*pass --force to replace it/);
    expect(await readFile(join(s.dataDir, 'benchmarks/ex/manifest.json'), 'utf8')).toBe(manifest1);
    const forced = await runIngest(ctx, { name: 'ex', scores: other, force: true });
    expect(forced.status).toBe('computed');
    expect(forced.message).toMatch(/replaced "ex"/);
    const { dataset } = await ctx.store.loadDataset('ex');
    expect(dataset.models).toEqual(['m1', 'm2', 'm3']);
    expect(await leftovers(s.dataDir)).toEqual(['benchmarks/ex']);
  });

  it('gzip variants of scores, answers, items and long files ingest to the same content', async () => {
    const s = await scratch();
    for (const f of ['scores.csv', 'answers.csv', 'items.jsonl', 'long.csv']) {
      await writeFile(join(s.inputs, f + '.gz'), gzipSync(await readFile(ex(f))));
    }
    const ctx = context(s.dataDir);
    await runIngest(ctx, { name: 'plain', ...wideArgs });
    await runIngest(ctx, { name: 'gz', scores: `${s.inputs}/scores.csv.gz`, answers: `${s.inputs}/answers.csv.gz`, items: `${s.inputs}/items.jsonl.gz`, textField: 'question,options' });
    await runIngest(ctx, { name: 'gzlong', paths: [`${s.inputs}/long.csv.gz`], items: `${s.inputs}/items.jsonl.gz`, textField: 'question,options' });
    const h = async (n: string) => (await ctx.store.readManifest(n)).contentHash;
    expect(await h('gz')).toBe(await h('plain'));
    expect(await h('gzlong')).toBe(await h('plain'));
  });

  it('scores alone (no items file): items have null text, coverage says so', async () => {
    const s = await scratch();
    const ctx = context(s.dataDir);
    const out = await runIngest(ctx, { name: 'bare', scores: ex('scores.csv') });
    expect(out.message).toMatch(/0 items with text/);
    const { dataset, manifest } = await ctx.store.loadDataset('bare');
    expect(dataset.items.every((i) => i.text === null)).toBe(true);
    expect(manifest.counts.itemsWithText).toBe(0);
    expect((manifest.coverage as { itemsWithoutText: { count: number } }).itemsWithoutText.count).toBe(10);
  });

  it('long format with an items file covering only some items reports both sides of the join', async () => {
    const s = await scratch();
    const rows = await s.write('rows.jsonl', ['a', 'b', 'c'].flatMap((m, k) => ['x', 'y', 'z'].map((i, j) => JSON.stringify({ model: m, example_id: i, pass1: (k + j) % 2 }))).join('\n'));
    const items = await s.write('items.jsonl', '{"id":"x","question":"X?"}\n{"id":"y","question":"Y?"}\n{"id":"w","question":"W?"}\n');
    const ctx = context(s.dataDir);
    await runIngest(ctx, { name: 'j', paths: [rows], items });
    const { dataset, manifest } = await ctx.store.loadDataset('j');
    expect(dataset.items.map((i) => [i.id, i.text])).toEqual([
      ['x', 'X?'],
      ['y', 'Y?'],
      ['z', null],
    ]);
    expect(manifest.dropped).toEqual([{ what: 'item', id: 'w', reason: 'has text but no model has a score for it' }]);
  });
});

describe('dry run', () => {
  it('prints format, models, items per model, join coverage and writes nothing', async () => {
    const s = await scratch();
    const r = await cli(['ingest', '--data-dir', s.dataDir, '--name', 'ex', '--dry-run', '--scores', ex('scores.csv'), '--answers', ex('answers.csv'), '--items', ex('items.jsonl'), '--text-field', 'question,options']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dry run: nothing written\nbenchmark: ex \(new\)\nformat: wide\n/);
    expect(r.stdout).toMatch(/models × items: 5 × 10 = 50 cells, 1 missing; scores 0\/1/);
    expect(r.stdout).toMatch(/join: 10 of 10 items have text; 0 without text; 0 with text but no scores/);
    expect(r.stdout).toMatch(/answers: 49 cells, 1 with no extracted answer, 16 distinct answers/);
    expect(r.stdout).toMatch(/epsilon-1b: 1 missing/);
    expect(r.stdout).toMatch(/items per model:\n {2}alpha-7b {4}\s+10\n/);
    expect(await leftovers(s.dataDir)).toEqual([]);
  });
  it('--json gives the same facts as JSON, including the metric and its alternatives', async () => {
    const s = await scratch();
    const long = await s.write('l.csv', 'model,item,correct,score\nm1,a,1,1\nm1,b,0,0.5\nm2,a,1,0.25\nm2,b,1,1\n');
    const r = await cli(['ingest', '--data-dir', s.dataDir, '--name', 'l', '--dry-run', '--json', long]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; dryRun: { format: string; metric: unknown; coverage: { itemsPerModel: unknown; missingCells: number } } };
    expect(out.status).toBe('skipped');
    expect(out.dryRun.format).toBe('long');
    expect(out.dryRun.metric).toEqual({ chosen: 'score', available: ['score', 'correct'] });
    expect(out.dryRun.coverage.itemsPerModel).toEqual([
      { model: 'm1', items: 2 },
      { model: 'm2', items: 2 },
    ]);
    expect(await leftovers(s.dataDir)).toEqual([]);
  });
  it('says when the benchmark exists with identical or different content', async () => {
    const s = await scratch();
    const ctx = context(s.dataDir);
    await runIngest(ctx, { name: 'ex', scores: ex('scores.csv') });
    const same = await cli(['ingest', '--data-dir', s.dataDir, '--name', 'ex', '--dry-run', '--scores', ex('scores.csv')]);
    expect(same.stdout).toMatch(/benchmark: ex \(already ingested with identical content/);
    const other = await s.write('o.csv', WIDE);
    const diff = await cli(['ingest', '--data-dir', s.dataDir, '--name', 'ex', '--dry-run', '--scores', other]);
    expect(diff.stdout).toMatch(/exists with different content: ingest needs --force/);
  });
});

describe('CLI', () => {
  it('ingest prints one summary line; a second run says cached', async () => {
    const s = await scratch();
    const args = ['ingest', '--data-dir', s.dataDir, '--name', 'ex', '--quiet', '--scores', ex('scores.csv'), '--items', ex('items.jsonl'), '--text-field', 'question,options'];
    const a = await cli(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^ingest: wrote "ex" \(wide\): 5 models × 10 items, 1 missing cells, 10 items with text in [\d.]+ s\n$/);
    const b = await cli(args);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/cached .*nothing to do/);
  });
  it('a folder of long-format files (copied example split per model) is merged', async () => {
    const s = await scratch();
    const text = await readFile(ex('long.csv'), 'utf8');
    const [header, ...rows] = text.trim().split('\n');
    const byModel = new Map<string, string[]>();
    for (const r of rows) byModel.set(r.split(',')[0], [...(byModel.get(r.split(',')[0]) ?? []), r]);
    for (const [m, rs] of byModel) await s.write(`runs/${m}.csv`, [header, ...rs].join('\n') + '\n');
    await copyFile(ex('items.jsonl'), join(s.inputs, 'items.jsonl'));
    const r = await cli(['ingest', '--data-dir', s.dataDir, '--name', 'folder', '--quiet', `${s.inputs}/runs`, '--items', `${s.inputs}/items.jsonl`, '--text-field', 'question,options']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ctx = context(s.dataDir);
    const { dataset } = await ctx.store.loadDataset('folder');
    // Files are read in sorted order: alpha, beta, delta, epsilon, gamma.
    expect(dataset.models).toEqual(['alpha-7b', 'beta-13b', 'delta-8x7b', 'epsilon-1b', 'gamma-70b']);
    expect(dataset.items).toHaveLength(10);
  });
});
