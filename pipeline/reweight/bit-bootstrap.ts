/**
 * Bootstrap replicate scores of a 0/1 score matrix from its bit-packed form (bootstrap.ts uses it
 * at and above BIT_BOOTSTRAP_MIN_CELLS cells).
 *
 * A replicate's score of model k under a scheme is Σ_i v_i S[k,i] / (Σ_i v_i − Σ_{i missing for k} v_i)
 * with v_i = c_i w_i (counts × weights), exactly as replicateScores computes it. With S ∈ {0, 1} the
 * numerator is a sum of v over the prompts model k got right. Prompts are packed 8 to a byte
 * (group g = prompts 8g … 8g + 7; byte X[g·m + k] holds model k's 8 scores, missing = 0), and for
 * a block of 16 replicates each group's 256 possible bytes get a table of their 16 sums
 * ("Four Russians"): one table lookup per (group, model) replaces 8 multiply-adds. The sums over a
 * model's missing prompts come from the same tables through a sparse list of (model, missing bits)
 * per group. The kernel is WebAssembly SIMD (kernel/replicate-sums.wat): the same loop in plain
 * JavaScript is about four times slower.
 *
 * Counts are drawn in the calling thread with the same rng calls in the same order as
 * bootstrapScores (so the replicates are the same resamples), block by block into shared memory;
 * blocks of 16 replicates are handed out to this thread and a worker thread through a shared
 * counter, the worker starting on the first blocks while the rest are drawn. A block's numbers do
 * not depend on which thread computes it, so the result is the same with or without the worker.
 * The calling thread waits on shared memory (Atomics.wait) rather than on a promise, so the
 * reweight computation stays synchronous.
 *
 * The totals Σ_i v_i are added in prompt order as replicateScores adds them; the numerators and
 * the missing sums in another order, so replicates agree with replicateScores' to rounding (a few
 * 1e-15 relative). For a model missing more than half its prompts the denominator is summed over
 * the prompts it has, not as total − missing (there replicateScores loses digits, and a model with
 * no results would get noise instead of NaN).
 */
import { availableParallelism } from 'node:os';
import type { Rng } from '../core/rng.ts';
import { runWorker, siblingModule } from '../core/worker-call.ts';
import { WASM_BASE64 } from './kernel/replicate-sums-wasm.ts';
import { instantiateKernel } from '../core/wasm.ts';

/** Below this many cells (models × prompts) the bootstrap keeps the exact floating-point path of replicateScores. */
export const BIT_BOOTSTRAP_MIN_CELLS = 2e7;
/** Replicates per kernel block: a table row is 16 f64 (eight 128-bit lanes). */
export const BLOCK = 16;

/** Knobs of the fast path (tests and benches change them and put them back). */
export const bitBootstrapConfig = {
  /** Cells (m × n) from which prepare() packs a 0/1 matrix instead of transposing it. */
  minCells: BIT_BOOTSTRAP_MIN_CELLS,
  /** Threads computing blocks (this one included): 1 = no worker. */
  threads: Math.min(2, availableParallelism()),
  /** Table lookups (groups × models × replicates × schemes) from which a worker is worth its start-up (~0.1 s compiled, ~1–3 s from the sources). */
  minWorkerLookups: 4e9,
  /** Tests only: the calling thread waits until the worker has claimed a block, so that it surely computes one. */
  waitForWorker: false,
};

export interface BitMatrix {
  m: number;
  n: number;
  /** ⌈n / 8⌉ prompt groups. */
  groups: number;
  /** groups × m bytes: bit j of byte [g·m + k] is model k's score on prompt 8g + j (missing = 0). */
  bytes: Uint8Array;
  /** Per group, where its entries start in missEntries (length groups + 1). */
  missStart: Int32Array;
  /**
   * (model << 8 | bits), group by group: the bits of the model's missing prompts in the group, or
   * for a model in observedOnly, of its observed ones (one entry per group where any are set).
   */
  missEntries: Int32Array;
  /**
   * Models missing more than half their prompts: their weight total is summed over the prompts they
   * have rather than as total − missing, which for a model missing (nearly) everything is a
   * difference of nearly equal sums, 0 or noise instead of exactly 0 (NaN score).
   */
  observedOnly: Int32Array;
}

function sharedArray<T>(make: new (buf: SharedArrayBuffer) => T, bytesPerElement: number, length: number): T {
  return new make(new SharedArrayBuffer(Math.max(1, length) * bytesPerElement));
}

/**
 * Packs an m × n row-major matrix (NaN = missing) into shared memory, with each model's missing
 * prompts; null as soon as an observed cell is not exactly 0 or 1.
 */
