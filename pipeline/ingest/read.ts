/**
 * Low-level reading shared by the ingest formats: whole files (plain or gzip), CSV rows with their
 * line numbers, JSON Lines / JSON arrays of objects, and score cells. Every problem a user can fix
 * becomes a one-line CovaryError naming the file and line.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { constants, createReadStream } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { CovaryError, fromSystemError } from '../core/errors.ts';
import { sha256, sha256File } from '../core/hash.ts';
import { parseJsonExact } from './json.ts';
import type { SourceFile } from '../core/store.ts';

export interface LoadedFile {
  path: string;
  text: string;
  source: SourceFile;
}

/** The extension that matters, with any `.gz` removed: `a.csv.gz` → `csv`. */
export function dataExtension(path: string): string {
  const name = basename(path).toLowerCase().replace(/\.gz$/, '');
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1) : '';
}

export function isCsvPath(path: string): boolean {
  const e = dataExtension(path);
  return e === 'csv' || e === 'tsv';
}

export function isJsonPath(path: string): boolean {
  const e = dataExtension(path);
  return e === 'jsonl' || e === 'ndjson' || e === 'json';
}

export function isGzipBytes(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

export async function statOrThrow(path: string, role: string) {
  try {
    return await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CovaryError(`file not found (${role})`, { file: path }, 'check the path');
    const sys = fromSystemError(e);
    throw new CovaryError(`cannot read file (${role}): ${sys ? sys.message : String(e)}`, { file: path });
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Most bytes read from a pipe, FIFO or device (a regular file has no limit): `/dev/zero` must not fill memory. */
export const STREAM_INPUT_LIMIT = 256 << 20;
/** A pipe that gives no data for this long (default 30 s) is given up on: a FIFO nobody writes to. */
const streamIdleMs = () => Number(process.env.COVARY_PIPE_TIMEOUT_MS) || 30_000;
const POLL_MS = 5;

/**
 * Pipes and FIFOs (`--scores <(cat s.csv)`) can be read only once, but detection, hashing and
 * parsing each read the input: the first read keeps the bytes (keyed by device and inode) for the
 * others.
 */
const streamed = new Map<string, Promise<Buffer>>();

/** Start of a command: a named FIFO keeps its inode, but each command reads it afresh. */
export function forgetStreamedInputs(): void {
  streamed.clear();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Read a pipe without blocking a thread: non-blocking reads, polled, with an idle timeout and a size cap. */
async function readStreamOnce(path: string): Promise<Buffer> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const chunks: Buffer[] = [];
  let size = 0;
  let idleSince = Date.now();
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      let n: number;
      try {
        n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        n = -1; // a writer is there but has nothing yet
      }
      if (n > 0) {
        chunks.push(buf.subarray(0, n));
        size += n;
        idleSince = Date.now();
        if (size > STREAM_INPUT_LIMIT) {
          throw new CovaryError(`input from a pipe or device is larger than ${STREAM_INPUT_LIMIT >> 20} MiB`, { file: path }, 'save it to a file and pass the file');
        }
        continue;
      }
      // End of data once something arrived; before that, a writer may still be about to open the FIFO.
      if (n === 0 && size > 0) break;
      if (Date.now() - idleSince > streamIdleMs()) {
        throw new CovaryError(`no data arrived from the pipe in ${streamIdleMs() / 1000} s`, { file: path }, 'is anything writing to it?');
      }
      await sleep(POLL_MS);
    }
  } finally {
    await fh.close();
  }
  return Buffer.concat(chunks);
}

/** The bytes of an input, read once: a regular file directly, a pipe/FIFO/device through `readStreamOnce`. */
export async function readInputBytes(path: string, role = 'input'): Promise<Buffer> {
  const st = await statOrThrow(path, role);
  if (st.isDirectory()) throw new CovaryError(`expected a file (${role}), found a folder`, { file: path });
  if (st.isFile()) return readFile(path);
  const key = `${st.dev}:${st.ino}`;
  let bytes = streamed.get(key);
  if (!bytes) streamed.set(key, (bytes = readStreamOnce(path)));
  return bytes;
}

/** The hash an input's content has (streamed for regular files, from the one read for pipes). */
export async function inputHash(path: string): Promise<string> {
  const st = await stat(path);
  return st.isFile() ? sha256File(path) : sha256(await readInputBytes(path));
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    // Overlong 3/4-byte forms, UTF-16 surrogates and code points above U+10FFFF.
    if ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] >= 0xa0) || (c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] >= 0x90)) return i;
    i += need + 1;
  }
  return b.length;
}

