/**
 * Correlate's memory estimate from m, n and the options, checked before any computation.
 * The main thread holds the score matrix and its per-prompt copies (columns, transformed columns,
 * a replicate buffer: ~6 × 8mn bytes); each worker thread holds its own matrix, columns and
 * replicate buffer (~4 × 8mn bytes) plus its own loaded modules (~50 MiB). Calibrated with 2 workers
 * on 2,000 × 3,000 (877 MiB measured for issue #15; estimate 992 MiB) and 500 × 2,000 (425 MiB
 * measured by `npm run bench -- scale`; estimate 432 MiB).
 */
import { BASE_PROCESS_BYTES, formatBytes, formatCount, type MemoryEstimate } from '../core/memory.ts';
import { cappedSampleSize } from '../core/caps.ts';
import type { CorrelateOptions } from './analyze.ts';
import { DEFAULT_MAX_TEST_CELLS, MIN_TEST_PROMPTS } from './pairs.ts';

const MAIN_MATRIX_COPIES = 6;
const WORKER_MATRIX_COPIES = 4;
const WORKER_BASE_BYTES = 50 * 2 ** 20;

/**
 * `workers` = worker threads actually used (0 when the replicates run in the main thread); `binary`
 * as the manifest says (0/1 scores). Above `maxTestCells` the replicates (main thread or workers)
 * hold only the prompt sample; the main thread keeps the matrix, its used columns and, for graded
 * scores, their standardised and zero-filled copies; a top-k worker holds the columns (and, graded,
 * two copies more).
 */
export function estimateCorrelateMemory(m: number, n: number, o: CorrelateOptions, workers: number, binary = false): MemoryEstimate {
  const matrix = 8 * m * n;
  const pairs = Math.min(o.pairSample, (n * (n - 1)) / 2);
  // pair indices and observed values, the top-k lists while being built, the replicate statistics.
  const small = pairs * 16 + n * Math.max(1, o.topK) * 24 + (o.permutations + o.permutationsB) * 3 * 8;
  const maxTest = o.maxTestCells ?? DEFAULT_MAX_TEST_CELLS;
  const keep = cappedSampleSize(n, m, maxTest, MIN_TEST_PROMPTS);
  const size = `${formatCount(m)} models × ${formatCount(n)} prompts (${formatCount(m * n)} cells${workers ? `, ${workers} worker threads` : ''})`;
  if (keep === null) {
    return { bytes: BASE_PROCESS_BYTES + matrix * (MAIN_MATRIX_COPIES + WORKER_MATRIX_COPIES * workers) + WORKER_BASE_BYTES * workers + small, size };
  }
  const test = 8 * m * keep;
  const main = matrix * (binary ? 2 : 4) + test * MAIN_MATRIX_COPIES;
  // A top-k worker receives 0/1 columns bit-packed (bits and mask: 2 bits a cell, matrix / 32) and
  // graded ones by structured clone (about 3 copies while it prepares them). Calibrated: 5,000 ×
  // 30,000, 0/1, 2 workers, 2,920 MiB measured (6,284 MiB before the packed columns).
  const worker = Math.max(test * WORKER_MATRIX_COPIES, binary ? matrix / 32 : matrix * 3) + WORKER_BASE_BYTES;
  return { bytes: BASE_PROCESS_BYTES + main + worker * workers + small, size };
}

export function correlateMemoryAdvice(m: number, n: number, workers: number): string {
  // An upper bound: above the test cap a worker holds less (its share of the prompt sample, or the columns for top-k).
  const perWorker = formatBytes(8 * m * n * WORKER_MATRIX_COPIES);
  const w = workers > 1 ? `pass --workers 1 (each worker holds ${perWorker}), or ` : '';
  return `${w}analyse fewer prompts or models at a time (memory grows with models × prompts)`;
}