export function packBits(scores: Float64Array, m: number, n: number): { bits: BitMatrix; missing: Int32Array[] } | null {
  const groups = Math.ceil(n / 8);
  const bytes = sharedArray(Uint8Array, 1, groups * m);
  const row = new Uint8Array(groups);
  const miss = new Uint8Array(groups);
  const perGroup = new Int32Array(groups + 1);
  const missing: Int32Array[] = [];
  // (group, entry) pairs model by model; sorted into groups below.
  const missGroup: number[] = [];
  const missEntry: number[] = [];
  const missed: number[] = [];
  const observedOnly: number[] = [];
  for (let k = 0; k < m; k++) {
    row.fill(0);
    miss.fill(0);
    missed.length = 0;
    const base = k * n;
    for (let i = 0; i < n; i++) {
      const v = scores[base + i];
      if (v === 1) row[i >> 3] |= 1 << (i & 7);
      else if (v !== v) {
        miss[i >> 3] |= 1 << (i & 7);
        missed.push(i);
      } else if (v !== 0) return null;
    }
    missing.push(Int32Array.from(missed));
    const flip = 2 * missed.length > n;
    if (flip) observedOnly.push(k);
    for (let g = 0; g < groups; g++) {
      bytes[g * m + k] = row[g];
      // The last group's bits beyond prompt n − 1 are neither missing nor observed.
      const present = g < groups - 1 || n % 8 === 0 ? 0xff : (1 << n % 8) - 1;
      const listed = flip ? ~miss[g] & present : miss[g];
      if (listed) {
        missGroup.push(g);
        missEntry.push((k << 8) | listed);
        perGroup[g + 1]++;
      }
    }
  }
  const missStart = sharedArray(Int32Array, 4, groups + 1);
  for (let g = 0; g < groups; g++) missStart[g + 1] = missStart[g] + perGroup[g + 1];
  const missEntries = sharedArray(Int32Array, 4, missEntry.length);
  const fill = Int32Array.from(missStart.subarray(0, groups));
  for (let e = 0; e < missEntry.length; e++) missEntries[fill[missGroup[e]]++] = missEntry[e];
  return { bits: { m, n, groups, bytes, missStart, missEntries, observedOnly: Int32Array.from(observedOnly) }, missing };
}

// --- the WebAssembly kernel ---------------------------------------------------------------------

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  block(acc: number, lost: number, x: number, m: number, list: number, count: number, v: number, tables: number, missStart: number, entries: number): void;
}
const ROW = BLOCK * 8;

/** The kernel with one bit matrix copied into its memory, and views of its working arrays. */
export class ReplicateSums {
  readonly acc: Float64Array;
  readonly lost: Float64Array;
  readonly list: Int32Array;
  readonly v: Float64Array;
  private readonly k: KernelExports;
  private readonly at: { acc: number; lost: number; list: number; v: number; missStart: number; entries: number; x: number };
  private readonly m: number;

  constructor(bits: BitMatrix) {
    const { m, groups } = bits;
    this.m = m;
    // Layout: 64 KiB of tables, then acc, lost, v rows (all 128-byte rows), group list, missing lists, the bytes.
    const acc = 2 * 32768;
    const lost = acc + m * ROW;
    const v = lost + m * ROW;
    const list = v + groups * 8 * ROW;
    const missStart = list + groups * 4;
    const entries = missStart + (groups + 1) * 4;
    const x = entries + bits.missEntries.length * 4;
    const end = x + groups * m;
    if (end > 4 * 2 ** 30) throw new Error(`the bit-packed bootstrap needs ${(end / 2 ** 30).toFixed(1)} GiB of WebAssembly memory, more than its 4 GiB: ${m} models × ${bits.n} prompts is too large`);
    this.k = instantiateKernel<KernelExports>(WASM_BASE64, end);
    const buf = this.k.memory.buffer;
    this.at = { acc, lost, list, v, missStart, entries, x };
    this.acc = new Float64Array(buf, acc, m * BLOCK);
    this.lost = new Float64Array(buf, lost, m * BLOCK);
    this.list = new Int32Array(buf, list, groups);
    this.v = new Float64Array(buf, v, groups * 8 * BLOCK);
    new Int32Array(buf, missStart, groups + 1).set(bits.missStart);
    new Int32Array(buf, entries, bits.missEntries.length).set(bits.missEntries);
    new Uint8Array(buf, x, groups * m).set(bits.bytes);
  }

