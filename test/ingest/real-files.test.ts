/**
 * Real files as they come (issue 13): items without text, R/pandas missing values, other
 * delimiters, and integer ids beyond 2^53 — each read into the dataset a user would expect.
 */
import { describe, expect, it } from 'vitest';
import { runIngest } from '../../pipeline/ingest/index.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { parseJsonExact, quoteUnsafeIntegers } from '../../pipeline/ingest/json.ts';
import { loadFile, parseCsv, sniffDelimiter } from '../../pipeline/ingest/read.ts';
import { latestRuns } from '../../pipeline/ingest/formats/shared-logs.ts';
import { context, scratch, WIDE } from './helpers.ts';

/** 4 models × 6 items, wide CSV in the given delimiter with `na` written where a result is missing. */
function wide(delim: string, na: string): string {
  const rows = [
    ['model', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6'],
    ['m1', '1', '0', na, '1', '1', '0'],
    ['m2', '0', '0', '1', '1', na, '0'],
    ['m3', '1', '1', '1', '0', '1', '1'],
    ['m4', '0', na, '0', '0', '1', '1'],
  ];
  return rows.map((r) => r.join(delim)).join('\n') + '\n';
}

describe('items without text (ChemBench: image tasks have no "input")', () => {
  it('items missing, null or empty in the text field are kept with their scores and counted; the rest keep their text', async () => {
    const s = await scratch();
    const scores = await s.write('s.csv', wide(',', ''));
    const items = await s.write(
      'items.jsonl',
      [
        { question_name: 'q1', input: 'What is 2+2?' },
        { question_name: 'q2', kind: 'image' },
        { question_name: 'q3', input: null },
        { question_name: 'q4', input: '  ' },
        { question_name: 'q5', input: 'Name a noble gas.', options: ['He', 'O'] },
        { question_name: 'q6', options: ['A', 'B'] },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const ctx = context(s.dataDir);
    const out = await runIngest(ctx, { name: 'chem', scores, items, idField: 'question_name', textField: 'input,options' });
    expect(out.status).toBe('computed');
    const { dataset: d, manifest } = await ctx.store.loadDataset('chem');
    expect(d.items.map((i) => i.text)).toEqual(['What is 2+2?', null, null, null, 'Name a noble gas.\nA. He\nB. O', null]);
    expect(d.items[1].metadata).toEqual({ kind: 'image' });
    expect(manifest.counts.items).toBe(6);
    expect(manifest.counts.itemsWithText).toBe(2);
    const cov = manifest.coverage as { itemsWithoutText: { count: number; examples: string[] } };
    expect(cov.itemsWithoutText).toEqual({ count: 4, examples: ['q2', 'q3', 'q4', 'q6'] });
    // Their scores are all there.
    expect(Number.isNaN(d.scores[0 * 6 + 1])).toBe(false);
    expect(d.scores[2 * 6 + 1]).toBe(1);
  });

  it('auto-detects the text field even when the first item lacks it', async () => {
    const s = await scratch();
    const scores = await s.write('s.csv', wide(',', ''));
    const items = await s.write('items.jsonl', '{"id":"q1","kind":"image"}\n{"id":"q2","input":"Two?"}\n');
    const ctx = context(s.dataDir);
    await runIngest(ctx, { name: 'auto', scores, items });
    const { dataset: d, manifest } = await ctx.store.loadDataset('auto');
    expect(d.items.slice(0, 2).map((i) => i.text)).toEqual([null, 'Two?']);
    expect(manifest.options.textFields).toEqual(['input']);
  });
});

describe('--na-values', () => {
  for (const na of ['NA', 'NaN', 'null', 'None', '-']) {
    it(`"${na}" cells are missing results with --na-values NA,NaN,null,None,-, identical to empty cells`, async () => {
      const s = await scratch();
      const ctx = context(s.dataDir);
      await runIngest(ctx, { name: 'empty', scores: await s.write('e.csv', wide(',', '')) });
      await runIngest(ctx, { name: 'na', scores: await s.write('n.csv', wide(',', na)), naValues: 'NA,NaN,null,None,-' });
      const a = await ctx.store.loadDataset('empty');
      const b = await ctx.store.loadDataset('na');
      expect(b.manifest.counts.missingCells).toBe(3);
      expect(b.manifest.contentHash).toBe(a.manifest.contentHash);
      expect(b.manifest.options.naValues).toEqual(['NA', 'NaN', 'null', 'None', '-']);
      expect((b.manifest.coverage as { notes: string[] }).notes.join('\n')).toMatch(/n\.csv: 3 score cell\(s\) matched --na-values \(NA, NaN, null, None, -\) and count as missing/);
    });
  }

  it('long format: NA scores are missing rows, counted in a note', async () => {
    const s = await scratch();
    const ctx = context(s.dataDir);
    const long = await s.write('l.csv', 'model,item,score\na,1,1\na,2,NA\nb,1,0\nb,2,1\nc,1,NA\nc,2,0\n');
    await runIngest(ctx, { name: 'l', paths: [long], naValues: 'NA' });
    const { dataset: d, manifest } = await ctx.store.loadDataset('l');
    expect(manifest.counts.missingCells).toBe(2);
    expect(Array.from(d.scores)).toEqual([1, NaN, 0, 1, NaN, 0]);
    expect((manifest.coverage as { notes: string[] }).notes).toContain('2 row(s) with a score in --na-values (NA) were treated as missing');
  });

  it('without --na-values, "NA" is still an error (the default is the empty cell only)', async () => {
    const s = await scratch();
    const err = await runIngest(context(s.dataDir), { name: 'x', scores: await s.write('n.csv', wide(',', 'NA')) }).catch((e: CovaryError) => e);
    expect((err as CovaryError).toLine()).toMatch(/non-numeric score "NA".*--na-values NA/);
  });
});

describe('delimiters', () => {
  it('tab- and semicolon-separated files named .csv read like the comma file; the delimiter is reported', async () => {
    const s = await scratch();
    const ctx = context(s.dataDir);
    await runIngest(ctx, { name: 'comma', scores: await s.write('c.csv', wide(',', '')) });
    const base = (await ctx.store.loadDataset('comma')).manifest;
    for (const [name, d, label] of [
      ['tab', '\t', 'tab'],
      ['semi', ';', 'semicolon'],
    ] as const) {
      const out = await runIngest(ctx, { name, scores: await s.write(`${name}.csv`, wide(d, '')) });
      expect(out.status).toBe('computed');
      const m = (await ctx.store.loadDataset(name)).manifest;
      expect(m.contentHash).toBe(base.contentHash);
      expect((m.coverage as { notes: string[] }).notes).toContain(`${s.inputs}/${name}.csv: delimiter ${label} (detected)`);
    }
    // A comma file gets no delimiter note.
    expect((base.coverage as { notes: string[] }).notes.join('\n')).not.toMatch(/delimiter/);
  });

  it('semicolon long files and items CSVs are detected too, and --delimiter forces one', async () => {
    const s = await scratch();
    const ctx = context(s.dataDir);
    const long = await s.write('l.csv', 'model;item;score\na;1;1\na;2;0\nb;1;0\nb;2;1\n');
    const items = await s.write('i.csv', 'id;question\n1;"Is 1, 2 or 3 odd?"\n2;Two?\n');
    const out = await runIngest(ctx, { name: 'l', paths: [long], items, textField: 'question' });
    expect(out.status).toBe('computed');
    const { dataset: d } = await ctx.store.loadDataset('l');
    expect(d.items.map((i) => i.text)).toEqual(['Is 1, 2 or 3 odd?', 'Two?']);
    // Forced: the same file read with commas has one column and fails on the row, naming the option.
    const err = await runIngest(context(s.dataDir), { name: 'f', scores: await s.write('w.csv', wide(';', '')), delimiter: 'comma' }).catch((e: Error) => e);
    expect(String(err)).toMatch(/header has 1 column/);
    const ok = await runIngest(ctx, { name: 'forced', scores: await s.write('w2.csv', wide(';', '')), delimiter: 'semicolon' });
    expect(ok.status).toBe('computed');
    expect((await ctx.store.loadDataset('forced')).manifest.options.delimiter).toBe(';');
  });

  it('sniffDelimiter: the most columns wins, quotes are respected, nothing consistent keeps the default', async () => {
    expect(sniffDelimiter('a,b;c,d\n1,2;3,4\n', 'x.csv').delimiter).toBe(',');
    expect(sniffDelimiter('a;b;c\n"1,5";2;3\n', 'x.csv')).toEqual({ delimiter: ';', how: 'detected' });
    expect(sniffDelimiter('a\tb\n1\t2\n', 'x.tsv')).toEqual({ delimiter: '\t', how: 'default' });
    expect(sniffDelimiter('a\n1\n', 'x.csv')).toEqual({ delimiter: ',', how: 'default' });
    expect(sniffDelimiter('a,b\n1,2\n', 'x.csv', ';')).toEqual({ delimiter: ';', how: 'given' });
    expect(() => sniffDelimiter('a,b;c\n1,2;3\n', 'x.csv')).toThrow(/split into 2 columns on comma and on semicolon/);
  });

  it('a quoted field spanning lines near the sniff limit does not confuse detection', async () => {
    const s = await scratch();
    const rows = ['id;question', ...Array.from({ length: 25 }, (_, i) => `${i};"line one\nline two, with a comma"`)];
    const f = await loadFile(await s.write('q.csv', rows.join('\n') + '\n'), 'items');
    const t = parseCsv(f);
    expect(t.delimiter).toBe(';');
    expect(t.rows).toHaveLength(25);
  });

  it('the existing comma example is untouched by detection', async () => {
    const s = await scratch();
    const f = await loadFile(await s.write('w.csv', WIDE), 'scores');
    expect(parseCsv(f).delimiterHow).toBe('default');
  });
});

describe('integer ids beyond 2^53', () => {
  it('are read from the source text as exact strings; safe integers, floats and strings are untouched', () => {
    const text = '{"id": 9007199254740993, "b": -12345678901234567890, "s": "12345678901234567890", "f": 0.12345678901234567, "e": 1e21, "n": 1234567890123456, "esc": "a\\"9007199254740993"}';
    const v = parseJsonExact(text) as Record<string, unknown>;
    expect(v).toEqual({ id: '9007199254740993', b: '-12345678901234567890', s: '12345678901234567890', f: 0.12345678901234567, e: 1e21, n: 1234567890123456, esc: 'a"9007199254740993' });
    expect(quoteUnsafeIntegers('[1,2,3]')).toBe('[1,2,3]');
    expect(() => parseJsonExact('{"id": 90071992547409930,}')).toThrow(SyntaxError);
  });

  it('two ids that collide as doubles stay distinct and match the scores file header', async () => {
    const s = await scratch();
    const ctx = context(s.dataDir);
    const a = '9007199254740992';
    const b = '9007199254740993'; // the same double as a
    const scores = await s.write('s.csv', `model,${a},${b}\nm1,1,0\nm2,0,1\n`);
    const items = await s.write('i.jsonl', `{"id": ${a}, "question": "first"}\n{"id": ${b}, "question": "second"}\n`);
    await runIngest(ctx, { name: 'big', scores, items });
    const { dataset: d } = await ctx.store.loadDataset('big');
    expect(d.items.map((i) => [i.id, i.text])).toEqual([
      [a, 'first'],
      [b, 'second'],
    ]);
    const long = await s.write('l.jsonl', `{"model":"m1","item":${b},"score":1}\n{"model":"m2","item":${b},"score":0}\n{"model":"m1","item":${a},"score":0}\n{"model":"m2","item":${a},"score":1}\n`);
    await runIngest(ctx, { name: 'big-long', paths: [long] });
    expect((await ctx.store.loadDataset('big-long')).dataset.items.map((i) => i.id)).toEqual([b, a]);
  });
});

describe('several runs of one model (latestRuns)', () => {
  type R = { name: string; model: string; ts?: string; ok?: boolean };
  const pick = (runs: R[], mode: 'latest' | 'all' = 'latest') =>
    latestRuns(runs, (r) => r.model, (r) => r.ts, (r) => r.name, mode, (r) => r.ok !== false);

  it('keeps the most recent run per model and lists what was set aside', () => {
    const out = pick([
      { name: 'a1', model: 'a', ts: '2024-01-02T10-00-00' },
      { name: 'a2', model: 'a', ts: '2024-01-03T09-00-00' },
      { name: 'b1', model: 'b', ts: '2024-01-01T00-00-00' },
    ]);
    expect(out.kept.map((r) => r.name)).toEqual(['a2', 'b1']);
    expect(out.notes).toEqual(['a: 2 runs; kept the most recent, a2 (2024-01-03T09-00-00); set aside a1 (2024-01-02T10-00-00) (--runs all keeps every run)']);
  });

  it('a later unfinished run does not replace a finished one; ties and runs without a time are all kept; --runs all keeps all', () => {
    const runs: R[] = [
      { name: 'a1', model: 'a', ts: '1' },
      { name: 'a2', model: 'a', ts: '2', ok: false },
      { name: 'b1', model: 'b', ts: '5' },
      { name: 'b2', model: 'b', ts: '5' },
      { name: 'c1', model: 'c' },
      { name: 'c2', model: 'c', ts: '9' },
    ];
    const out = pick(runs);
    expect(out.kept.map((r) => r.name)).toEqual(['a1', 'b1', 'b2', 'c1', 'c2']);
    expect(out.notes[0]).toMatch(/^a: 2 runs; kept the most recent complete one, a1/);
    expect(pick(runs, 'all').kept).toHaveLength(6);
  });
});
