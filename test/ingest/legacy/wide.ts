// Frozen copy of the pre-streaming implementation (commit 3f29223): the reference the streaming readers are compared against.
/**
 * Wide format: a scores CSV with one row per model and one column per item. The first column
 * holds model identifiers whatever its header says; every other header is an item id; an empty
 * cell is a missing result (never a wrong one). An optional answers CSV of the same shape gives
 * each model's extracted answer (the none-marker, default "NONE", = no answer extracted).
 */
import { CovaryError } from '../../../pipeline/core/errors.ts';
import type { SourceFile } from '../../../pipeline/core/store.ts';
import type { FormatOptions, IngestFormat, IngestParts, ScoreRecord, SourceLocation } from '../../../pipeline/ingest/types.ts';
import { delimiterNote, isCsvPath, loadFile, parseCsv, parseScore, readHead, sniffDelimiter, type CsvTable } from '../../../pipeline/ingest/read.ts';
import { looksLikeLongHeader } from './long.ts';

const SCORE_CELL = /^\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|true|false|TRUE|FALSE|True|False)?\s*$/;

function splitCsvLine(line: string, delimiter: string): string[] {
  // Detection only: a plain split is enough to look at the first data row's cells.
  return line.split(delimiter).map((c) => c.replace(/^"|"$/g, ''));
}

/** True when the file's header has ≥ 3 columns and the first data row is a model name followed by score cells. */
export async function looksWide(path: string): Promise<boolean> {
  if (!isCsvPath(path)) return false;
  const head = await readHead(path, 2);
  if (!head) return false;
  const [h, first] = head.split('\n');
  if (!h || !first) return false;
  let delimiter: string;
  try {
    delimiter = sniffDelimiter(head + '\n', path).delimiter;
  } catch {
    return false;
  }
  const header = splitCsvLine(h, delimiter).map((x) => x.trim());
  if (header.length < 3 || looksLikeLongHeader(header)) return false;
  const cells = splitCsvLine(first, delimiter);
  if (cells.length !== header.length) return false;
  return cells.slice(1).every((c) => SCORE_CELL.test(c));
}

interface WideTable {
  path: string;
  table: CsvTable;
  models: string[];
  items: string[];
  source: SourceFile;
}

async function readWideTable(path: string, role: string, delimiter?: string): Promise<WideTable> {
  const file = await loadFile(path, role);
  const table = parseCsv(file, delimiter);
  if (table.header.length < 2) {
    throw new CovaryError(`header has ${table.header.length} column: expected the model column then one column per item`, { file: path, line: table.headerLine });
  }
  const items = table.header.slice(1);
  const firstCol = new Map<string, number>();
  items.forEach((id, j) => {
    if (id === '') throw new CovaryError(`empty item id in the header`, { file: path, line: table.headerLine, column: j + 2 }, 'every column after the first needs an item id');
    const prev = firstCol.get(id);
    if (prev !== undefined) {
      throw new CovaryError(`item id "${id}" heads two columns (${prev + 2} and ${j + 2})`, { file: path, line: table.headerLine, column: j + 2 }, 'item ids must be unique');
    }
    firstCol.set(id, j);
  });
  if (table.rows.length === 0) throw new CovaryError('no model rows under the header', { file: path }, 'expected one row per model');
  const models = table.rows.map((r) => {
    const m = r.fields[0].trim();
    if (m === '') throw new CovaryError('empty model name in the first column', { file: path, line: r.line, column: 1 });
    return m;
  });
  return { path, table, models, items, source: file.source };
}

function describeDiff(a: string[], b: string[], what: string): string | null {
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA = a.filter((x) => !sb.has(x));
  const onlyB = b.filter((x) => !sa.has(x));
  if (!onlyA.length && !onlyB.length) return null;
  const show = (xs: string[]) => xs.slice(0, 3).map((x) => `"${x}"`).join(', ') + (xs.length > 3 ? ` and ${xs.length - 3} more` : '');
  const parts: string[] = [];
  if (onlyB.length) parts.push(`${what} not in the scores: ${show(onlyB)}`);
  if (onlyA.length) parts.push(`${what} missing from the answers: ${show(onlyA)}`);
  return parts.join('; ');
}