/** Read a whole input file (gunzipped when gzip), check it is non-empty UTF-8 text, hash the raw bytes. */
export async function loadFile(path: string, role: string): Promise<LoadedFile> {
  const raw = new Uint8Array(await readInputBytes(path, role));
  let bytes = raw;
  if (isGzipBytes(raw)) {
    try {
      bytes = new Uint8Array(gunzipSync(raw));
    } catch (e) {
      throw new CovaryError(`corrupt gzip data: ${(e as Error).message}`, { file: path }, 'expected a complete .gz file');
    }
  } else if (path.toLowerCase().endsWith('.gz')) {
    throw new CovaryError('file ends in .gz but is not gzip-compressed', { file: path });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
    throw new CovaryError(`file is not UTF-8 text: invalid byte 0x${bytes[at]?.toString(16).padStart(2, '0') ?? '??'} at byte ${at + 1}`, { file: path, line }, 're-save it as UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Classic Mac line ends (CR only): read as lines, not as one long header row.
  if (!text.includes('\n') && text.includes('\r')) text = text.replace(/\r/g, '\n');
  if (text.trim() === '') throw new CovaryError(`file is empty (${role})`, { file: path }, 'expected a header row and data');
  return { path, text, source: { path, sha256: sha256(raw), bytes: raw.byteLength, role } };
}

/**
 * The first `lines` lines of a file (gunzipped when needed), reading no more than `maxBytes`.
 * For format detection: cheap even on big files. Returns null when the file cannot be read.
 */
export async function readHead(path: string, lines = 2, maxBytes = 4 << 20): Promise<string | null> {
  try {
    if (!(await stat(path)).isFile()) {
      const raw = await readInputBytes(path);
      const text = (isGzipBytes(raw) ? gunzipSync(raw) : raw).subarray(0, maxBytes).toString('utf8').replace(/^\uFEFF/, '');
      return text.split(/\r?\n/).slice(0, lines).join('\n');
    }
    const fh = await open(path, 'r');
    const magic = new Uint8Array(2);
    await fh.read(magic, 0, 2, 0);
    await fh.close();
    const stream = isGzipBytes(magic) ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
    const chunks: Buffer[] = [];
    let size = 0;
    let newlines = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) newlines++;
        if (newlines >= lines || size >= maxBytes) break;
      }
    } finally {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    }
    let text = Buffer.concat(chunks).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text.split(/\r?\n/).slice(0, lines).join('\n');
  } catch {
    return null;
  }
}

export interface CsvRow {
  fields: string[];
  /** 1-based line where the row ends in the file (the line a user looks at). */
  line: number;
}

export interface CsvTable {
  header: string[];
  headerLine: number;
  rows: CsvRow[];
  delimiter: string;
  delimiterHow: SniffedDelimiter['how'];
}

/** The delimiter a file's extension suggests: tab for .tsv, else comma. */
export function delimiterFor(path: string): string {
  return dataExtension(path) === 'tsv' ? '\t' : ',';
}

export const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', '\t': 'tab', ';': 'semicolon' };
const DELIMITER_CANDIDATES = [',', '\t', ';'];
const SNIFF_LINES = 20;

/** `--delimiter comma|tab|semicolon|auto` (or the character itself) → the character, or undefined for auto. */
export function parseDelimiterOption(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === 'auto') return undefined;
  const byName: Record<string, string> = { comma: ',', tab: '\t', semicolon: ';', '\\t': '\t' };
  const d = byName[raw.toLowerCase()] ?? raw;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new CovaryError(`--delimiter ${JSON.stringify(raw)}: expected comma, tab, semicolon, auto or a single character`, { field: '--delimiter' });
  }
  return d;
}

