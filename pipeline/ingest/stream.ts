/**
 * Streaming reads of score files (issue #15: 1.5e8 cells): no whole-file string, the file is read
 * in 1 MiB chunks (gunzipped through a zlib stream) as many times as a reader needs.
 *
 * `scanInput` is the first pass: it makes every check `loadFile` makes, with the same one-line
 * errors in the same order (gzip, then UTF-8 with its line and byte, then "file is empty"), hashes
 * the raw bytes, and notes what later passes must know about the whole text (any quote character,
 * CR-only line ends, the first non-blank character). `forEachLine`, `streamCsv` and `textHead`
 * then read the text as `loadFile(path).text` would hold it (BOM removed, CR-only ends read as LF).
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAscii, isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as parseCsvStream } from 'csv-parse';
import { CovaryError } from '../core/errors.ts';
import type { SourceFile } from '../core/store.ts';
import { delimiterNote, firstInvalidUtf8, isCsvPath, isGzipBytes, loadFile, parseJsonLine, parseJsonRecords, readInputBytes, sniffDelimiter, statOrThrow } from './read.ts';

let CHUNK_BYTES = 1 << 20;

/** Read size (tests use tiny chunks so that lines, UTF-8 sequences and CRLF fall across chunk ends). */
export function setStreamChunkBytes(bytes: number): void {
  CHUNK_BYTES = Math.max(1, Math.floor(bytes));
}

export interface ScannedInput {
  path: string;
  role: string;
  source: SourceFile;
  gzip: boolean;
  /** A pipe's bytes (read once and kept, at most 256 MiB); null for a regular file (read again from disk). */
  bytes: Buffer | null;
  /** Any `"` in the text: CSV then goes through csv-parse (quoted fields), else the plain split. */
  hasQuote: boolean;
  /** No LF but some CR: classic Mac line ends, read as LF (as `loadFile` does). */
  crOnly: boolean;
  /** First non-whitespace character of the text ('' for none). */
  firstChar: string;
}

function rawStream(path: string, bytes: Buffer | null): Readable {
  return bytes ? Readable.from([bytes]) : createReadStream(path, { highWaterMark: CHUNK_BYTES });
}

