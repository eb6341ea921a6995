/**
 * Wide format: a scores CSV with one row per model and one column per item. The first column
 * holds model identifiers whatever its header says; every other header is an item id; an empty
 * cell is a missing result (never a wrong one). An optional answers CSV of the same shape gives
 * each model's extracted answer (the none-marker, default "NONE", = no answer extracted).
 */
import { CovaryError } from '../../core/errors.ts';
import type { SourceFile } from '../../core/store.ts';
import type { FormatOptions, IngestFormat, IngestParts } from '../types.ts';
import { BAD_SCORE, delimiterNote, isCsvPath, parseScore, readHead, scoreValue, sniffDelimiter } from '../read.ts';
import { scanInput, streamCsv, textHead, type ScannedInput } from '../stream.ts';
import { CellLog, KeyIndex, LOG_ANSWER_NULL, LOG_ANSWER_UNDEFINED } from '../cells.ts';
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

interface WideScan {
  items: string[];
  /** The model of every row, in order. */
  models: string[];
}

/**
 * One streamed pass over a wide CSV, with the checks and errors of reading it whole, in that
 * order: CSV structure (malformed CSV, then the first row with a wrong field count), the header
 * (fewer than 2 columns, an empty or repeated item id), no rows, the first empty model name.
 * `onHeader` and `onRow` see the file while it is sound; the first error `onRow` throws (a bad
 * score cell) is thrown after all of those, as when the cells were read after the whole table.
 */
async function wideScan(
  scan: ScannedInput,
  delimiter: string,
  onHeader?: (items: string[]) => void,
  onRow?: (fields: string[], line: number, model: string, row: number) => void,
): Promise<WideScan> {
  const path = scan.path;
  let items: string[] = [];
  let headerError: CovaryError | null = null;
  let modelError: CovaryError | null = null;
  let rowError: unknown = null;
  const models: string[] = [];
  await streamCsv(scan, delimiter, {
    header(header, line) {
      if (header.length < 2) {
        headerError = new CovaryError(`header has ${header.length} column: expected the model column then one column per item`, { file: path, line });
        return;
      }
      items = header.slice(1);
      const firstCol = new Map<string, number>();
      for (let j = 0; j < items.length && !headerError; j++) {
        const id = items[j];
        if (id === '') headerError = new CovaryError(`empty item id in the header`, { file: path, line, column: j + 2 }, 'every column after the first needs an item id');
        const prev = firstCol.get(id);
        if (!headerError && prev !== undefined) {
          headerError = new CovaryError(`item id "${id}" heads two columns (${prev + 2} and ${j + 2})`, { file: path, line, column: j + 2 }, 'item ids must be unique');
        }
        firstCol.set(id, j);
      }
      if (!headerError) onHeader?.(items);
    },
    row(fields, line) {
      const model = fields[0].trim();
      models.push(model);
      if (model === '' && !modelError) modelError = new CovaryError('empty model name in the first column', { file: path, line, column: 1 });
      if (headerError || modelError || rowError || !onRow) return;
      try {
        onRow(fields, line, model, models.length - 1);
      } catch (e) {
        rowError = e;
      }
    },
  });
  if (headerError) throw headerError;
  if (models.length === 0) throw new CovaryError('no model rows under the header', { file: path }, 'expected one row per model');
  if (modelError) throw modelError;
  if (rowError) throw rowError;
  return { items, models };
}