export interface SniffedDelimiter {
  delimiter: string;
  /** How it was chosen: given with --delimiter, found in the text, or the extension's default (nothing fit better). */
  how: 'given' | 'detected' | 'default';
}

function fieldCounts(sample: string, delimiter: string): number[] | null {
  try {
    const recs = parseCsvSync(sample, { delimiter, relax_column_count: true, relax_quotes: false, skip_empty_lines: true, bom: true }) as string[][];
    return recs.map((r) => r.length);
  } catch {
    return null;
  }
}

/**
 * Which of comma, tab and semicolon splits the first lines into one consistent number of columns
 * (≥ 2). When several do, the one giving the most columns wins; a tie is ambiguous and an error
 * asking for --delimiter. When none does, the extension's default is kept (the parser then names
 * the row that does not fit).
 */
export function sniffDelimiter(text: string, path: string, given?: string): SniffedDelimiter {
  if (given !== undefined) return { delimiter: given, how: 'given' };
  let end = 0;
  let lines = 0;
  while (lines < SNIFF_LINES + 1) {
    const nl = text.indexOf('\n', end);
    if (nl < 0) {
      end = text.length;
      break;
    }
    end = nl + 1;
    lines++;
  }
  const whole = end >= text.length;
  const sample = text.slice(0, end);
  const fits: { d: string; cols: number }[] = [];
  for (const d of DELIMITER_CANDIDATES) {
    let counts = fieldCounts(sample, d);
    // The cut may fall inside a quoted multi-line field: retry on shorter prefixes ending at a line break.
    for (let cut = sample.length - 1; !counts && !whole; ) {
      cut = sample.lastIndexOf('\n', cut - 1);
      if (cut <= 0) break;
      counts = fieldCounts(sample.slice(0, cut + 1), d);
    }
    if (!counts || counts.length === 0 || counts[0] < 2) continue;
    if (counts.every((c) => c === counts[0])) fits.push({ d, cols: counts[0] });
  }
  const fallback = delimiterFor(path);
  if (fits.length === 0) return { delimiter: fallback, how: 'default' };
  fits.sort((a, b) => b.cols - a.cols);
  if (fits.length > 1 && fits[0].cols === fits[1].cols) {
    const names = fits.filter((f) => f.cols === fits[0].cols).map((f) => DELIMITER_NAMES[f.d]);
    throw new CovaryError(
      `cannot tell the delimiter: the first lines split into ${fits[0].cols} columns on ${names.join(' and on ')}`,
      { file: path, line: 1 },
      `pass --delimiter ${names.join(' or --delimiter ')}`,
    );
  }
  return { delimiter: fits[0].d, how: fits[0].d === fallback ? 'default' : 'detected' };
}

/** A note for the manifest when a table's delimiter is not its extension's usual one. */
export function delimiterNote(path: string, t: { delimiter: string; delimiterHow: SniffedDelimiter['how'] }): string | null {
  if (t.delimiter === delimiterFor(path)) return null;
  const name = DELIMITER_NAMES[t.delimiter] ?? JSON.stringify(t.delimiter);
  return `${path}: delimiter ${name} (${t.delimiterHow === 'given' ? 'given with --delimiter' : 'detected'})`;
}

type RawRecord = { record: string[]; info: { lines: number } };

/** Quote-free text: every line is one record, fields split on the delimiter exactly as csv-parse would. */
function splitPlainCsv(text: string, delimiter: string): RawRecord[] {
  const records: RawRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l === '') continue;
    records.push({ record: l.split(delimiter), info: { lines: i + 1 } });
  }
  return records;
}