async function magicOf(path: string, bytes: Buffer | null): Promise<Uint8Array> {
  if (bytes) return bytes.subarray(0, 2);
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const b = new Uint8Array(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Bytes at the end of `b` that begin a UTF-8 sequence the chunk does not complete (0–3). */
function incompleteTail(b: Uint8Array): number {
  const n = b.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const c = b[n - back];
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

function countByte(b: Uint8Array, byte: number, end = b.length): number {
  let c = 0;
  const buf = Buffer.from(b.buffer, b.byteOffset, end);
  for (let i = buf.indexOf(byte); i >= 0; i = buf.indexOf(byte, i + 1)) c++;
  return c;
}

/** The decompressed bytes of an input, chunk by chunk; gzip errors become the one-line error `loadFile` gives. */
async function* dataChunks(input: { path: string; gzip: boolean; bytes: Buffer | null }, onRaw?: (b: Buffer) => void): AsyncGenerator<Buffer> {
  const raw = rawStream(input.path, input.bytes);
  if (!input.gzip) {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      onRaw?.(chunk);
      yield chunk;
    }
    return;
  }
  const gunzip = createGunzip({ chunkSize: Math.max(64, CHUNK_BYTES) });
  raw.on('data', (chunk: Buffer) => onRaw?.(chunk));
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new CovaryError(`corrupt gzip data: ${(e as Error).message}`, { file: input.path }, 'expected a complete .gz file');
    }
    throw e;
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

/**
 * The first pass over an input: `loadFile`'s checks and errors without holding the text, the
 * sha256 of the raw bytes, and the facts later passes need.
 */
export async function scanInput(path: string, role: string): Promise<ScannedInput> {
  const st = await statOrThrow(path, role);
  if (st.isDirectory()) throw new CovaryError(`expected a file (${role}), found a folder`, { file: path });
  const bytes = st.isFile() ? null : await readInputBytes(path, role);
  const gzip = isGzipBytes(await magicOf(path, bytes));
  if (!gzip && path.toLowerCase().endsWith('.gz')) throw new CovaryError('file ends in .gz but is not gzip-compressed', { file: path });
  const hash = createHash('sha256');
  let rawBytes = 0;
  let offset = 0; // decompressed bytes before `carry`
  let newlines = 0;
  let carry: Buffer | null = null;
  let invalid: CovaryError | null = null;
  let hasQuote = false;
  let hasLf = false;
  let hasCr = false;
  let firstChar = '';
  const decoder = new TextDecoder('utf-8');
  let leading = true; // the text's first characters: a second BOM is stripped as loadFile does
  const badByte = (body: Uint8Array, at: number) =>
    new CovaryError(
      `file is not UTF-8 text: invalid byte 0x${body[at]?.toString(16).padStart(2, '0') ?? '??'} at byte ${offset + at + 1}`,
      { file: path, line: newlines + countByte(body, 10, at) + 1 },
      're-save it as UTF-8',
    );
  for await (const chunk of dataChunks({ path, gzip, bytes }, (b) => (hash.update(b), (rawBytes += b.length)))) {
    if (invalid) continue; // gzip errors come first: read to the end
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const tail = incompleteTail(buf);
    const body = tail ? buf.subarray(0, buf.length - tail) : buf;
    if (!isUtf8(body)) {
      invalid = badByte(body, firstInvalidUtf8(body));
      continue;
    }
    if (!hasQuote && body.indexOf(34) >= 0) hasQuote = true;
    if (!hasLf && body.indexOf(10) >= 0) hasLf = true;
    if (!hasCr && body.indexOf(13) >= 0) hasCr = true;
    if (firstChar === '') {
      let s = decoder.decode(body, { stream: true });
      if (leading && s.length) {
        if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
        leading = false;
      }
      const m = /\S/.exec(s);
      if (m) firstChar = m[0];
    }
    newlines += countByte(body, 10);
    offset += body.length;
    carry = tail ? Buffer.from(buf.subarray(buf.length - tail)) : null;
  }
  if (!invalid && carry) invalid = badByte(carry, firstInvalidUtf8(carry));
  if (invalid) throw invalid;
  if (firstChar === '') throw new CovaryError(`file is empty (${role})`, { file: path }, 'expected a header row and data');
  return {
    path,
    role,
    source: { path, sha256: hash.digest('hex'), bytes: rawBytes, role },
    gzip,
    bytes,
    hasQuote,
    crOnly: !hasLf && hasCr,
    firstChar,
  };
}

/** The text in chunks, as `loadFile(path).text` would hold it: BOM(s) removed, CR-only line ends read as LF. */
export async function* textChunks(input: ScannedInput): AsyncGenerator<string> {
  // Decoded chunk by chunk, a UTF-8 sequence cut by a chunk end carried to the next (scanInput
  // checked the bytes are UTF-8); pure-ASCII chunks, the usual case, decode as latin1 (the same
  // text, ~10× faster). Like loadFile, up to two leading U+FEFF go: the BOM TextDecoder drops, and
  // one more.
  let boms = 2;
  let carry: Buffer | null = null;
  const text = (b: Buffer) => {
    let s = b.toString(isAscii(b) ? 'latin1' : 'utf8');
    while (boms > 0 && s.charCodeAt(0) === 0xfeff) (s = s.slice(1), boms--);
    if (s.length) boms = 0;
    return input.crOnly ? s.replace(/\r/g, '\n') : s;
  };
  for await (const chunk of dataChunks(input)) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const tail = incompleteTail(buf);
    carry = tail ? Buffer.from(buf.subarray(buf.length - tail)) : null;
    const s = text(tail ? buf.subarray(0, buf.length - tail) : buf);
    if (s.length) yield s;
  }
  if (carry) {
    const s = text(carry);
    if (s.length) yield s;
  }
}

/**
 * Every `\n`-separated line of the text with its 1-based number, as `text.split('\n')` gives them
 * (the `\r` of CRLF kept, the segment after a final newline included). `fn` returns false to stop.
 */
export async function forEachLine(input: ScannedInput, fn: (line: string, lineNo: number) => boolean | void): Promise<void> {
  let carry = '';
  let lineNo = 0;
  for await (const chunk of textChunks(input)) {
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      carry += chunk;
      continue;
    }
    if (fn(carry + chunk.slice(0, nl), ++lineNo) === false) return;
    let start = nl + 1;
    for (nl = chunk.indexOf('\n', start); nl >= 0; nl = chunk.indexOf('\n', start)) {
      if (fn(chunk.slice(start, nl), ++lineNo) === false) return;
      start = nl + 1;
    }
    carry = chunk.slice(start);
  }
  fn(carry, ++lineNo);
}

/**
 * The start of the text: at least `lines` complete lines and one character more, or all of it
 * (what `sniffDelimiter` looks at, so it decides as it does on the whole text).
 */
export async function textHead(input: ScannedInput, lines = 21): Promise<string> {
  let head = '';
  let found = 0;
  let cut = -1; // just after the lines-th newline
  for await (const chunk of textChunks(input)) {
    let i = head.length;
    head += chunk;
    while (cut < 0 && (i = head.indexOf('\n', i)) >= 0) {
      if (++found >= lines) cut = i + 1;
      i++;
    }
    if (cut >= 0 && head.length > cut) return head;
  }
  return head;
}

