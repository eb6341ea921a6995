import { describe, expect, it } from 'vitest';
import { readWide, wideFormat } from '../../pipeline/ingest/formats/wide.ts';
import { longFormat, readLong } from '../../pipeline/ingest/formats/long.ts';
import { ingestRequest, resolveInputs } from '../../pipeline/ingest/index.ts';
import { FORMATS } from '../../pipeline/ingest/formats/index.ts';
import type { IngestFormat } from '../../pipeline/ingest/types.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { recordsOf } from '../../pipeline/ingest/cells.ts';
import { scratch, WIDE } from './helpers.ts';

async function errLine(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CovaryError);
    return (e as CovaryError).toLine();
  }
  throw new Error('expected an error');
}

describe('wide format', () => {
  it('first column is the model whatever its header; empty cell = no record; declared order kept', async () => {
    const s = await scratch();
    const p = await s.write('s.csv', 'Unnamed: 0,q1,q2,q3\nm1,1,0,1\nm2,0,,1\n');
    const parts = await readWide([p], {});
    expect(parts.modelOrder).toEqual(['m1', 'm2']);
    expect(parts.itemOrder).toEqual(['q1', 'q2', 'q3']);
    expect(recordsOf(parts).map((r) => `${r.model}/${r.item}=${r.score}`)).toEqual(['m1/q1=1', 'm1/q2=0', 'm1/q3=1', 'm2/q1=0', 'm2/q3=1']);
    expect(recordsOf(parts)[3].where).toEqual({ file: p, line: 3 });
  });
  it('answers CSV of the same shape (rows/columns may be in another order); NONE marker → null; answers trimmed', async () => {
    const s = await scratch();
    const sc = await s.write('s.csv', 'model,q1,q2\nm1,1,0\nm2,0,\n');
    const an = await s.write('a.csv', 'model,q2,q1\nm2,,NONE\nm1, B ,A\n');
    const parts = await readWide([sc], { answers: [an] });
    expect(recordsOf(parts).map((r) => [r.model, r.item, r.answer])).toEqual([
      ['m1', 'q1', 'A'],
      ['m1', 'q2', 'B'],
      ['m2', 'q1', null],
    ]);
    const custom = await readWide([sc], { answers: [await s.write('c.csv', 'model,q1,q2\nm1,A,??\nm2,??,\n')], noneMarker: '??' });
    expect(recordsOf(custom).map((r) => r.answer)).toEqual(['A', null, null]);
  });
  it('answers CSV with other models or items is an error naming the difference', async () => {
    const s = await scratch();
    const sc = await s.write('s.csv', 'model,q1,q2\nm1,1,0\nm2,0,1\n');
    const an = await s.write('a.csv', 'model,q1,q9\nm1,A,B\nm3,A,B\n');
    const line = await errLine(readWide([sc], { answers: [an] }));
    expect(line).toMatch(/a\.csv: answers file does not match the scores file .*models not in the scores: "m3".*models missing from the answers: "m2".*item ids not in the scores: "q9"/);
  });
  it('duplicate item ids in the header and a non-numeric cell are located', async () => {
    const s = await scratch();
    expect(await errLine(readWide([await s.write('d.csv', 'model,q1,q1\nm1,1,0\n')], {}))).toMatch(/d\.csv:1, column 3: item id "q1" heads two columns \(2 and 3\)/);
    expect(await errLine(readWide([await s.write('n.csv', 'model,q1,q2\nm1,1,x\n')], {}))).toMatch(/n\.csv:2, column 3 \(item "q2"\): non-numeric score "x"/);
  });
  it('detects wide CSVs (also gzipped) but not long ones', async () => {
    const s = await scratch();
    expect(await wideFormat.detect([await s.write('w.csv.gz', WIDE, true)])).toBe(true);
    expect(await wideFormat.detect([await s.write('l.csv', 'model,item,score\nm1,3,1\n')])).toBe(false);
    expect(await longFormat.detect([await s.write('l2.csv', 'model,item,score\nm1,3,1\n')])).toBe(true);
    expect(await longFormat.detect([await s.write('w2.csv', WIDE)])).toBe(false);
  });
});