function csvParseRecords(file: LoadedFile, delimiter: string): RawRecord[] {
  try {
    return parseCsvSync(file.text, {
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as RawRecord[];
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    const msg = err.message.replace(/^Invalid (Record Length|Opening Quote|Closing Quote):\s*/i, '').replace(/\s+at line \d+\.?$/i, '');
    throw new CovaryError(`malformed CSV: ${msg}`, { file: file.path, line: err.lines }, 'expected RFC 4180 CSV (quote fields that contain the delimiter, quotes or newlines)');
  }
}

/**
 * Parse a CSV (or TSV) with a header row. Every row must have as many fields as the header:
 * a row with a different count is an error naming its line. Files without any quote character
 * take a plain split (~10× faster on 12k-column matrices); anything quoted goes through csv-parse.
 */
export function parseCsv(file: LoadedFile, delimiterOption?: string, fastPath = true): CsvTable {
  const sniffed = sniffDelimiter(file.text, file.path, delimiterOption);
  const delimiter = sniffed.delimiter;
  const records = fastPath && !file.text.includes('"') ? splitPlainCsv(file.text, delimiter) : csvParseRecords(file, delimiter);
  if (records.length === 0) throw new CovaryError('file is empty', { file: file.path }, 'expected a header row and data');
  const [head, ...body] = records;
  const header = head.record.map((h) => h.trim());
  const rows: CsvRow[] = [];
  for (const r of body) {
    if (r.record.length !== header.length) {
      // A line of only whitespace or a lone trailing delimiter-free blank is not data.
      if (r.record.length === 1 && r.record[0].trim() === '') continue;
      throw new CovaryError(
        `row has ${r.record.length} field${r.record.length === 1 ? '' : 's'}, expected ${header.length} (one per header column)`,
        { file: file.path, line: r.info.lines },
        `every row needs a value (possibly empty) for each header column${header.length === 1 ? ' (is the file separated by another delimiter? pass --delimiter tab or --delimiter semicolon)' : ''}`,
      );
    }
    rows.push({ fields: r.record, line: r.info.lines });
  }
  return { header, headerLine: head.info.lines, rows, delimiter, delimiterHow: sniffed.how };
}

export interface JsonRecord {
  obj: Record<string, unknown>;
  /** 1-based line number (JSON Lines), or undefined for elements of a JSON array. */
  line?: number;
  /** Position in the file's sequence of records (0-based). */
  index: number;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** JSON Lines (one object per line; blank lines allowed) or a single JSON array of objects. */
export function parseJsonRecords(file: LoadedFile): JsonRecord[] {
  const text = file.text;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = parseJsonExact(text);
    } catch (e) {
      throw new CovaryError(`malformed JSON: ${(e as Error).message}`, { file: file.path, line: lineOfJsonError(text, e as Error) }, 'expected a JSON array of objects or one JSON object per line');
    }
    if (!Array.isArray(arr)) throw new CovaryError('expected a JSON array of objects', { file: file.path });
    return arr.map((obj, index) => {
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
        throw new CovaryError(`element ${index} is ${kindOf(obj)}, expected an object`, { file: file.path });
      }
      return { obj: obj as Record<string, unknown>, index };
    });
  }
  const out: JsonRecord[] = [];
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    out.push({ obj: parseJsonLine(line, file.path, lineNo), line: lineNo, index: out.length });
  }
  return out;
}

/** One JSON Lines line (trimmed, non-empty) → its object, or the one-line error naming the line. */
export function parseJsonLine(line: string, path: string, lineNo: number): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = parseJsonExact(line);
  } catch (e) {
    const { message, column } = jsonErrorParts(e as Error);
    throw new CovaryError(`malformed JSON line: ${message}`, { file: path, line: lineNo, column }, 'expected one JSON object per line');
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new CovaryError(`line holds ${kindOf(obj)}, expected a JSON object`, { file: path, line: lineNo }, 'expected one JSON object per line');
  }
  return obj as Record<string, unknown>;
}

/** JSON.parse's message without its "in JSON at position N" tail, and that position as a 1-based column. */
function jsonErrorParts(e: Error): { message: string; column?: number } {
  const m = /\s*(?:in JSON )?at position (\d+)(?: \(line \d+ column \d+\))?/.exec(e.message);
  if (!m) return { message: e.message };
  return { message: e.message.replace(m[0], '').trim(), column: Number(m[1]) + 1 };
}

