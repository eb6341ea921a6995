/**
 * Ingest's memory estimate, from the file sizes and their first lines only (cheap on any size).
 * The wide and long readers stream the files into a cell log of typed arrays (cells.ts), then
 * merge builds the m × n arrays beside it (merge.ts), so the peak is the log plus the final arrays:
 *   wide CSV     5 B per cell while every score is 0/1 (item index + a byte), 12 B when graded;
 *   long records 13 B per record when 0/1 (model, item, line, byte), 20 B when graded;
 *   final arrays 8 B per cell (Float64 scores);
 *   answers      + 4 B per result in the log, + 4 B per cell of the answers file (wide), + 4 B per final cell.
 * Whether scores are 0/1 is judged from the first lines. Measured with `npm run bench -- scale`
 * (docs/scale.md). Harness logs, JSON arrays and gzip files are not estimated (their size says little).
 */
import { stat } from 'node:fs/promises';
import { BASE_PROCESS_BYTES, formatBytes, formatCount, type MemoryEstimate } from '../core/memory.ts';
import { dataExtension, isCsvPath, readHead, sniffDelimiter } from './read.ts';
import { SCORE_FIELDS } from './formats/long.ts';

const FINAL_BYTES_PER_CELL = 8;
const WIDE_LOG = { binary: 5, graded: 12 };
const LONG_LOG = { binary: 13, graded: 20 };
const ANSWERS_WIDE = 12;
const ANSWERS_LONG = 8;
/** Read buffers, the last partly filled log chunk, strings in flight, GC headroom. */
const SLACK_BYTES = 96 * 2 ** 20;
const SAMPLE_LINES = 21;
const BINARY = new Set(['0', '1', '', 'true', 'false', '0.0', '1.0']);

async function headLines(path: string): Promise<{ lines: string[]; bytes: number } | null> {
  const head = await readHead(path, SAMPLE_LINES + 1, 1 << 22);
  if (head === null) return null;
  const lines = head.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return null;
  return { lines, bytes: Buffer.byteLength(lines.join('\n')) + lines.length };
}

function isBinaryText(v: unknown): boolean {
  return BINARY.has(String(v ?? '').trim().toLowerCase());
}

/** Cells in a wide CSV (columns of the header × rows, rows from the size and the first rows' length), and whether the first rows are 0/1. */
async function wideCells(path: string, size: number, delimiter?: string): Promise<{ cells: number; binary: boolean } | null> {
  const h = await headLines(path);
  if (!h) return null;
  let d: string;
  try {
    d = sniffDelimiter(h.lines.join('\n') + '\n', path, delimiter).delimiter;
  } catch {
    return null;
  }
  const cols = h.lines[0].split(d).length - 1;
  const headerBytes = Buffer.byteLength(h.lines[0]) + 1;
  const rowBytes = (h.bytes - headerBytes) / (h.lines.length - 1);
  const binary = h.lines.slice(1).every((l) => l.split(d).slice(1).every(isBinaryText));
  return rowBytes > 0 ? { cells: Math.max(0, ((size - headerBytes) / rowBytes) * cols), binary } : null;
}

/** Records in a JSON Lines / long CSV file (its size over the first lines' mean length), and whether their scores look 0/1. */
async function longRecords(path: string, size: number, delimiter?: string): Promise<{ cells: number; binary: boolean } | null> {
  const h = await headLines(path);
  if (!h) return null;
  let binary = false;
  const scoreKey = (keys: string[]) => keys.find((k) => SCORE_FIELDS.includes(k.toLowerCase()));
  try {
    if (isCsvPath(path)) {
      const d = sniffDelimiter(h.lines.join('\n') + '\n', path, delimiter).delimiter;
      const header = h.lines[0].split(d).map((x) => x.trim().replace(/^"|"$/g, ''));
      const at = header.indexOf(scoreKey(header) ?? '\0');
      binary = at >= 0 && h.lines.slice(1).every((l) => isBinaryText(l.split(d)[at]));
    } else {
      const rows = h.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const k = scoreKey(Object.keys(rows[0]));
      binary = k !== undefined && rows.every((r) => isBinaryText(r[k]));
    }
  } catch {
    binary = false;
  }
  return { cells: size / (h.bytes / h.lines.length), binary };
}

/**
 * Peak memory of ingesting these files with the wide or long reader, or null when it cannot be
 * told from the sizes (other formats, gzip, JSON arrays).
 */
export async function estimateIngestMemory(format: string, files: string[], delimiter?: string, answers = false): Promise<MemoryEstimate | null> {
  if (format !== 'wide' && format !== 'long') return null;
  let cells = 0;
  let bytes = 0;
  let logBytes = 0;
  for (const f of files) {
    if (f.toLowerCase().endsWith('.gz')) return null;
    // A missing or unreadable file: the reader names the problem in its own words.
    const size = await stat(f).then((st) => (st.isFile() ? st.size : null), () => null);
    if (size === null) return null;
    const c = format === 'wide' ? await wideCells(f, size, delimiter) : dataExtension(f) === 'json' ? null : await longRecords(f, size, delimiter);
    if (c === null) return null;
    const per = format === 'wide' ? WIDE_LOG : LONG_LOG;
    logBytes += c.cells * ((c.binary ? per.binary : per.graded) + (answers ? (format === 'wide' ? ANSWERS_WIDE - 4 : ANSWERS_LONG - 4) : 0));
    cells += c.cells;
    bytes += size;
  }
  const finalBytes = cells * (FINAL_BYTES_PER_CELL + (answers ? 4 : 0));
  return {
    bytes: BASE_PROCESS_BYTES + SLACK_BYTES + logBytes + finalBytes,
    size: `${formatBytes(bytes)} of ${format === 'wide' ? 'wide CSV' : 'long records'} (about ${formatCount(cells)} cells)`,
  };
}

export function ingestMemoryAdvice(format: string): string {
  const wide = format === 'long' ? 'convert the long records to a wide CSV (less memory per cell), or ' : '';
  return `${wide}split the scores into smaller benchmarks (fewer models or prompts), or use a machine with more memory`;
}
