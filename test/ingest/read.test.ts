import { describe, expect, it } from 'vitest';
import { loadFile, parseCsv, parseJsonRecords, parseScore, readHead } from '../../pipeline/ingest/read.ts';
import { optionLabel, readItemsFile, renderTextValue } from '../../pipeline/ingest/items.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { scratch } from './helpers.ts';

function lineOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CovaryError);
    return (e as CovaryError).toLine();
  }
  throw new Error('expected an error');
}

async function lineOfAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CovaryError);
    return (e as CovaryError).toLine();
  }
  throw new Error('expected an error');
}

describe('parseScore', () => {
  const at = { file: 'f.csv', line: 3, column: 2 };
  it('reads numbers, booleans and empty cells', () => {
    expect(parseScore('1', at)).toBe(1);
    expect(parseScore(' 0.25 ', at)).toBe(0.25);
    expect(parseScore('1e-1', at)).toBeCloseTo(0.1);
    expect(parseScore('TRUE', at)).toBe(1);
    expect(parseScore(false, at)).toBe(0);
    expect(parseScore(0.5, at)).toBe(0.5);
    expect(parseScore('', at)).toBeNull();
    expect(parseScore(null, at)).toBeNull();
  });
  it('rejects NaN/Infinity text and non-numeric cells with the location', () => {
    expect(lineOf(() => parseScore('NaN', at))).toMatch(/^f\.csv:3, column 2: score is "NaN": expected a finite number/);
    expect(lineOf(() => parseScore('-Infinity', at))).toMatch(/expected a finite number/);
    expect(lineOf(() => parseScore('inf', at))).toMatch(/expected a finite number/);
    expect(lineOf(() => parseScore('yes', at))).toMatch(/^f\.csv:3, column 2: non-numeric score "yes"/);
    expect(lineOf(() => parseScore('0x1', at))).toMatch(/non-numeric/);
    expect(lineOf(() => parseScore([1], at))).toMatch(/score is an array/);
  });
});

describe('files', () => {
  it('reads gzip transparently and hashes the raw bytes', async () => {
    const s = await scratch();
    const plain = await s.write('a.csv', 'a,b\n1,2\n');
    const gz = await s.write('a.csv.gz', 'a,b\n1,2\n', true);
    const p = await loadFile(plain, 'x');
    const g = await loadFile(gz, 'x');
    expect(g.text).toBe(p.text);
    expect(g.source.sha256).not.toBe(p.source.sha256);
    expect(await readHead(gz, 1)).toBe('a,b');
  });
  it('missing, empty, folder, bad gzip', async () => {
    const s = await scratch();
    expect(await lineOfAsync(() => loadFile(`${s.inputs}/nope.csv`, 'scores'))).toMatch(/nope\.csv: file not found \(scores\)/);
    const empty = await s.write('empty.csv', '\n  \n');
    expect(await lineOfAsync(() => loadFile(empty, 'scores'))).toMatch(/empty\.csv: file is empty/);
    expect(await lineOfAsync(() => loadFile(s.inputs, 'scores'))).toMatch(/found a folder/);
    const fake = await s.write('x.csv.gz', 'not gzip');
    expect(await lineOfAsync(() => loadFile(fake, 'scores'))).toMatch(/not gzip-compressed/);
  });
});