  /** acc (and lost) += the sums of the first `count` listed groups, whose v rows are v[p·128 …]. */
  run(count: number): void {
    const a = this.at;
    this.k.block(a.acc, a.lost, a.x, this.m, a.list, count, a.v, 0, a.missStart, a.entries);
  }
}

// --- blocks of replicates -----------------------------------------------------------------------

/** Everything a thread needs to compute blocks; every array lives in shared memory. */
export interface BitJob {
  bits: BitMatrix;
  B: number;
  schemes: number;
  /** schemes × n weights. */
  weights: Float64Array;
  /** Counts, block-major: counts[(block·n + i)·16 + r] for replicate 16·block + r. */
  counts: Uint16Array | Int32Array;
  /** Models with a missing cell, except bits.observedOnly. */
  incomplete: Int32Array;
  /** Per scheme, B × m replicate scores. */
  outs: Float64Array[];
  /** Claim counter, completions, worker state (see CTL_*). */
  control: Int32Array;
  /** 1 once a block's scores are written. */
  blockDone: Int32Array;
}

const CTL_NEXT = 0;
const CTL_DONE = 1;
const CTL_REPLICATES = 2;
const CTL_DRAWN = 3;
const CTL_WORKER = 4;
const CTL_WORKER_BLOCKS = 5;
const CONTROL_SLOTS = 6;
const WORKER_IDLE = 0;
const WORKER_CLAIMED = 1;
const WORKER_FINISHED = 2;
const WORKER_FAILED = 3;

/** Replicate scores of block `blk` for every scheme, written into job.outs. */
export function computeBlock(job: BitJob, kernel: ReplicateSums, blk: number): void {
  const { bits, B, schemes, weights, counts, incomplete, outs } = job;
  const { m, n, groups } = bits;
  const b0 = blk * BLOCK;
  const rb = Math.min(BLOCK, B - b0);
  const { acc, lost, list, v } = kernel;
  const total = new Float64Array(BLOCK);
  const cBase = blk * n * BLOCK;
  for (let s = 0; s < schemes; s++) {
    const wBase = s * n;
    // v rows of the groups with a nonzero count and a nonzero weight (others add nothing), in
    // prompt order.
    let count = 0;
    for (let g = 0; g < groups; g++) {
      const vBase = count * 8 * BLOCK;
      const jEnd = Math.min(8, n - 8 * g);
      let counted = 0;
      let weighted = false;
      for (let j = 0; j < jEnd; j++) {
        const i = 8 * g + j;
        const w = weights[wBase + i];
        if (w !== 0) weighted = true;
        const row = vBase + j * BLOCK;
        const c = cBase + i * BLOCK;
        for (let r = 0; r < BLOCK; r++) {
          v[row + r] = counts[c + r] * w;
          counted |= counts[c + r];
        }
      }
      if (jEnd < 8) v.fill(0, vBase + jEnd * BLOCK, vBase + 8 * BLOCK);
      if (counted !== 0 && weighted) list[count++] = g;
    }
    rowTotals(v, count * 8, total);
    acc.fill(0);
    if (incomplete.length || bits.observedOnly.length) lost.fill(0);
    kernel.run(count);
    const out = outs[s];
    for (let r = 0; r < rb; r++) {
      const t = total[r];
      const o = (b0 + r) * m;
      for (let k = 0; k < m; k++) out[o + k] = t > 0 ? acc[k * BLOCK + r] / t : NaN;
      for (let j = 0; j < incomplete.length; j++) {
        const k = incomplete[j];
        const den = t - lost[k * BLOCK + r];
        out[o + k] = den > 1e-300 ? acc[k * BLOCK + r] / den : NaN;
      }
      for (let j = 0; j < bits.observedOnly.length; j++) {
        const k = bits.observedOnly[j];
        const den = lost[k * BLOCK + r];
        out[o + k] = den > 1e-300 ? acc[k * BLOCK + r] / den : NaN;
      }
    }
  }
}

/**
 * Σ over the first `rows` v rows, per replicate, in row (prompt) order: replicateScores' totals,
 * since the rows left out and the zeros added change no sum. Sixteen running sums in locals: an
 * accumulator array here costs four times as much as the rest of the block's set-up.
 */