async function openCsv(path: string, role: string, delimiter: string | undefined): Promise<{ scan: ScannedInput; delimiter: string; note: string | null }> {
  const scan = await scanInput(path, role);
  const sniffed = sniffDelimiter(await textHead(scan), path, delimiter);
  return { scan, delimiter: sniffed.delimiter, note: delimiterNote(path, { delimiter: sniffed.delimiter, delimiterHow: sniffed.how }) };
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

/**
 * Wide CSVs streamed into a cell log (issue #15): one pass per scores file (two with an answers
 * file: the structure is checked before the answers are read, as before), rows never held.
 */
export async function readWide(files: string[], options: FormatOptions): Promise<IngestParts> {
  const answers = options.answers ?? [];
  if (answers.length && answers.length !== files.length) {
    throw new CovaryError(`${files.length} scores file(s) but ${answers.length} answers file(s)`, { field: '--answers' }, 'give one --answers file per --scores file, in the same order');
  }
  const none = options.noneMarker ?? 'NONE';
  const na = options.naValues?.length ? new Set(options.naValues) : undefined;
  const log = new CellLog('rows');
  const sources: SourceFile[] = [];
  const notes: string[] = [];
  for (let f = 0; f < files.length; f++) {
    const path = files[f];
    const w = await openCsv(path, 'scores', options.delimiter);
    // With answers: the scores' structure first, then the answers file (its errors come next), then the cells.
    let ans: { path: string; rowOf: Map<string, number>; codes: (Int32Array | null)[]; lines: number[]; texts: KeyIndex } | null = null;
    let colOf: Int32Array | null = null;
    if (answers[f]) {
      const shape = await wideScan(w.scan, w.delimiter);
      sources.push(w.scan.source);
      if (w.note) notes.push(w.note);
      const a = await openCsv(answers[f], 'answers', options.delimiter);
      const rowOf = new Map<string, number>();
      const codes: (Int32Array | null)[] = [];
      const lines: number[] = [];
      const texts = new KeyIndex();
      const aShape = await wideScan(a.scan, a.delimiter, undefined, (fields, line, model, row) => {
        if (rowOf.has(model)) return;
        rowOf.set(model, row);
        const c = new Int32Array(fields.length - 1);
        for (let j = 1; j < fields.length; j++) c[j - 1] = texts.id(fields[j].trim());
        codes[row] = c;
        lines[row] = line;
      });
      sources.push(a.scan.source);
      if (a.note) notes.push(a.note);
      const dm = describeDiff(shape.models, aShape.models, 'models');
      const di = describeDiff(shape.items, aShape.items, 'item ids');
      if (dm || di) {
        throw new CovaryError(`answers file does not match the scores file ${path}: ${[dm, di].filter(Boolean).join('; ')}`, { file: answers[f] }, 'the answers CSV must have the same models and item ids as the scores CSV');
      }
      const ansCol = new Map(aShape.items.map((id, j) => [id, j]));
      colOf = Int32Array.from(shape.items, (id) => ansCol.get(id)!);
      ans = { path: answers[f], rowOf, codes, lines, texts };
    }
    // Each distinct answer text → what it means here: 0 none given, 1 an --na-values text, 2 the none-marker, 3 an answer.
    const kinds: number[] = [];
    const logCodes: number[] = [];
    const kindOf = (t: number) => {
      if (kinds[t] === undefined) {
        const a = ans!.texts.keys[t];
        kinds[t] = na && na.has(a) && a !== '' ? 1 : a === '' ? 0 : a === none ? 2 : 3;
        logCodes[t] = kinds[t] === 0 ? LOG_ANSWER_UNDEFINED : kinds[t] === 2 ? LOG_ANSWER_NULL : kinds[t] === 3 ? log.answerCode(a) : LOG_ANSWER_UNDEFINED;
      }
      return kinds[t];
    };
    let items: string[] = [];
    let itemAt = new Int32Array(0);
    let answersWithoutScore = 0;
    let naCells = 0;
    log.setFile(path);
    await wideScan(
      w.scan,
      w.delimiter,
      (header) => {
        items = header;
        itemAt = Int32Array.from(header, (id) => log.items.id(id));
      },
      (fields, line, m) => {
        const model = log.models.id(m);
        const aRow = ans ? ans.codes[ans.rowOf.get(m)!]! : null;
        for (let j = 0; j < items.length; j++) {
          const cell = fields[j + 1];
          let score = cell === '1' ? 1 : cell === '0' ? 0 : cell === '' ? null : scoreValue(cell, na);
          if (score === BAD_SCORE) score = parseScore(cell, { file: path, line, column: `${j + 2} (item "${items[j]}")` }, na);
          let answer = LOG_ANSWER_UNDEFINED;
          let answered = false;
          if (aRow) {
            const t = aRow[colOf![j]];
            const kind = kindOf(t);
            if (kind === 1) {
              // "NA" as an answer where there is a score: a missing answer or the literal answer "NA"? Only the user knows.
              if (score !== null) {
                const a = ans!.texts.keys[t];
                throw new CovaryError(
                  `answer "${a}" (model "${m}", item "${items[j]}") is one of --na-values, but its score cell holds ${cell.trim()}`,
                  { file: ans!.path, line: ans!.lines[ans!.rowOf.get(m)!], column: colOf![j] + 2 },
                  `if "${a}" is a real answer, leave it out of --na-values; if it means "no answer extracted", pass --none-marker ${a}`,
                );
              }
            } else if (kind !== 0) {
              answer = logCodes[t];
              answered = true;
            }
          }
          if (score === null) {
            if (cell.trim() !== '') naCells++;
            if (answered) answersWithoutScore++;
            continue;
          }
          log.add(model, itemAt[j], score, line, answer);
        }
      },
    );
    if (!ans) {
      sources.push(w.scan.source);
      if (w.note) notes.push(w.note);
    }
    if (naCells) notes.push(`${path}: ${naCells} score cell(s) matched --na-values (${[...na!].join(', ')}) and count as missing`);
    if (answersWithoutScore) notes.push(`${ans!.path}: ${answersWithoutScore} answer(s) where the score cell is empty were ignored`);
  }
  return { format: 'wide', records: [], cells: log, items: [], sources, notes, modelOrder: log.models.keys, itemOrder: log.items.keys };
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
