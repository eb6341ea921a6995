/**
 * Memory guard: a stage estimates its peak memory from the matrix size and its options *before*
 * any long computation, and stops with a one-line CovaryError naming the size and what to do,
 * instead of an out-of-memory crash an hour in. The budget is 80% of physical memory, or
 * COVARY_MEMORY_BUDGET (read by the CLI layer, e.g. "6G", "800M", or bytes), so tests can set a
 * small one. Estimates are calibrated on `npm run bench -- scale` (figures in docs/scale.md).
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { CovaryError } from './errors.ts';
import type { StageContext } from './stage.ts';

/** A node process with tsx loaded, before any data (measured: 190–210 MiB). */
export const BASE_PROCESS_BYTES = 220 * 2 ** 20;

export interface MemoryEstimate {
  /** Estimated peak resident memory of the stage, bytes. */
  bytes: number;
  /** Of which JavaScript objects on the V8 heap (bounded by the heap limit, not by physical memory). */
  heapBytes?: number;
  /** What the estimate is about, e.g. "5,000 models × 30,000 prompts (1.5e8 cells)". */
  size: string;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, kb: 2 ** 10, m: 2 ** 20, mb: 2 ** 20, g: 2 ** 30, gb: 2 ** 30, t: 2 ** 40, tb: 2 ** 40 };

/** "6G", "800M", "1.5GiB", "123456" → bytes; invalid text is an error naming the variable. */
export function parseMemorySize(text: string, field = 'COVARY_MEMORY_BUDGET'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$/i.exec(text);
  const unit = m ? m[2].toLowerCase().replace('i', '') : '';
  if (!m || !(unit in UNITS) || !(Number(m[1]) > 0)) {
    throw new CovaryError(`${field} "${text}": expected a size such as 6G, 800M or a number of bytes`, { field });
  }
  return Math.round(Number(m[1]) * UNITS[unit]);
}

/** The budget when none is given: 80% of physical memory (the rest is the OS and other programs). */
export function defaultMemoryBudget(): number {
  return Math.floor(0.8 * totalmem());
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return `${Math.max(1, Math.round(bytes / 2 ** 20))} MiB`;
}

/** "1.5e8" for big counts, grouped digits for small ones. */
export function formatCount(x: number): string {
  return x >= 1e7 ? x.toExponential(1).replace('e+', 'e') : Math.round(x).toLocaleString('en-US');
}

/**
 * Throws when the estimate exceeds the budget (or its heap part exceeds V8's heap limit).
 * `stage` names the command, `advice` says what to do (options that shrink the estimate).
 */
export function checkMemory(stage: string, est: MemoryEstimate, budget: number | undefined, advice: string): void {
  const limit = budget ?? defaultMemoryBudget();
  if (est.bytes > limit) {
    throw new CovaryError(
      `${stage}: ${est.size} needs about ${formatBytes(est.bytes)} of memory, more than the ${formatBytes(limit)} available`,
      {},
      `${advice}; or set COVARY_MEMORY_BUDGET if more memory is free`,
    );
  }
  const heap = getHeapStatistics().heap_size_limit;
  if (est.heapBytes !== undefined && est.heapBytes > heap) {
    throw new CovaryError(
      `${stage}: ${est.size} needs about ${formatBytes(est.heapBytes)} of JavaScript heap, more than Node's ${formatBytes(heap)} limit`,
      {},
      `${advice}; or raise the limit with NODE_OPTIONS=--max-old-space-size=<MiB>`,
    );
  }
}

/**
 * Peak memory of a stage that holds the m × n score matrix and about `copies` more arrays of its
 * size in all (Float64: 8 bytes a cell), checked from the manifest before the matrix is loaded.
 * Each stage's `copies` is calibrated on 5,000 × 30,000 (docs/scale.md, "The memory guard").
 */
export function matrixStageEstimate(m: number, n: number, copies: number): MemoryEstimate {
  return { bytes: BASE_PROCESS_BYTES + copies * 8 * m * n, size: `${formatCount(m)} models × ${formatCount(n)} prompts (${formatCount(m * n)} cells)` };
}

/**
 * The guard of a matrix-sized stage (irt, cluster, reweight, explain): from the manifest, before the
 * matrix is loaded, so that too big for memory is a clear error and not an out-of-memory crash.
 */
export async function checkMatrixStageMemory(ctx: Pick<StageContext, 'store' | 'memoryBudget'>, bench: string, stage: string, copies: number, extra?: ExtraMemory): Promise<void> {
  const { models, items } = (await ctx.store.readManifest(bench)).counts;
  const est = matrixStageEstimate(models, items, copies);
  const advice = 'analyse fewer models or prompts at a time (memory grows with models × prompts)';
  if (!extra) return checkMemory(stage, est, ctx.memoryBudget, advice);
  checkMemory(stage, { bytes: est.bytes + extra.bytes(models), size: `${est.size} ${extra.size}` }, ctx.memoryBudget, `${extra.advice}, or ${advice}`);
}

/** Memory a stage needs beyond its matrix copies that grows with the models and an option (reweight's B × m replicate matrices). */
export interface ExtraMemory {
  bytes: (models: number) => number;
  /** Appended to the size, e.g. "with 5,000 bootstrap replicates of 3 schemes". */
  size: string;
  /** The options that shrink it, e.g. "lower --bootstrap". */
  advice: string;
}