describe('parseCsv', () => {
  it('handles quoted fields with commas, quotes and newlines; line numbers are file lines', async () => {
    const s = await scratch();
    const f = await loadFile(await s.write('q.csv', 'model,"a,b"\n"m ""x""","1"\n"multi\nline",0\nlast,1\n'), 's');
    const t = parseCsv(f);
    expect(t.header).toEqual(['model', 'a,b']);
    expect(t.rows.map((r) => r.fields[0])).toEqual(['m "x"', 'multi\nline', 'last']);
    expect(t.rows.map((r) => r.line)).toEqual([2, 4, 5]);
  });
  it('a row with the wrong column count names its line and the expected count', async () => {
    const s = await scratch();
    const f = await loadFile(await s.write('bad.csv', 'model,q1,q2\nm1,1,0\nm2,1\n'), 's');
    expect(lineOf(() => parseCsv(f))).toMatch(/bad\.csv:3: row has 2 fields, expected 3/);
  });
  it('an unclosed quote is a malformed-CSV error with a line', async () => {
    const s = await scratch();
    const f = await loadFile(await s.write('bad.csv', 'model,q1\nm1,"1\n'), 's');
    expect(lineOf(() => parseCsv(f))).toMatch(/bad\.csv(:\d+)?: malformed CSV/);
  });
  it('the quote-free fast path agrees with csv-parse (CRLF, blank lines, whitespace, empty cells, wrong counts)', async () => {
    const s = await scratch();
    const texts = ['model,q1,q2\r\nm1,1,\r\n\r\nm2, 0 ,1\r\n', 'a,b\n1,2\n  \n3,4', 'a;b\n1;2\n', 'model,q1,q2\nm1,1\n'];
    for (const [k, t] of texts.entries()) {
      const f = await loadFile(await s.write(`p${k}.csv`, t), 's');
      const run = (fast: boolean) => {
        try {
          return parseCsv(f, ',', fast);
        } catch (e) {
          return (e as CovaryError).toLine();
        }
      };
      expect(run(true)).toEqual(run(false));
    }
  });
  it('reads TSV by extension', async () => {
    const s = await scratch();
    const f = await loadFile(await s.write('t.tsv', 'model\tq1\nm1\t1\n'), 's');
    expect(parseCsv(f).rows[0].fields).toEqual(['m1', '1']);
  });
});

describe('parseJsonRecords', () => {
  it('JSON Lines with blank lines, and JSON arrays', async () => {
    const s = await scratch();
    const l = parseJsonRecords(await loadFile(await s.write('a.jsonl', '{"a":1}\n\n{"a":2}\n'), 'x'));
    expect(l.map((r) => [r.obj.a, r.line])).toEqual([[1, 1], [2, 3]]);
    const a = parseJsonRecords(await loadFile(await s.write('a.json', '[{"a":1},{"a":2}]'), 'x'));
    expect(a.map((r) => r.obj.a)).toEqual([1, 2]);
  });
  it('a malformed line names its line number', async () => {
    const s = await scratch();
    const f = await loadFile(await s.write('b.jsonl', '{"a":1}\n{"a":2,\n'), 'x');
    expect(lineOf(() => parseJsonRecords(f))).toMatch(/b\.jsonl:2(, column \d+)?: malformed JSON line: .*\(expected one JSON object per line\)/);
    const g = await loadFile(await s.write('c.jsonl', '{"a":1}\n[1,2]\n'), 'x');
    expect(lineOf(() => parseJsonRecords(g))).toMatch(/c\.jsonl:2: line holds an array, expected a JSON object/);
  });
});

describe('items file', () => {
  it('renders arrays as lettered options and keeps scalar metadata; ids become strings', async () => {
    const s = await scratch();
    const p = await s.write('items.jsonl', '{"question_id":7,"question":"Q?","options":["x","y"],"category":"math","n":2,"tags":["a"]}\n{"question_id":8,"question":"R?","category":"law"}\n');
    const f = await readItemsFile(p, { idField: 'question_id', textFields: ['question', 'options'] });
    expect(f.items[0]).toMatchObject({ id: '7', text: 'Q?\nA. x\nB. y', metadata: { category: 'math', n: 2 } });
    expect(f.items[1]).toMatchObject({ id: '8', text: 'R?', metadata: { category: 'law' } });
    expect(f.items[0].metadata).not.toHaveProperty('tags');
    expect(f.notes.join(' ')).toMatch(/non-scalar fields not kept as metadata: tags/);
  });
  it('auto-detects id and text fields', async () => {
    const s = await scratch();
    const f = await readItemsFile(await s.write('i.jsonl', '{"item":0,"text":"hello","gold":"1"}\n'), {});
    expect(f.idField).toBe('item');
    expect(f.items[0]).toMatchObject({ id: '0', text: 'hello', metadata: { gold: '1' } });
  });
  it('option labels go A…Z then AA', () => {
    expect([0, 1, 25, 26, 27].map(optionLabel)).toEqual(['A', 'B', 'Z', 'AA', 'AB']);
    expect(renderTextValue([])).toBeNull();
    expect(renderTextValue({ a: 1 })).toBe('{"a":1}');
  });
});
