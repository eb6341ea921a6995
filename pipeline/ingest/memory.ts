/**
 * Ingest's memory estimate, from the file sizes and their first lines only (cheap on any size).
 * The wide and long readers hold the whole file as one string and one record object per cell,
 * on the V8 heap: measured with `npm run bench -- scale` at 1,000 × 3,000 (3e6 cells), wide CSV
 * peaked at 499 MiB (~105 bytes per cell above the process base) and long JSONL at 1,483 MiB
 * (~430 bytes per cell). Harness logs and gzip files are not estimated (their size says little).
 */
import { stat } from 'node:fs/promises';
import { BASE_PROCESS_BYTES, formatBytes, formatCount, type MemoryEstimate } from '../core/memory.ts';
import { dataExtension, readHead, sniffDelimiter } from './read.ts';

const WIDE_BYTES_PER_CELL = 110;
const LONG_BYTES_PER_RECORD = 450;
const SAMPLE_LINES = 21;

async function headLines(path: string): Promise<{ lines: string[]; bytes: number } | null> {
  const head = await readHead(path, SAMPLE_LINES + 1, 1 << 22);
  if (head === null) return null;
  const lines = head.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return null;
  return { lines, bytes: Buffer.byteLength(lines.join('\n')) + lines.length };
}

/** Cells in a wide CSV: columns of the header × rows, rows from the size and the first rows' length. */
async function wideCells(path: string, size: number, delimiter?: string): Promise<number | null> {
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
  return rowBytes > 0 ? Math.max(0, ((size - headerBytes) / rowBytes) * cols) : null;
}

/** Records in a JSON Lines / long CSV file: its size over the first lines' mean length. */
async function longRecords(path: string, size: number): Promise<number | null> {
  const h = await headLines(path);
  if (!h) return null;
  return size / (h.bytes / h.lines.length);
}

/**
 * Peak memory of ingesting these files with the wide or long reader, or null when it cannot be
 * told from the sizes (other formats, gzip).
 */
export async function estimateIngestMemory(format: string, files: string[], delimiter?: string): Promise<MemoryEstimate | null> {
  if (format !== 'wide' && format !== 'long') return null;
  let cells = 0;
  let bytes = 0;
  for (const f of files) {
    if (f.toLowerCase().endsWith('.gz')) return null;
    // A missing or unreadable file: the reader names the problem in its own words.
    const size = await stat(f).then((st) => (st.isFile() ? st.size : null), () => null);
    if (size === null) return null;
    const c = format === 'wide' ? await wideCells(f, size, delimiter) : dataExtension(f) === 'json' ? null : await longRecords(f, size);
    if (c === null) return null;
    cells += c;
    bytes += size;
  }
  const heap = bytes + cells * (format === 'wide' ? WIDE_BYTES_PER_CELL : LONG_BYTES_PER_RECORD);
  return {
    bytes: BASE_PROCESS_BYTES + heap + bytes,
    heapBytes: heap,
    size: `${formatBytes(bytes)} of ${format === 'wide' ? 'wide CSV' : 'long records'} (about ${formatCount(cells)} cells)`,
  };
}

export function ingestMemoryAdvice(format: string): string {
  const wide = format === 'long' ? 'convert the long records to a wide CSV (about 4× less memory per cell), or ' : '';
  return `${wide}split the scores into smaller benchmarks (fewer models or prompts), or use a machine with more memory`;
}
