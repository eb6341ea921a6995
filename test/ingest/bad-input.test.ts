/**
 * Every bad input gives ONE line naming the file, line/column/field and what was expected, a
 * non-zero exit, and leaves nothing in the data dir (no benchmark, no temp dirs) — checked both
 * at the function level (runIngest) and through the real CLI (main()).
 */
import { describe, expect, it } from 'vitest';
import { runIngest } from '../../pipeline/ingest/index.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { cli, context, ITEMS, leftovers, scratch, WIDE } from './helpers.ts';

interface Case {
  name: string;
  /** Files to write (name → content); `$` in args is replaced by the inputs folder. */
  files: Record<string, string>;
  args: string[];
  expect: RegExp;
}

const CASES: Case[] = [
  { name: 'missing scores file', files: {}, args: ['--scores', '$/nope.csv'], expect: /^\S*nope\.csv: file not found \(scores\)/ },
  { name: 'missing items file', files: { 's.csv': WIDE }, args: ['--scores', '$/s.csv', '--items', '$/nope.jsonl'], expect: /^\S*nope\.jsonl: file not found \(items\)/ },
  { name: 'missing positional path', files: {}, args: ['$/logs-nope'], expect: /^\S*logs-nope: file not found/ },
  { name: 'empty scores file', files: { 's.csv': '' }, args: ['--scores', '$/s.csv'], expect: /^\S*s\.csv: file is empty \(scores\) \(expected a header row and data\)/ },
  { name: 'empty items file', files: { 's.csv': WIDE, 'i.jsonl': '\n' }, args: ['--scores', '$/s.csv', '--items', '$/i.jsonl'], expect: /^\S*i\.jsonl: file is empty \(items\)/ },
  { name: 'header only', files: { 's.csv': 'model,q1,q2\n' }, args: ['--scores', '$/s.csv'], expect: /^\S*s\.csv: no model rows under the header/ },
  {
    name: 'malformed CSV row (wrong column count)',
    files: { 's.csv': 'model,q1,q2,q3\nm1,1,0,1\nm2,1,0\nm3,1,1,1\n' },
    args: ['--scores', '$/s.csv'],
    expect: /^\S*s\.csv:3: row has 3 fields, expected 4 \(one per header column\)/,
  },
  {
    name: 'malformed JSON line in the items file',
    files: { 's.csv': WIDE, 'i.jsonl': '{"id":"q1","question":"a"}\n{"id":"q2","question":"b"\n' },
    args: ['--scores', '$/s.csv', '--items', '$/i.jsonl'],
    expect: /^\S*i\.jsonl:2, column 26: malformed JSON line: .+ \(expected one JSON object per line\)/,
  },
  {
    name: 'malformed JSON line in long-format scores',
    files: { 'l.jsonl': '{"model":"a","item":"1","score":1}\n{"model":"b",\n' },
    args: ['$/l.jsonl', '--format', 'long'],
    expect: /^\S*l\.jsonl:2(, column \d+)?: malformed JSON line/,
  },
  { name: 'non-numeric score', files: { 's.csv': 'model,q1,q2\nm1,1,0\nm2,yes,1\n' }, args: ['--scores', '$/s.csv'], expect: /^\S*s\.csv:3, column 2 \(item "q1"\): non-numeric score "yes" \(expected a number in \[0, 1\]/ },
  { name: 'NaN text', files: { 's.csv': 'model,q1,q2\nm1,1,NaN\nm2,0,1\n' }, args: ['--scores', '$/s.csv'], expect: /^\S*s\.csv:2, column 3 \(item "q2"\): score is "NaN": expected a finite number/ },
  { name: 'Infinity text (long)', files: { 'l.csv': 'model,item,score\na,1,1\nb,1,Infinity\n' }, args: ['$/l.csv'], expect: /^\S*l\.csv:3, field "score": score is "Infinity": expected a finite number/ },
  { name: 'duplicate model rows', files: { 's.csv': 'model,q1,q2\nm1,1,0\nm2,0,1\nm1,1,1\n' }, args: ['--scores', '$/s.csv'], expect: /^\S*s\.csv:4: model "m1" has two rows \(lines 2 and 4\) \(use --on-duplicate/ },
  {
    name: 'duplicate (model, item) across long files',
    files: { 'a.jsonl': '{"model":"a","item":"1","score":1}\n{"model":"b","item":"1","score":1}\n{"model":"a","item":"2","score":0}\n{"model":"b","item":"2","score":1}\n', 'b.jsonl': '{"model":"a","item":"2","score":1}\n' },
    args: ['$/a.jsonl', '$/b.jsonl'],
    expect: /^\S*b\.jsonl:1: model "a" has more than one result for item "2" \(\S*a\.jsonl:3 and \S*b\.jsonl:1\)/,
  },
  {
    name: 'duplicate item ids in items',
    files: { 's.csv': WIDE, 'i.jsonl': ITEMS + '{"id":"q2","question":"again"}\n' },
    args: ['--scores', '$/s.csv', '--items', '$/i.jsonl'],
    expect: /^\S*i\.jsonl:4, field "id": duplicate item id "q2" \(first at line 2\)/,
  },
  {
    name: 'id field absent',
    files: { 's.csv': WIDE, 'i.jsonl': ITEMS + '{"question":"no id"}\n' },
    args: ['--scores', '$/s.csv', '--items', '$/i.jsonl', '--id-field', 'id'],
    expect: /^\S*i\.jsonl:4, field "id": id field "id" is absent \(every item needs the field named by --id-field\)/,
  },
  {
    name: 'id field named wrongly',
    files: { 's.csv': WIDE, 'i.jsonl': ITEMS },
    args: ['--scores', '$/s.csv', '--items', '$/i.jsonl', '--id-field', 'question_id'],
    expect: /^\S*i\.jsonl:1, field "question_id": id field "question_id" is absent/,
  },
  {
    name: 'text field absent from every item (the fields that exist are listed)',
    files: { 's.csv': WIDE, 'i.jsonl': '{"id":"q1","prompt":"a"}\n{"id":"q2","prompt":"b","kind":"image"}\n' },
    args: ['--scores', '$/s.csv', '--items', '$/i.jsonl', '--text-field', 'question'],
    expect: /^\S*i\.jsonl, field "question": text field "question" is absent from every item \(check --text-field \(fields: id, prompt, kind\)\)$/,
  },
  {
    name: 'two delimiters equally plausible',
    files: { 's.csv': 'model;x,q1;y,q2\nm1;1,0;1,1\nm2;0,1;0,1\n' },
    args: ['--scores', '$/s.csv'],
    expect: /^\S*s\.csv:1: cannot tell the delimiter: the first lines split into 3 columns on comma and on semicolon \(pass --delimiter comma or --delimiter semicolon\)$/,
  },
  {
    name: 'two delimiters equally plausible in a long file given as a path',
    files: { 'l.csv': 'model;x,item;y,score\na;1,1;2,1\n' },
    args: ['$/l.csv'],
    expect: /^\S*l\.csv:1: cannot tell the delimiter: the first lines split into 3 columns on comma and on semicolon \(pass --delimiter comma or --delimiter semicolon\)$/,
  },
  { name: '--delimiter not a delimiter', files: { 's.csv': WIDE }, args: ['--scores', '$/s.csv', '--delimiter', 'pipes'], expect: /^field "--delimiter": --delimiter "pipes": expected comma, tab, semicolon, auto or a single character$/ },
  { name: '--na-values holding a score', files: { 's.csv': WIDE }, args: ['--scores', '$/s.csv', '--na-values', 'NA,-1'], expect: /^field "--na-values": --na-values "-1" is a score value: it cannot also mean a missing result/ },
  { name: '--na-values holding the none-marker', files: { 's.csv': WIDE }, args: ['--scores', '$/s.csv', '--na-values', 'NA,NONE'], expect: /^field "--na-values": --na-values includes the none-marker "NONE"/ },
  {
    name: '--na-values colliding with a real answer (wide)',
    files: { 's.csv': 'model,q1,q2\nm1,1,NA\nm2,0,1\n', 'a.csv': 'model,q1,q2\nm1,B,NA\nm2,None,C\n' },
    args: ['--scores', '$/s.csv', '--answers', '$/a.csv', '--na-values', 'NA,None'],
    expect: /^\S*a\.csv:3, column 2: answer "None" \(model "m2", item "q1"\) is one of --na-values, but its score cell holds 0 \(if "None" is a real answer, leave it out of --na-values; if it means "no answer extracted", pass --none-marker None\)$/,
  },
  {
    name: '--na-values colliding with a real answer (long)',
    files: { 'l.csv': 'model,item,score,answer\na,1,1,B\na,2,NA,NA\nb,1,0,None\nb,2,1,C\n' },
    args: ['$/l.csv', '--na-values', 'NA,None'],
    expect: /^\S*l\.csv:4, field "answer": answer "None" is one of --na-values, but the row has a score/,
  },
  {
    name: 'R missing values without --na-values: the hint names the option',
    files: { 's.csv': 'model,q1,q2\nm1,1,NA\nm2,0,1\n' },
    args: ['--scores', '$/s.csv'],
    expect: /^\S*s\.csv:2, column 3 \(item "q2"\): non-numeric score "NA" \(.*pass --na-values NA if "NA" marks a missing result\)$/,
  },
  {
    name: 'second text field absent everywhere',
    files: { 's.csv': WIDE, 'i.jsonl': ITEMS },
    args: ['--scores', '$/s.csv', '--items', '$/i.jsonl', '--text-field', 'question,choices'],
    expect: /^\S*i\.jsonl, field "choices": text field "choices" is absent from every item/,
  },
  { name: 'name with a path separator', files: { 's.csv': WIDE }, args: ['--scores', '$/s.csv', '--name', 'a/b'], expect: /^field "--name": invalid benchmark name "a\/b": expected 1–128 letters, digits/ },
  { name: 'name with ..', files: { 's.csv': WIDE }, args: ['--scores', '$/s.csv', '--name', '..'], expect: /^field "--name": invalid benchmark name "\.\."/ },
  { name: 'name a..b', files: { 's.csv': WIDE }, args: ['--scores', '$/s.csv', '--name', 'a..b'], expect: /invalid benchmark name "a\.\.b"/ },
  {
    name: 'items file of another benchmark',
    files: { 's.csv': WIDE, 'i.jsonl': '{"id":"gsm-1","question":"a"}\n{"id":"gsm-2","question":"b"}\n' },
    args: ['--scores', '$/s.csv', '--items', '$/i.jsonl'],
    expect: /^\S*i\.jsonl: the items file shares no item id with the scores \(items: "gsm-1", "gsm-2"…; scores: "q1", "q2", "q3"…\)/,
  },
  { name: 'one model', files: { 's.csv': 'model,q1,q2\nm1,1,0\n' }, args: ['--scores', '$/s.csv'], expect: /^\S*s\.csv: the scores hold 1 model × 2 items: at least 2 models and 2 items are needed/ },
  { name: 'one item', files: { 's.csv': 'model,q1\nm1,1\nm2,0\n' }, args: ['--scores', '$/s.csv'], expect: /^\S*s\.csv: the scores hold 2 models × 1 item/ },
  { name: 'one non-empty item column', files: { 's.csv': 'model,q1,q2\nm1,1,\nm2,0,\n' }, args: ['--scores', '$/s.csv'], expect: /2 models × 1 item/ },
  { name: 'score outside [0, 1]', files: { 's.csv': 'model,q1,q2\nm1,1,0\nm2,3,1\n' }, args: ['--scores', '$/s.csv'], expect: /^\S*s\.csv:3: score 3 \(model "m2", item "q1"\) is outside \[0, 1\].*--rescale/ },
  { name: 'answers of another shape', files: { 's.csv': WIDE, 'a.csv': 'model,q1\nm1,A\n' }, args: ['--scores', '$/s.csv', '--answers', '$/a.csv'], expect: /^\S*a\.csv: answers file does not match the scores file/ },
  { name: 'nothing to ingest', files: {}, args: [], expect: /^field "--scores": nothing to ingest/ },
];

function materialise(args: string[], inputs: string): string[] {
  return args.map((a) => a.replace(/^\$/, inputs));
}

describe('bad input: one clear line, nothing on disk', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const s = await scratch();
      for (const [f, text] of Object.entries(c.files)) await s.write(f, text);
      const args = materialise(c.args, s.inputs);
      const argv: Record<string, unknown> = { name: 'bench', paths: [] as string[] };
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a.startsWith('--')) {
          const key = a.slice(2).replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
          argv[key] = args[++i];
        } else (argv.paths as string[]).push(a);
      }
      let err: unknown;
      try {
        await runIngest(context(s.dataDir), argv);
      } catch (e) {
        err = e;
      }
      expect(err, 'runIngest should throw').toBeInstanceOf(CovaryError);
      const line = (err as CovaryError).toLine();
      expect(line).toMatch(c.expect);
      expect(line).not.toContain('\n');
      expect(await leftovers(s.dataDir)).toEqual([]);

      // The same through the real CLI: exit code non-zero, exactly one stderr line, nothing on stdout.
      const hasName = args.includes('--name');
      const r = await cli(['ingest', '--data-dir', s.dataDir, ...(hasName ? [] : ['--name', 'bench']), ...args]);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^covary: error: /);
      expect(r.stderr.replace(/^covary: error: /, '').trimEnd()).toMatch(c.expect);
      expect(await leftovers(s.dataDir)).toEqual([]);
    });
  }
});
