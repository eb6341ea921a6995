/**
 * Bit-packed 0/1 columns in WebAssembly memory, and their pair counts through the popcount kernel
 * (popcount.wat). A column holds `words` 32-bit words (an even number, so that the kernel reads
 * 64-bit words and uses the processor's popcount instruction): bit k of `bits` is set when model k
 * got the prompt right, bit k of `mask` when model k has a score. The counts are exact integers,
 * the same as counting bit by bit in JavaScript, about eight times faster.
 */
import { WASM_BASE64 } from './popcount-wasm.ts';
import { instantiateKernel, WASM_PAGE } from '../../core/wasm.ts';

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  n11(a: number, b: number, w64: number): number;
  masked(x: number, y: number, mx: number, my: number, w64: number, out: number): number;
  n11Block(y: number, x: number, count: number, stride: number, w64: number, out: number): void;
  maskedBlock(y: number, my: number, x: number, mx: number, count: number, stride: number, w64: number, out: number): void;
}

const MAX_PAGES = 65536;
/** Pairs one block call handles. */
export const BLOCK_PAIRS = 64;
/** Scratch at address 0: the kernel's three extra counts, then a block's counts (4 per pair). */
const BLOCK_OUT = 16;
const SCRATCH = BLOCK_OUT + 16 * BLOCK_PAIRS;

export class BitColumns {
  readonly n: number;
  /** 32-bit words per column (even). */
  readonly words: number;
  readonly bits: Int32Array;
  readonly mask: Int32Array;
  /** After `masked`: common models, and each column's ones among them. */
  readonly counts: Int32Array;
  /** After `n11Block`: one count per pair; after `maskedBlock`: n11, c, sx, sy per pair. */
  readonly blockCounts: Int32Array;
  private readonly k: KernelExports;
  private readonly stride: number;
  private readonly w64: number;
  private readonly maskBase: number;

  /** Columns of `models` bits each. */
  constructor(n: number, models: number) {
    this.n = n;
    this.words = 2 * Math.ceil(models / 64);
    this.stride = this.words * 4;
    this.w64 = this.words / 2;
    const bytes = SCRATCH + 2 * n * this.stride;
    const pages = Math.ceil(bytes / WASM_PAGE);
    if (pages > MAX_PAGES) {
      throw new Error(`bit-packed columns need ${(bytes / 2 ** 30).toFixed(1)} GiB, more than WebAssembly's 4 GiB: ${n} prompts × ${models} models is too large; sample prompts (correlate --max-test-cells) or split the benchmark`);
    }
    this.k = instantiateKernel<KernelExports>(WASM_BASE64, bytes);
    const buf = this.k.memory.buffer;
    this.counts = new Int32Array(buf, 0, 3);
    this.blockCounts = new Int32Array(buf, BLOCK_OUT, 4 * BLOCK_PAIRS);
    this.bits = new Int32Array(buf, SCRATCH, n * this.words);
    this.maskBase = SCRATCH + n * this.stride;
    this.mask = new Int32Array(buf, this.maskBase, n * this.words);
  }

  /** Models that got both prompts right: |bits_i ∧ bits_j|. */
  n11(i: number, j: number): number {
    return this.k.n11(SCRATCH + i * this.stride, SCRATCH + j * this.stride, this.w64);
  }

  /**
   * |bits_i ∧ bits_j|; and into `counts`: the models observing both, and among them the ones
   * of column i and of column j.
   */
  masked(i: number, j: number): number {
    const oi = i * this.stride;
    const oj = j * this.stride;
    return this.k.masked(SCRATCH + oi, SCRATCH + oj, this.maskBase + oi, this.maskBase + oj, this.w64, 0);
  }

  /** n11 of the pairs (i0 + r, j) for r < count (≤ BLOCK_PAIRS) into blockCounts[r]. */
  n11Block(j: number, i0: number, count: number): void {
    if (count > BLOCK_PAIRS) throw new Error(`n11Block: at most ${BLOCK_PAIRS} pairs per call`);
    this.k.n11Block(SCRATCH + j * this.stride, SCRATCH + i0 * this.stride, count, this.stride, this.w64, BLOCK_OUT);
  }

  /** `masked` of the pairs (i0 + r, j) for r < count (≤ BLOCK_PAIRS) into blockCounts[4r … 4r + 3]: n11, c, sx, sy. */
  maskedBlock(j: number, i0: number, count: number): void {
    if (count > BLOCK_PAIRS) throw new Error(`maskedBlock: at most ${BLOCK_PAIRS} pairs per call`);
    const oj = j * this.stride;
    const oi = i0 * this.stride;
    this.k.maskedBlock(SCRATCH + oj, this.maskBase + oj, SCRATCH + oi, this.maskBase + oi, count, this.stride, this.w64, BLOCK_OUT);
  }
}