function lineOfJsonError(text: string, e: Error): number | undefined {
  const m = /position (\d+)/.exec(e.message);
  if (!m) return undefined;
  const pos = Number(m[1]);
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Records of a CSV or JSON file as objects keyed by column / field name, with line numbers. */
export function readRecords(file: LoadedFile, csv: { delimiter?: string; notes?: string[] } = {}): JsonRecord[] {
  if (isCsvPath(file.path)) {
    const t = parseCsv(file, csv.delimiter);
    const note = delimiterNote(file.path, t);
    if (note && csv.notes) csv.notes.push(note);
    return t.rows.map((r, index) => {
      const obj: Record<string, unknown> = {};
      for (let j = 0; j < t.header.length; j++) obj[t.header[j]] = r.fields[j];
      return { obj, line: r.line, index };
    });
  }
  return parseJsonRecords(file);
}

/**
 * `--na-values NA,NaN,null,None,-`: texts that mean "no result" in a score cell (R and pandas
 * exports). A number or true/false cannot be one: it would hide a real score.
 */
export function parseNaValues(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const values = [...new Set(raw.split(',').map((v) => v.trim()).filter((v) => v !== ''))];
  for (const v of values) {
    if (DECIMAL.test(v) || /^(true|false)$/i.test(v)) {
      throw new CovaryError(`--na-values "${v}" is a score value: it cannot also mean a missing result`, { field: '--na-values' }, 'list only non-numeric markers, e.g. --na-values NA,NaN,null,None,-');
    }
  }
  return values;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/** What `scoreValue` returns for a cell `parseScore` would refuse (call `parseScore` for the error). */
export const BAD_SCORE = Symbol('bad score');

/**
 * `parseScore` without a location and without throwing: the same value for every cell it accepts,
 * BAD_SCORE for every cell it refuses. The per-cell fast path of the streaming readers (no location
 * object per cell); on BAD_SCORE they call `parseScore` with the location, which throws.
 */
export function scoreValue(raw: unknown, naValues?: ReadonlySet<string>): number | null | typeof BAD_SCORE {
  if (raw === '0') return 0;
  if (raw === '1') return 1;
  if (raw === null || raw === undefined) return null;
  if (naValues && typeof raw === 'string' && naValues.has(raw.trim())) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : BAD_SCORE;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw !== 'string') return BAD_SCORE;
  const s = raw.trim();
  if (s === '') return null;
  if (DECIMAL.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? n : BAD_SCORE;
  }
  const lower = s.toLowerCase();
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  return BAD_SCORE;
}

/**
 * A score cell: a finite number, true/false (→ 1/0), or empty/null (→ null = missing).
 * Anything else is an error at `where` (NaN/Infinity text included: missing must be an empty cell).
 */
export function parseScore(raw: unknown, where: { file: string; line?: number; column?: number | string; field?: string }, naValues?: ReadonlySet<string>): number | null {
  if (raw === '0') return 0;
  if (raw === '1') return 1;
  if (raw === null || raw === undefined) return null;
  if (naValues && typeof raw === 'string' && naValues.has(raw.trim())) return null;
  if (typeof raw === 'number') {
    if (Number.isFinite(raw)) return raw;
    throw new CovaryError(`score is ${raw}: expected a finite number`, where);
  }
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw !== 'string') {
    throw new CovaryError(`score is ${kindOf(raw)}: expected a number`, where, 'expected a number in [0, 1], true/false, or an empty value for a missing result');
  }
  const s = raw.trim();
  if (s === '') return null;
  if (DECIMAL.test(s)) {
    const n = Number(s);
    if (Number.isFinite(n)) return n;
    throw new CovaryError(`score "${s.length > 40 ? s.slice(0, 40) + '…' : s}" overflows a 64-bit number: expected a finite number`, where, 'scores are expected in [0, 1]');
  }
  const lower = s.toLowerCase();
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  if (NOT_FINITE.test(s)) {
    throw new CovaryError(`score is "${s}": expected a finite number`, where, `leave the cell empty for a missing result, or pass --na-values ${s} if "${s}" marks one`);
  }
  const shown = JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);
  const hint = s.length <= 12 && !/[,\s]/.test(s) ? `expected a number in [0, 1], true/false, or an empty value for a missing result; pass --na-values ${s} if ${shown} marks a missing result` : 'expected a number in [0, 1], true/false, or an empty value for a missing result';
  throw new CovaryError(`non-numeric score ${shown}`, where, hint);
}