describe('long format', () => {
  it('eval-arena rows {benchmark_id, example_id, model, pass1}: fields auto-detected, graded scores kept', async () => {
    const s = await scratch();
    const rows = [
      { 'Unnamed: 0': 0, benchmark_id: 'lcb', example_id: '1873_A', model: 'A', pass1: 0.1 },
      { 'Unnamed: 0': 1, benchmark_id: 'lcb', example_id: '2727', model: 'A', pass1: 1.0 },
      { 'Unnamed: 0': 2, benchmark_id: 'lcb', example_id: '1873_A', model: 'B', pass1: 0.6 },
    ];
    const p = await s.write('arena.jsonl', rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect(await longFormat.detect([p])).toBe(true);
    const parts = await readLong([p], {});
    expect(recordsOf(parts).map((r) => [r.model, r.item, r.score])).toEqual([
      ['A', '1873_A', 0.1],
      ['A', '2727', 1],
      ['B', '1873_A', 0.6],
    ]);
    expect(parts.metric?.chosen).toBe('pass1');
    expect(parts.notes.join('\n')).toMatch(/model = "model", item = "example_id", score = "pass1"/);
  });
  it('column mapping flags override auto-detection; alternatives are listed', async () => {
    const s = await scratch();
    const p = await s.write('l.csv', 'who,q,correct,score,pred\nm1,a,1,0.5,X\nm2,a,0,0.25,\n');
    const parts = await readLong([p], { modelField: 'who', itemField: 'q', scoreField: 'score', answerField: 'pred' });
    expect(recordsOf(parts).map((r) => [r.model, r.item, r.score, r.answer])).toEqual([
      ['m1', 'a', 0.5, 'X'],
      ['m2', 'a', 0.25, null],
    ]);
    expect(parts.metric).toEqual({ chosen: 'score', available: ['score', 'correct'] });
    expect(await errLine(readLong([p], { scoreField: 'nope', modelField: 'who', itemField: 'q' }))).toMatch(/no field "nope" \(--score-field\) in this file; its fields are: who, q, correct, score, pred/);
    expect(await errLine(readLong([await s.write('x.csv', 'a,b,c\n1,2,3\n')], {}))).toMatch(/cannot tell which field holds the model \(fields: a, b, c\) \(name it with --model-field\)/);
  });
  it('several tasks need --task (listed); --task picks one; --task all prefixes ids', async () => {
    const s = await scratch();
    const p = await s.write('t.jsonl', ['{"task":"x","item":1,"model":"m","score":1}', '{"task":"y","item":1,"model":"m","score":0}'].join('\n'));
    expect(await errLine(readLong([p], {}))).toMatch(/the rows hold 2 tasks: x, y \(choose one with --task/);
    expect(recordsOf(await readLong([p], { task: 'y' })).map((r) => [r.item, r.score])).toEqual([['1', 0]]);
    expect(recordsOf(await readLong([p], { task: 'all' })).map((r) => r.item)).toEqual(['x:1', 'y:1']);
    expect(await errLine(readLong([p], { task: 'z' }))).toMatch(/no rows for task "z"; the rows hold: x, y/);
  });
  it('rows may carry the prompt (--text-field): items come from the rows, conflicts resolved in merge', async () => {
    const s = await scratch();
    const p = await s.write('r.jsonl', ['{"model":"a","item":"1","score":1,"prompt":"P1"}', '{"model":"b","item":"1","score":0,"prompt":"P1"}'].join('\n'));
    const parts = await readLong([p], { textField: ['prompt'] });
    // Each distinct text once, with how many rows gave it (streamed: no item object per row).
    expect(parts.items.map((i) => [i.id, i.text, i.weight])).toEqual([['1', 'P1', 2]]);
    expect((await readLong([p], {})).items).toEqual([]);
  });
  it('a row missing the score field, and booleans as scores', async () => {
    const s = await scratch();
    const p = await s.write('b.jsonl', '{"model":"m","item":"a","correct":true}\n{"model":"m","item":"b"}\n');
    expect(await errLine(readLong([p], {}))).toMatch(/b\.jsonl:2, field "correct": field "correct" is absent/);
    const q = await s.write('c.jsonl', '{"model":"m","item":"a","correct":true}\n{"model":"n","item":"a","correct":false}\n');
    expect(recordsOf(await readLong([q], {})).map((r) => r.score)).toEqual([1, 0]);
  });
});

describe('format resolution', () => {
  it('folders and globs expand; --items is excluded from the inputs', async () => {
    const s = await scratch();
    await s.write('logs/a.jsonl', '{"model":"a","item":"1","score":1}\n');
    await s.write('logs/b.jsonl', '{"model":"b","item":"1","score":0}\n');
    await s.write('logs/items.jsonl', '{"id":"1","text":"x"}\n');
    const req = ingestRequest({ name: 'x', paths: [`${s.inputs}/logs`], items: `${s.inputs}/logs/items.jsonl` });
    const r = await resolveInputs(req);
    expect(r.format.name).toBe('long');
    expect(r.files.map((f) => f.split('/').pop())).toEqual(['a.jsonl', 'b.jsonl']);
    const g = await resolveInputs(ingestRequest({ name: 'x', paths: [`${s.inputs}/logs/[ab].jsonl`] }));
    expect(g.files).toHaveLength(2);
  });
  it('inputs matching several formats are an error listing them; --format settles it', async () => {
    const s = await scratch();
    const p = await s.write('l.jsonl', '{"model":"a","item":"1","score":1}\n');
    const greedy: IngestFormat = { name: 'greedy', describe: 'test', detect: async () => true, read: async () => { throw new Error('unused'); } };
    FORMATS.push(greedy);
    try {
      expect(await errLine(resolveInputs(ingestRequest({ name: 'x', paths: [p] })))).toMatch(/the inputs match several formats: long, greedy \(choose one with --format\)/);
      expect((await resolveInputs(ingestRequest({ name: 'x', paths: [p], format: 'long' }))).format.name).toBe('long');
    } finally {
      FORMATS.splice(FORMATS.indexOf(greedy), 1);
    }
  });
  it('--answers with a non-wide input, and --scores with paths, are errors', async () => {
    const s = await scratch();
    const p = await s.write('l.jsonl', '{"model":"a","item":"1","score":1}\n');
    const a = await s.write('a.csv', 'model,1\na,x\n');
    expect(await errLine(resolveInputs(ingestRequest({ name: 'x', paths: [p], answers: a })))).toMatch(/--answers applies to the wide format only \(detected: long\)/);
    expect(await errLine(resolveInputs(ingestRequest({ name: 'x', paths: [p], scores: a })))).toMatch(/give the scores either with --scores or as paths, not both/);
  });
  it('unrecognised inputs, unknown --format and a glob matching nothing are clear errors', async () => {
    const s = await scratch();
    const p = await s.write('x.txt', 'hello\n');
    expect(await errLine(resolveInputs(ingestRequest({ name: 'x', paths: [p] })))).toMatch(/cannot recognise the input format of .*x\.txt \(name it with --format \(.*wide, long\)/);
    expect(await errLine(resolveInputs(ingestRequest({ name: 'x', paths: [p], format: 'nope' })))).toMatch(/unknown format "nope"/);
    expect(await errLine(resolveInputs(ingestRequest({ name: 'x', paths: [`${s.inputs}/*.zzz`] })))).toMatch(/no file matches this pattern/);
  });
});