/** csv-parse's error as `parseCsv` words it. */
function malformedCsv(e: unknown, path: string): CovaryError {
  const err = e as Error & { lines?: number; code?: string };
  const msg = err.message.replace(/^Invalid (Record Length|Opening Quote|Closing Quote):\s*/i, '').replace(/\s+at line \d+\.?$/i, '');
  return new CovaryError(`malformed CSV: ${msg}`, { file: path, line: err.lines }, 'expected RFC 4180 CSV (quote fields that contain the delimiter, quotes or newlines)');
}

export interface CsvStreamHandlers {
  /** The header row (first non-empty record), trimmed. */
  header(header: string[], line: number): void;
  /** A data row with as many fields as the header. Return false to stop calling (the file is still checked to its end). */
  row(fields: string[], line: number): boolean | void;
}

/**
 * A CSV (or TSV) with a header row, streamed, with `parseCsv`'s rules and errors: a file without
 * any quote takes the plain split, anything quoted goes through csv-parse's streaming parser; a
 * row with a different field count is an error naming its line (after any malformed-CSV error
 * csv-parse finds further on, as when the whole file was parsed first).
 */
export async function streamCsv(input: ScannedInput, delimiter: string, h: CsvStreamHandlers): Promise<void> {
  let header: string[] | null = null;
  let countError: CovaryError | null = null;
  let calling = true;
  const onRecord = (record: string[], line: number) => {
    if (header === null) {
      header = record.map((x) => x.trim());
      h.header(header, line);
      return;
    }
    if (countError) return;
    if (record.length !== header.length) {
      if (record.length === 1 && record[0].trim() === '') return;
      countError = new CovaryError(
        `row has ${record.length} field${record.length === 1 ? '' : 's'}, expected ${header.length} (one per header column)`,
        { file: input.path, line },
        `every row needs a value (possibly empty) for each header column${header.length === 1 ? ' (is the file separated by another delimiter? pass --delimiter tab or --delimiter semicolon)' : ''}`,
      );
      return;
    }
    if (calling && h.row(record, line) === false) calling = false;
  };
  if (!input.hasQuote) {
    await forEachLine(input, (l, lineNo) => {
      if (l.endsWith('\r')) l = l.slice(0, -1);
      if (l === '') return;
      onRecord(l.split(delimiter), lineNo);
      // Nothing can come before a field-count error on this path: stop reading.
      if (countError) return false;
    });
  } else {
    const parser = parseCsvStream({ delimiter, bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
    const source = Readable.from(textChunks(input));
    source.on('error', (e) => parser.destroy(e));
    source.pipe(parser);
    try {
      for await (const r of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) onRecord(r.record, r.info.lines);
    } catch (e) {
      if (e instanceof CovaryError) throw e;
      if ((e as { code?: string }).code?.startsWith('CSV_')) throw malformedCsv(e, input.path);
      throw e;
    } finally {
      source.destroy();
    }
  }
  if (countError) throw countError;
  if (header === null) throw new CovaryError('file is empty', { file: input.path }, 'expected a header row and data');
}

/**
 * The records of a long-format file, streamed, as `readRecords(loadFile(path))` gives them: CSV
 * rows as objects keyed by the header (delimiter sniffed, a note when unusual), JSON Lines one
 * object per line. A JSON array is parsed whole (no streaming JSON parser; such files are small).
 */
export async function streamRecords(
  scan: ScannedInput,
  csv: { delimiter?: string; notes?: string[] },
  fn: (obj: Record<string, unknown>, line: number | undefined) => void,
): Promise<void> {
  const path = scan.path;
  if (isCsvPath(path)) {
    const sniffed = sniffDelimiter(await textHead(scan), path, csv.delimiter);
    let header: string[] = [];
    await streamCsv(scan, sniffed.delimiter, {
      header(h) {
        header = h;
      },
      row(fields, line) {
        const obj: Record<string, unknown> = {};
        for (let j = 0; j < header.length; j++) obj[header[j]] = fields[j];
        fn(obj, line);
      },
    });
    const note = delimiterNote(path, { delimiter: sniffed.delimiter, delimiterHow: sniffed.how });
    if (note && csv.notes) csv.notes.push(note);
    return;
  }
  if (scan.firstChar === '[') {
    for (const r of parseJsonRecords(await loadFile(path, scan.role))) fn(r.obj, r.line);
    return;
  }
  await forEachLine(scan, (raw, lineNo) => {
    const line = raw.trim();
    if (line !== '') fn(parseJsonLine(line, path, lineNo), lineNo);
  });
}