function rowTotals(v: Float64Array, rows: number, total: Float64Array): void {
  let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0, t8 = 0, t9 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0, t14 = 0, t15 = 0;
  const end = rows * BLOCK;
  for (let q = 0; q < end; q += BLOCK) {
    t0 += v[q];
    t1 += v[q + 1];
    t2 += v[q + 2];
    t3 += v[q + 3];
    t4 += v[q + 4];
    t5 += v[q + 5];
    t6 += v[q + 6];
    t7 += v[q + 7];
    t8 += v[q + 8];
    t9 += v[q + 9];
    t10 += v[q + 10];
    t11 += v[q + 11];
    t12 += v[q + 12];
    t13 += v[q + 13];
    t14 += v[q + 14];
    t15 += v[q + 15];
  }
  total[0] = t0;
  total[1] = t1;
  total[2] = t2;
  total[3] = t3;
  total[4] = t4;
  total[5] = t5;
  total[6] = t6;
  total[7] = t7;
  total[8] = t8;
  total[9] = t9;
  total[10] = t10;
  total[11] = t11;
  total[12] = t12;
  total[13] = t13;
  total[14] = t14;
  total[15] = t15;
}

/** Marks a block done (first finisher only) and wakes the waiting thread. */
function finishBlock(job: BitJob, blk: number): void {
  if (Atomics.compareExchange(job.blockDone, blk, 0, 1) !== 0) return;
  Atomics.add(job.control, CTL_REPLICATES, Math.min(BLOCK, job.B - blk * BLOCK));
  Atomics.add(job.control, CTL_DONE, 1);
  Atomics.notify(job.control, CTL_DONE);
}

const blockCount = (B: number): number => Math.ceil(B / BLOCK);

/** The worker thread's side: claim and compute blocks until none are left. */
export function workerBlocks(job: BitJob): void {
  const nBlocks = blockCount(job.B);
  const ctl = job.control;
  try {
    let blk = Atomics.add(ctl, CTL_NEXT, 1);
    if (blk >= nBlocks) {
      setWorkerState(ctl, WORKER_FINISHED);
      return;
    }
    setWorkerState(ctl, WORKER_CLAIMED);
    const kernel = new ReplicateSums(job.bits);
    for (; blk < nBlocks; blk = Atomics.add(ctl, CTL_NEXT, 1)) {
      // The calling thread may still be drawing this block's counts.
      for (let drawn = Atomics.load(ctl, CTL_DRAWN); drawn <= blk; drawn = Atomics.load(ctl, CTL_DRAWN)) Atomics.wait(ctl, CTL_DRAWN, drawn);
      computeBlock(job, kernel, blk);
      Atomics.add(ctl, CTL_WORKER_BLOCKS, 1);
      finishBlock(job, blk);
    }
  } catch (e) {
    setWorkerState(ctl, WORKER_FAILED);
    throw e;
  }
  setWorkerState(ctl, WORKER_FINISHED);
}

/** Publishes the worker's state to a thread waiting on either its state or the completions. */
function setWorkerState(ctl: Int32Array, state: number): void {
  Atomics.store(ctl, CTL_WORKER, state);
  Atomics.notify(ctl, CTL_WORKER);
  Atomics.notify(ctl, CTL_DONE);
}

const WORKER = siblingModule('./bit-bootstrap-worker', import.meta.url);
/** Kernels of this thread, one per bit matrix (the prompt and cluster bootstraps share it). */
const kernels = new WeakMap<BitMatrix, ReplicateSums>();

export interface BitBootstrapInput {
  bits: BitMatrix;
  weights: Float64Array[];
  /** Models with a missing cell. */
  incomplete: readonly number[];
}

export interface BitBootstrapStats {
  /** Blocks the worker thread computed (0 without one). */
  workerBlocks: number;
  /** Why the worker did not help, when it failed. */
  workerError: string | null;
}

/** After this long without a block from the worker, this thread computes the worker's blocks too (same numbers). */
const WORKER_PATIENCE_MS = 10_000;

/**
 * B replicates from the bit-packed matrix; per scheme a B × m Float64Array, as bootstrapScores.
 * Counts use the rng exactly as bootstrapScores does.
 */
