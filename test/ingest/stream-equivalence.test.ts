/**
 * Streaming ingest (issue #15) against the implementation it replaced (frozen in ./legacy/): the
 * same dataset bytes, coverage, notes, dropped list and sources — or the same one-line error — on
 * the example files, the real datasets (when ../shared/data is present), generated files of every
 * dialect the readers accept, and bad inputs whose errors compete for precedence. Each case runs
 * with the normal 1 MiB reads and with tiny ones, so lines, CRLF pairs and UTF-8 sequences fall
 * across chunk ends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWide } from '../../pipeline/ingest/formats/wide.ts';
import { readLong } from '../../pipeline/ingest/formats/long.ts';
import { mergeParts, type DuplicatePolicy } from '../../pipeline/ingest/merge.ts';
import { setStreamChunkBytes } from '../../pipeline/ingest/stream.ts';
import { readWide as legacyReadWide } from './legacy/wide.ts';
import { readLong as legacyReadLong } from './legacy/long.ts';
import { mergeParts as legacyMergeParts } from './legacy/merge.ts';
import { readLighteval as legacyReadLighteval } from './legacy/lighteval.ts';
import { lightevalFormat } from '../../pipeline/ingest/formats/lighteval.ts';
import { SHARED as FIXTURES, filesUnder } from '../ingest-logs/helpers.ts';
import { cp, mkdir, writeFile as writeFileFs } from 'node:fs/promises';
import type { FormatOptions, IngestParts } from '../../pipeline/ingest/types.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { createRng, type Rng } from '../../pipeline/core/rng.ts';
import { EXAMPLES, SHARED, scratch } from './helpers.ts';

type Fmt = 'wide' | 'long';
interface MergeOpts {
  onDuplicate?: DuplicatePolicy;
  rescale?: boolean;
}

function b64(a: ArrayBufferView | null | undefined): string | null {
  return a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') : null;
}

async function outcome(read: (f: string[], o: FormatOptions) => Promise<IngestParts>, merge: typeof mergeParts, files: string[], opts: FormatOptions, m: MergeOpts): Promise<unknown> {
  try {
    const parts = await read(files, opts);
    const r = merge(parts, { name: 't', ...m });
    const d = r.dataset;
    return {
      format: parts.format,
      sources: parts.sources,
      metric: parts.metric,
      readNotes: parts.notes,
      notes: r.notes,
      models: d.models,
      items: d.items,
      scores: b64(d.scores),
      answers: d.answers ? { vocab: d.answers.vocab, codes: b64(d.answers.codes) } : null,
      coverage: r.coverage,
      dropped: r.dropped,
    };
  } catch (e) {
    if (e instanceof CovaryError) return `error: ${e.toLine()}`;
    throw e;
  }
}

const CHUNKS = [1 << 20, 7];
afterAll(() => setStreamChunkBytes(1 << 20));

async function same(format: Fmt, files: string[], opts: FormatOptions = {}, m: MergeOpts = {}): Promise<unknown> {
  const legacy = await outcome(format === 'wide' ? legacyReadWide : legacyReadLong, legacyMergeParts as typeof mergeParts, files, opts, m);
  for (const chunk of CHUNKS) {
    setStreamChunkBytes(chunk);
    const now = await outcome(format === 'wide' ? readWide : readLong, mergeParts, files, opts, m);
    expect(now, `${format} ${files.join(' ')} ${JSON.stringify(opts)} ${JSON.stringify(m)} (reads of ${chunk} bytes)`).toEqual(legacy);
  }
  setStreamChunkBytes(1 << 20);
  return legacy;
}

// ---------- generated files ----------

const pick = <T,>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function cellText(rng: Rng, graded: boolean, na: string[]): string {
  const u = rng.next();
  if (u < 0.08) return '';
  if (u < 0.1 && na.length) return pick(rng, na);
  if (u < 0.12) return pick(rng, ['true', 'FALSE', ' 1 ', '1.0', '0.', '.5', '1e-1', '-0', '0']);
  if (!graded) return rng.next() < 0.5 ? '1' : '0';
  return String(Math.round(rng.next() * 1000) / 1000);
}

interface WideGen {
  m: number;
  n: number;
  graded?: boolean;
  na?: string[];
  delimiter?: string;
  crlf?: boolean;
  bom?: boolean;
  quoted?: boolean;
  dupRow?: boolean;
  emptyColumn?: boolean;
  blankLines?: boolean;
  unicode?: boolean;
}

function wideText(rng: Rng, g: WideGen): { text: string; models: string[]; items: string[] } {
  const d = g.delimiter ?? ',';
  const eol = g.crlf ? '\r\n' : '\n';
  const items = Array.from({ length: g.n }, (_, i) => (g.unicode ? `q${i}é€𝄞` : `q${i}`));
  const models = Array.from({ length: g.m }, (_, k) => (g.quoted && k % 3 === 0 ? `org${d}model "${k}"` : g.unicode ? `modèle-${k}-日本` : `m${k}`));
  const q = (s: string) => (g.quoted && (s.includes(d) || s.includes('"')) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [[g.quoted ? '"model"' : 'model', ...items].join(d)];
  const rows = g.dupRow ? [...models, models[1]] : models;
  for (const model of rows) {
    const cells = items.map((_, i) => (g.emptyColumn && i === 1 ? '' : cellText(rng, Boolean(g.graded), g.na ?? [])));
    lines.push([q(model), ...cells].join(d));
    if (g.blankLines && rng.next() < 0.2) lines.push('');
  }
  return { text: (g.bom ? '\uFEFF' : '') + lines.join(eol) + (rng.next() < 0.5 ? eol : ''), models, items };
}

function answersText(rng: Rng, models: string[], items: string[], d = ','): string {
  const cols = [...items].reverse();
  const rows = [...models].reverse();
  const q = (s: string) => (s.includes(d) || s.includes('"') ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['model', ...cols].join(d)];
  for (const m of rows) lines.push([q(m), ...cols.map(() => pick(rng, ['A', ' B ', 'C', 'NONE', '', 'NA', 'x y', 'A']))].join(d));
  return lines.join('\n') + '\n';
}

interface LongGen {
  m: number;
  n: number;
  csv?: boolean;
  array?: boolean;
  graded?: boolean;
  tasks?: string[];
  answers?: boolean;
  text?: boolean;
  dupRate?: number;
  bigIds?: boolean;
  blankLines?: boolean;
  na?: string[];
  fields?: { model: string; item: string; score: string };
}

function longText(rng: Rng, g: LongGen): string {
  const f = g.fields ?? { model: 'model', item: 'item', score: 'score' };
  const rows: Record<string, unknown>[] = [];
  for (let k = 0; k < g.m; k++) {
    for (let i = 0; i < g.n; i++) {
      if (rng.next() < 0.1) continue;
      const reps = rng.next() < (g.dupRate ?? 0) ? 2 : 1;
      for (let r = 0; r < reps; r++) {
        const row: Record<string, unknown> = {};
        if (g.tasks) row.task = pick(rng, g.tasks);
        row[f.model] = rng.next() < 0.05 ? ` m${k} ` : `m${k}`;
        row[f.item] = g.bigIds ? `BIG${9007199254740993n + BigInt(i)}` : rng.next() < 0.3 ? i : `q${i}`;
        const s = cellText(rng, Boolean(g.graded), g.na ?? []);
        row[f.score] = g.csv ? s : s === '' ? (rng.next() < 0.5 ? null : '') : rng.next() < 0.5 && /^[\d.]+$/.test(s) ? Number(s) : s;
        if (g.answers) row.answer = pick(rng, ['A', 'B', ' C ', 'NONE', '', null, 7]);
        if (g.text) row.prompt = rng.next() < 0.1 ? `variant ${i}` : `prompt ${i}, "quoted"`;
        rows.push(row);
      }
    }
  }
  // Interleave models (a leaderboard dump is not sorted by model).
  for (let i = rows.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  if (g.array) return JSON.stringify(rows);
  if (!g.csv) {
    let text = rows.map((r) => JSON.stringify(r)).join('\n');
    if (g.bigIds) text = text.replace(/"BIG(\d+)"/g, '$1');
    if (g.blankLines) text = text.replace(/\n/g, (x) => (rng.next() < 0.1 ? '\n\n  ' + x : x));
    return text + '\n';
  }
  const keys = Object.keys(rows[0]);
  const q = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[,"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [keys.join(','), ...rows.map((r) => keys.map((k) => q(r[k])).join(','))].join('\n') + '\n';
}

describe('streaming ingest = the whole-file implementation', () => {
  it('the example files', async () => {
    await same('wide', [join(EXAMPLES, 'scores.csv')], { answers: [join(EXAMPLES, 'answers.csv')] });
    await same('wide', [join(EXAMPLES, 'scores.csv')]);
    await same('long', [join(EXAMPLES, 'long.csv')]);
  });

  it('generated wide CSVs: dialects, graded, missing, --na-values, duplicates, answers, gzip, several files', async () => {
    const rng = createRng(15);
    const s = await scratch();
    const variants: WideGen[] = [
      { m: 6, n: 9 },
      { m: 5, n: 7, graded: true },
      { m: 4, n: 6, crlf: true, bom: true, blankLines: true },
      { m: 5, n: 5, quoted: true, graded: true },
      { m: 5, n: 5, quoted: true, crlf: true },
      { m: 4, n: 6, delimiter: ';' },
      { m: 4, n: 6, delimiter: '\t' },
      { m: 4, n: 5, dupRow: true },
      { m: 4, n: 5, emptyColumn: true },
      { m: 5, n: 6, na: ['NA', '-'], graded: true },
      { m: 4, n: 5, unicode: true },
      { m: 3, n: 40, unicode: true, crlf: true },
    ];
    for (const [k, g] of variants.entries()) {
      const { text, models, items } = wideText(rng, g);
      const na = g.na ? { naValues: g.na } : {};
      const ext = g.delimiter === '\t' ? 'tsv' : 'csv';
      const p = await s.write(`w${k}.${ext}`, text);
      await same('wide', [p], na);
      await same('wide', [await s.write(`w${k}.${ext}.gz`, text, true)], na);
      for (const policy of ['error', 'mean', 'first', 'last'] as const) if (g.dupRow) await same('wide', [p], na, { onDuplicate: policy });
      if (!g.delimiter) {
        const a = await s.write(`a${k}.csv`, answersText(rng, models, items));
        await same('wide', [p], { answers: [a], ...na });
        await same('wide', [p], { answers: [a], naValues: ['NA'] });
        if (g.dupRow) await same('wide', [p], { answers: [a] }, { onDuplicate: 'last' });
      }
    }
    // Two scores files sharing models and items (duplicates across files) and with their own.
    const one = await s.write('one.csv', 'model,q1,q2,q3\nm1,1,0,1\nm2,0,1,\n');
    const two = await s.write('two.csv', 'model,q3,q4\nm3,1,0\nm1,,1\nm2,0,\n');
    await same('wide', [one, two]);
    await same('wide', [one, two, one], {}, { onDuplicate: 'mean' });
    await same('wide', [one, two, one]);
  });

  it('generated long files: JSON Lines, CSV, JSON arrays, tasks, answers, texts, duplicates, big ids', async () => {
    const rng = createRng(16);
    const s = await scratch();
    const variants: { g: LongGen; opts: FormatOptions[]; policies?: DuplicatePolicy[] }[] = [
      { g: { m: 5, n: 8 }, opts: [{}] },
      { g: { m: 5, n: 8, graded: true, blankLines: true }, opts: [{}] },
      { g: { m: 4, n: 6, csv: true, graded: true }, opts: [{}] },
      { g: { m: 4, n: 5, array: true }, opts: [{}] },
      { g: { m: 4, n: 6, answers: true }, opts: [{}, { naValues: ['NA'] }] },
      { g: { m: 4, n: 6, answers: true, csv: true }, opts: [{}] },
      { g: { m: 4, n: 6, text: true }, opts: [{ textField: ['prompt'] }] },
      { g: { m: 4, n: 6, text: true, csv: true }, opts: [{ textField: ['prompt'] }] },
      { g: { m: 4, n: 6, tasks: ['x', 'y'] }, opts: [{}, { task: 'x' }, { task: 'all' }, { task: 'z' }] },
      { g: { m: 4, n: 6, tasks: ['x'], text: true }, opts: [{ task: 'all', textField: ['prompt'] }, {}] },
      { g: { m: 4, n: 6, dupRate: 0.2, answers: true }, opts: [{}], policies: ['error', 'mean', 'first', 'last'] },
      { g: { m: 4, n: 6, bigIds: true }, opts: [{}] },
      { g: { m: 4, n: 6, na: ['NA', 'null'], csv: true }, opts: [{ naValues: ['NA', 'null'] }, {}] },
      { g: { m: 4, n: 6, fields: { model: 'who', item: 'qid', score: 'pass@1' } }, opts: [{}, { modelField: 'who', itemField: 'qid', scoreField: 'pass@1' }] },
    ];
    for (const [k, v] of variants.entries()) {
      const text = longText(rng, v.g);
      const ext = v.g.csv ? 'csv' : v.g.array ? 'json' : 'jsonl';
      const p = await s.write(`l${k}.${ext}`, text);
      const gz = await s.write(`l${k}.${ext}.gz`, text, true);
      for (const o of v.opts) {
        for (const policy of v.policies ?? ['error']) {
          await same('long', [p], o, { onDuplicate: policy });
          await same('long', [gz], o, { onDuplicate: policy });
        }
      }
    }
    // Several files: task per file, a file without the task column, duplicates across files.
    const a = await s.write('t/a.jsonl', '{"task":"x","model":"m1","item":"1","score":1}\n{"task":"x","model":"m2","item":"1","score":0}\n{"task":"x","model":"m1","item":"2","score":0}\n');
    const b = await s.write('t/b.jsonl', '{"task":"y","model":"m1","item":"1","score":1}\n{"task":"y","model":"m2","item":"2","score":1}\n');
    const c = await s.write('t/c.jsonl', '{"model":"m2","item":"1","score":1}\n{"model":"m1","item":"2","score":1}\n');
    for (const o of [{}, { task: 'all' }, { task: 'x' }, { task: 'y' }]) {
      await same('long', [a, b], o);
      await same('long', [a, c], o);
      await same('long', [a, b, c], o, { onDuplicate: 'first' });
    }
    // "x:1" under task "x" and "1" under "x:" … ids that collide once prefixed.
    const d = await s.write('t/d.jsonl', '{"task":"x","model":"m1","item":"y:1","score":1}\n{"task":"x:y","model":"m1","item":"1","score":0}\n{"task":"x","model":"m2","item":"y:1","score":1}\n{"task":"x:y","model":"m2","item":"2","score":0}\n');
    for (const policy of ['error', 'mean', 'last'] as const) await same('long', [d], { task: 'all' }, { onDuplicate: policy });
  });

  it('bad inputs: the same first error, whatever the read size', async () => {
    const s = await scratch();
    const bad = (name: string, text: string | Buffer) => s.write(name, text as string);
    const enc = (t: string) => Buffer.from(t);
    const wide: [string, string | Buffer, FormatOptions?, MergeOpts?][] = [
      ['empty.csv', ''],
      ['blank.csv', '\n  \r\n'],
      ['header.csv', 'model,q1,q2\n'],
      ['one-col.csv', 'model\nm1\nm2\n'],
      ['count.csv', 'model,q1,q2,q3\nm1,1,0,1\nm2,1,0\nm3,1,1,1\n'],
      ['count-after-cell.csv', 'model,q1,q2\nm1,x,0\nm2,1\n'],
      ['cell-then-model.csv', 'model,q1,q2\nm1,x,0\n,1,1\n'],
      ['dup-col-then-cell.csv', 'model,q1,q1\nm1,x,0\n'],
      ['empty-id.csv', 'model,q1,,q3\nm1,1,0,1\n'],
      ['nan.csv', 'model,q1,q2\nm1,1,NaN\nm2,0,1\n'],
      ['na.csv', 'model,q1,q2\nm1,1,NA\nm2,0,1\n'],
      ['range.csv', 'model,q1,q2\nm1,1,0\nm2,3,1\nm3,x,1\n'],
      ['range2.csv', 'model,q1,q2\nm1,1,0\nm2,3,1\n'],
      ['dup.csv', 'model,q1,q2\nm1,1,0\nm2,0,1\nm1,1,1\n'],
      ['one-model.csv', 'model,q1,q2\nm1,1,0\n'],
      ['quote.csv', 'model,q1\nm1,"1\nm2,0\n'],
      ['quote-late.csv', 'model,q1,q2\nm1,1\nm2,0,1\nm3,"1,0\n'],
      ['ambiguous.csv', 'model;x,q1;y,q2\nm1;1,0;1,1\nm2;0,1;0,1\n'],
      ['utf8.csv', Buffer.concat([enc('model,q1,q2\nm1,x,0\nm2,'), Buffer.from([0xff]), enc(',1\n')])],
      ['utf8-tail.csv', Buffer.concat([enc('model,q1,q2\nm1,1,0\nm2,0,1\n'), Buffer.from([0xe2, 0x82])])],
      ['surrogate.csv', Buffer.concat([enc('model,q1,q2\nm1,1,0\n'), Buffer.from([0xed, 0xa0, 0x80]), enc('\n')])],
      ['overflow.csv', 'model,q1,q2\nm1,1,0\nm2,1e999,1\n'],
      ['x.csv.gz', 'model,q1\nm1,1\n'],
    ];
    for (const [name, text, opts, m] of wide) {
      const p = await bad(name, text);
      const out = await same('wide', [p], opts ?? {}, m ?? {});
      expect(typeof out === 'string' ? out : 'ok', name).toMatch(/^error: /);
    }
    const sc = await s.write('s.csv', 'model,q1,q2\nm1,1,NA\nm2,0,1\n');
    const cases: [string, FormatOptions][] = [
      ['model,q1,q2\nm1,B,NA\nm2,None,C\n', { naValues: ['NA', 'None'] }],
      ['model,q1\nm1,A\n', {}],
      ['model,q1,q2\nm1,A\n', {}],
    ];
    for (const [k, [text, opts]] of cases.entries()) {
      const out = await same('wide', [sc], { answers: [await s.write(`ans${k}.csv`, text)], ...opts });
      expect(typeof out === 'string' ? out : 'ok').toMatch(/^error: /);
    }
    // A gzip file cut short: the gzip error, not what its text would give.
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(Buffer.from('model,q1,q2\nm1,x,0\n' + 'm2,1,0\n'.repeat(2000)));
    expect(await same('wide', [await bad('cut.csv.gz', gz.subarray(0, gz.length - 20))])).toMatch(/corrupt gzip data/);

    const long: [string, string | Buffer, FormatOptions?][] = [
      ['l1.jsonl', '{"model":"a","item":"1","score":1}\n{"model":"b",\n'],
      ['l2.jsonl', '{"model":"a","item":"1","score":1}\n[1,2]\n'],
      ['l3.jsonl', '{"model":"a","item":"1","score":2}\n{"model":"b","item":"1","score":"x"}\n'],
      ['l4.jsonl', '{"model":"a","item":"1","score":"x"}\n{"model":"b",\n'],
      ['l5.jsonl', '{"model":"a","item":"1","score":1}\n{"model":"","item":"1","score":1}\n'],
      ['l6.jsonl', '{"model":"a","item":null,"score":1}\n'],
      ['l7.jsonl', '{"a":1,"b":2}\n{"a":1,"b":3}\n'],
      ['l8.jsonl', '{"a":1,"b":2}\n{"a":1,\n'],
      ['l9.jsonl', '\n \n'],
      ['l10.csv', 'model,item,score\na,1,1\nb,1,Infinity\n'],
      ['l11.csv', 'model,item,score,answer\na,1,1,B\na,2,NA,NA\nb,1,0,None\nb,2,1,C\n', { naValues: ['NA', 'None'] }],
      ['l12.csv', 'model;x,item;y,score\na;1,1;2,1\n'],
      ['l13.jsonl', '{"task":"x","model":"a","item":"1","score":"bad"}\n{"task":"y","model":"a","item":"1","score":1}\n'],
      ['l14.jsonl', '{"task":"x","model":"a","item":"1","score":1}\n'],
      ['l15.jsonl', '{"model":"a","item":"1","score":1}\n{"model":"a","item":"1","score":0}\n'],
      ['l16.json', '[{"model":"a","item":"1","score":1},{"model":"a","item":"1","score":0}]'],
      ['l17.json', '[{"model":"a","item":"1","score":1},3]'],
      ['l18.jsonl', Buffer.concat([enc('{"model":"a","item":"1","score":"x"}\n'), Buffer.from([0xc3]), enc('\n')])],
      ['l19.csv', 'model,item,score\na,1,1\nb,1\n'],
      ['l20.csv', 'model,item,score\na,1,x\nb,"1,1\n'],
    ];
    for (const [name, text, opts] of long) {
      const p = await bad(name, text);
      const out = await same('long', [p], opts ?? (name === 'l14.jsonl' ? { task: 'nope' } : {}));
      expect(typeof out === 'string' ? out : 'ok', name).toMatch(/^error: /);
    }
    // Across files: file 1's bad row waits for file 2's problems.
    const f1 = await s.write('m/1.jsonl', '{"model":"a","item":"1","score":"x"}\n');
    const f2 = await s.write('m/2.jsonl', '{"model":"a","item":"1","score":1}\n{"model":\n');
    const f3 = await s.write('m/3.jsonl', '{"who":"a","item":"1","score":1}\n');
    expect(await same('long', [f1, f2])).toMatch(/2\.jsonl:2/);
    expect(await same('long', [f1, f3])).toMatch(/3\.jsonl/);
  });

  const sharedDir = (name: string) => join(SHARED, name);
  it.skipIf(!existsSync(SHARED))('the real datasets in ../shared/data (wide, with answers)', async () => {
    const pairs: [string, string | null][] = [];
    for (const dir of ['mmlu-pro', 'textclass', 'zeroeval', 'irt']) {
      if (!existsSync(sharedDir(dir))) continue;
      for (const f of readdirSync(sharedDir(dir)).sort()) {
        if (!/correct_matrix\.csv$/.test(f)) continue;
        const pred = f.replace('correct_matrix', 'pred_matrix');
        pairs.push([join(sharedDir(dir), f), existsSync(join(sharedDir(dir), pred)) ? join(sharedDir(dir), pred) : null]);
      }
    }
    expect(pairs.length).toBeGreaterThan(0);
    setStreamChunkBytes(1 << 20);
    for (const [scores, pred] of pairs) {
      const opts: FormatOptions = pred ? { answers: [pred] } : {};
      const legacy = await outcome(legacyReadWide, legacyMergeParts as typeof mergeParts, [scores], opts, {});
      const now = await outcome(readWide, mergeParts, [scores], opts, {});
      expect(now, scores).toEqual(legacy);
      expect(typeof now, scores).toBe('object');
    }
  }, 300_000);

  const LE = join(FIXTURES, 'lighteval/lighteval-0.13.0-dummy-model');
  it.skipIf(!existsSync(LE))('lighteval details read model by model (the fixture, and it copied as several models)', async () => {
    const cmp = async (files: string[], opts: FormatOptions, m: MergeOpts = {}) => {
      const legacy = await outcome(legacyReadLighteval, legacyMergeParts as typeof mergeParts, files, opts, m);
      const now = await outcome(lightevalFormat.read, mergeParts, files, opts, m);
      expect(now, `${JSON.stringify(opts)} ${JSON.stringify(m)}`).toEqual(legacy);
      return now;
    };
    for (const opts of [{}, { task: 'anli:r1' }, { task: 'squad_v2' }, { task: 'all' }, { task: 'squad_v2', metric: 'f1' }]) {
      await cmp(filesUnder(LE), opts);
      await cmp(filesUnder(join(LE, 'details')), opts);
    }
    // A leaderboard-like folder: the one model's details under four model names, two with results files.
    const s = await scratch();
    const root = join(s.inputs, 'oll');
    const ts = '2026-08-10T17-22-11.385681';
    for (const [k, name] of ['alpha', 'beta', 'gamma', 'delta'].entries()) {
      await cp(join(LE, 'details/eee-smoke/dummy-model', ts), join(root, 'details/org', name, ts.replace('17-22', `1${k}-22`)), { recursive: true });
    }
    // Details file names carry the timestamp of their folder.
    const { readdirSync: rd, renameSync } = await import('node:fs');
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
      const dir = join(root, 'details/org', name);
      const tsDir = rd(dir)[0];
      for (const f of rd(join(dir, tsDir))) renameSync(join(dir, tsDir, f), join(dir, tsDir, f.replace(ts, tsDir)));
    }
    const resultsFile = filesUnder(join(LE, 'results'))[0];
    const results = JSON.parse(await (await import('node:fs/promises')).readFile(resultsFile, 'utf8')) as { config_general: Record<string, unknown> };
    for (const [k, name] of [[0, 'alpha'], [2, 'gamma']] as const) {
      results.config_general.model_name = `org/${name}-from-results`;
      await mkdir(join(root, 'results/org', name), { recursive: true });
      await writeFileFs(join(root, 'results/org', name, `results_${ts.replace('17-22', `1${k}-22`)}.json`), JSON.stringify(results));
    }
    for (const opts of [{ task: 'anli:r1' }, { task: 'all' }, {}]) {
      const out = await cmp(filesUnder(root), opts);
      if (opts.task === 'anli:r1') expect((out as { models: string[] }).models).toHaveLength(4);
    }
  });
});