export async function readWide(files: string[], options: FormatOptions): Promise<IngestParts> {
  const answers = options.answers ?? [];
  if (answers.length && answers.length !== files.length) {
    throw new CovaryError(`${files.length} scores file(s) but ${answers.length} answers file(s)`, { field: '--answers' }, 'give one --answers file per --scores file, in the same order');
  }
  const none = options.noneMarker ?? 'NONE';
  const na = options.naValues?.length ? new Set(options.naValues) : undefined;
  const records: ScoreRecord[] = [];
  const sources: SourceFile[] = [];
  const notes: string[] = [];
  const modelOrder: string[] = [];
  const itemOrder: string[] = [];
  const seenModel = new Set<string>();
  const seenItem = new Set<string>();
  for (let f = 0; f < files.length; f++) {
    const w = await readWideTable(files[f], 'scores', options.delimiter);
    sources.push(w.source);
    const dn = delimiterNote(w.path, w.table);
    if (dn) notes.push(dn);
    let ans: WideTable | null = null;
    let rowOf: Map<string, number> | null = null;
    let colOf: Int32Array | null = null;
    if (answers[f]) {
      ans = await readWideTable(answers[f], 'answers', options.delimiter);
      sources.push(ans.source);
      const an = delimiterNote(ans.path, ans.table);
      if (an) notes.push(an);
      const dm = describeDiff(w.models, ans.models, 'models');
      const di = describeDiff(w.items, ans.items, 'item ids');
      if (dm || di) {
        throw new CovaryError(`answers file does not match the scores file ${w.path}: ${[dm, di].filter(Boolean).join('; ')}`, { file: ans.path }, 'the answers CSV must have the same models and item ids as the scores CSV');
      }
      rowOf = new Map();
      ans.models.forEach((m, r) => {
        if (!rowOf!.has(m)) rowOf!.set(m, r);
      });
      const ansCol = new Map(ans.items.map((id, j) => [id, j]));
      colOf = Int32Array.from(w.items, (id) => ansCol.get(id)!);
    }
    for (const m of w.models) if (!seenModel.has(m)) (seenModel.add(m), modelOrder.push(m));
    for (const id of w.items) if (!seenItem.has(id)) (seenItem.add(id), itemOrder.push(id));
    let answersWithoutScore = 0;
    let naCells = 0;
    for (let r = 0; r < w.table.rows.length; r++) {
      const row = w.table.rows[r];
      const model = w.models[r];
      const where: SourceLocation = { file: w.path, line: row.line };
      const aRow = ans && rowOf ? ans.table.rows[rowOf.get(model)!].fields : null;
      for (let j = 0; j < w.items.length; j++) {
        const cell = row.fields[j + 1];
        const score =
          cell === '1' ? 1 : cell === '0' ? 0 : cell === '' ? null : parseScore(cell, { file: w.path, line: row.line, column: `${j + 2} (item "${w.items[j]}")` }, na);
        let answer: string | null | undefined;
        if (aRow) {
          const a = aRow[colOf![j] + 1].trim();
          if (na && na.has(a) && a !== '') {
            // "NA" as an answer where there is a score: a missing answer or the literal answer "NA"? Only the user knows.
            if (score !== null) {
              throw new CovaryError(
                `answer "${a}" (model "${model}", item "${w.items[j]}") is one of --na-values, but its score cell holds ${cell.trim()}`,
                { file: ans!.path, line: ans!.table.rows[rowOf!.get(model)!].line, column: colOf![j] + 2 },
                `if "${a}" is a real answer, leave it out of --na-values; if it means "no answer extracted", pass --none-marker ${a}`,
              );
            }
            answer = undefined;
          } else answer = a === '' ? undefined : a === none ? null : a;
        }
        if (score === null) {
          if (cell.trim() !== '') naCells++;
          if (answer !== undefined) answersWithoutScore++;
          continue;
        }
        records.push(aRow ? { model, item: w.items[j], score, answer, where } : { model, item: w.items[j], score, where });
      }
    }
    if (naCells) notes.push(`${w.path}: ${naCells} score cell(s) matched --na-values (${[...na!].join(', ')}) and count as missing`);
    if (answersWithoutScore) notes.push(`${ans!.path}: ${answersWithoutScore} answer(s) where the score cell is empty were ignored`);
  }
  return { format: 'wide', records, items: [], sources, notes, modelOrder, itemOrder };
}

export const wideFormat: IngestFormat = {
  name: 'wide',
  describe: 'wide CSV: first column = model, one column per item id, cells = scores (empty = missing)',
  async detect(files: string[]) {
    if (!files.length || !files.every(isCsvPath)) return false;
    for (const f of files) if (!(await looksWide(f))) return false;
    return true;
  },
  read: readWide,
};