export function bitBootstrapScores(input: BitBootstrapInput, kind: 'prompt' | 'cluster', B: number, rng: Rng, clusters: { of: Int32Array; C: number } | null, onReplicate?: () => void, stats?: BitBootstrapStats): Float64Array[] {
  const { bits, weights } = input;
  const { m, n, groups } = bits;
  const S = weights.length;
  if (kind === 'cluster' && (!clusters || clusters.C < 1)) throw new Error('cluster bootstrap needs clusters');
  const nBlocks = blockCount(B);
  const observedOnly = new Set(bits.observedOnly);
  const draws = kind === 'prompt' ? n : clusters!.C;
  const countsLength = nBlocks * n * BLOCK;
  const job: BitJob = {
    bits,
    B,
    schemes: S,
    weights: sharedArray(Float64Array, 8, S * n),
    // A count is at most the number of draws.
    counts: draws <= 0xffff ? sharedArray(Uint16Array, 2, countsLength) : sharedArray(Int32Array, 4, countsLength),
    incomplete: Int32Array.from(input.incomplete.filter((k) => !observedOnly.has(k))),
    outs: weights.map(() => sharedArray(Float64Array, 8, B * m)),
    control: sharedArray(Int32Array, 4, CONTROL_SLOTS),
    blockDone: sharedArray(Int32Array, 4, nBlocks),
  };
  weights.forEach((w, s) => job.weights.set(w, s * n));
  const ctl = job.control;

  // The worker starts (loads its module) while this thread draws the counts.
  const lookups = groups * m * B * S;
  let workerError: string | null = null;
  const useWorker = bitBootstrapConfig.threads > 1 && nBlocks > 1 && lookups >= bitBootstrapConfig.minWorkerLookups;
  if (useWorker) {
    runWorker<null>(WORKER, job, { label: 'bit bootstrap' }).catch((e: unknown) => {
      // This thread has already covered the worker's blocks (see the wait below).
      workerError = e instanceof Error ? e.message : String(e);
    });
  }

  try {
    let reported = 0;
    const report = (): void => {
      const done = Atomics.load(ctl, CTL_REPLICATES);
      if (onReplicate) for (; reported < done; reported++) onReplicate();
    };
    // Drawn block by block, so that the worker can start on the first blocks meanwhile.
    const counts = job.counts;
    const cc = kind === 'cluster' ? new Float64Array(clusters!.C) : null;
    for (let b = 0; b < B; b++) {
      const base = Math.floor(b / BLOCK) * n * BLOCK + (b % BLOCK);
      if (!cc) {
        for (let j = 0; j < n; j++) counts[base + rng.int(n) * BLOCK]++;
      } else {
        const { of, C } = clusters!;
        cc.fill(0);
        for (let j = 0; j < C; j++) cc[rng.int(C)]++;
        for (let i = 0; i < n; i++) counts[base + i * BLOCK] = cc[of[i]];
      }
      if (b % BLOCK === BLOCK - 1 || b === B - 1) {
        Atomics.store(ctl, CTL_DRAWN, Math.floor(b / BLOCK) + 1);
        Atomics.notify(ctl, CTL_DRAWN);
        report();
      }
    }
    if (useWorker && bitBootstrapConfig.waitForWorker) Atomics.wait(ctl, CTL_WORKER, WORKER_IDLE, 120_000);

    let kernel = kernels.get(bits);
    if (!kernel) {
      kernel = new ReplicateSums(bits);
      kernels.set(bits, kernel);
    }
    const started = performance.now();
    let own = 0;
    for (let blk = Atomics.add(ctl, CTL_NEXT, 1); blk < nBlocks; blk = Atomics.add(ctl, CTL_NEXT, 1)) {
      computeBlock(job, kernel, blk);
      finishBlock(job, blk);
      own++;
      report();
    }
    // Blocks the worker still holds: wait while it makes progress; if it fails or stalls, compute them here.
    // A stalled worker that wakes up later may still write such a block into the shared output: it
    // writes the same values (a block depends only on its counts and the kernel), so that is harmless.
    const patience = Math.max(WORKER_PATIENCE_MS, (8 * (performance.now() - started)) / Math.max(1, own));
    let lastProgress = performance.now();
    for (let done = Atomics.load(ctl, CTL_DONE); done < nBlocks; done = Atomics.load(ctl, CTL_DONE)) {
      const state = Atomics.load(ctl, CTL_WORKER);
      if (state === WORKER_FAILED || state === WORKER_FINISHED || performance.now() - lastProgress > patience) {
        for (let blk = 0; blk < nBlocks; blk++) {
          if (Atomics.load(job.blockDone, blk)) continue;
          computeBlock(job, kernel, blk);
          finishBlock(job, blk);
          report();
        }
        break;
      }
      if (Atomics.wait(ctl, CTL_DONE, done, 200) !== 'timed-out') lastProgress = performance.now();
      report();
    }
    report();
  } finally {
    // Normally a no-op; after an exception, the worker must not wait for counts that will never come.
    Atomics.store(ctl, CTL_NEXT, nBlocks);
    Atomics.store(ctl, CTL_DRAWN, nBlocks);
    Atomics.notify(ctl, CTL_DRAWN);
  }
  if (stats) {
    stats.workerBlocks = Atomics.load(ctl, CTL_WORKER_BLOCKS);
    stats.workerError = Atomics.load(ctl, CTL_WORKER) === WORKER_FAILED ? (workerError ?? 'the worker failed') : workerError;
  }
  return job.outs;
}
