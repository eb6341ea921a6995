/**
 * Null A (the paper's): every prompt's performance vector is permuted across models,
 * independently per prompt. Missing cells stay where they are; only observed values move, among
 * the observed positions of their own column, so each prompt keeps its observed scores exactly.
 */
import { FastRng } from '../fast-rng.ts';
import { extractColumns, type NullSampler } from './types.ts';

export class ColumnPermutationNull implements NullSampler {
  readonly method = 'column-permutation';
  readonly m: number;
  readonly n: number;
  private readonly base: Float64Array;
  /** For incomplete columns: their observed row positions (start offsets in `positions`). */
  private readonly positions: Int32Array;
  private readonly posStart: Int32Array;
  private readonly seed: number;
  /** 0/1 copy of `base` and a work column for `drawBits` (allocated on first use). */
  private base01: Uint8Array | null = null;
  private work01: Uint8Array | null = null;

  constructor(scores: Float64Array, m: number, nTotal: number, columns: ArrayLike<number>, seed: number) {
    this.m = m;
    this.n = columns.length;
    this.seed = seed;
    this.base = extractColumns(scores, m, nTotal, columns);
    const starts = new Int32Array(this.n + 1);
    const pos: number[] = [];
    for (let i = 0; i < this.n; i++) {
      starts[i] = pos.length;
      let missing = false;
      for (let k = 0; k < m; k++) if (this.base[i * m + k] !== this.base[i * m + k]) missing = true;
      if (missing) for (let k = 0; k < m; k++) if (this.base[i * m + k] === this.base[i * m + k]) pos.push(k);
    }
    starts[this.n] = pos.length;
    this.positions = Int32Array.from(pos);
    this.posStart = starts;
  }

  draw(b: number, out: Float64Array): void {
    const { m, n } = this;
    out.set(this.base);
    const rng = FastRng.forReplicate(this.seed, 'nullA', b);
    for (let i = 0; i < n; i++) {
      const s = this.posStart[i];
      const e = this.posStart[i + 1];
      // Complete columns permute all m cells; the others only their observed positions.
      if (s === e) rng.shuffle(out, null, i * m, (i + 1) * m);
      else rng.shuffle(out, this.positions, s, e, i * m);
    }
  }

  /**
   * Replicate b of 0/1 columns straight into bit-packed form (`words` 32-bit words per column;
   * bit k set when model k is right), with exactly the permutations of `draw`. Each column's
   * total, its missing cells and so its observed-mask never change under this null, so a caller
   * that prepared one replicate need only replace the bits.
   */
  drawBits(b: number, bits: Int32Array, words: number): void {
    const { m, n } = this;
    if (!this.base01) {
      this.base01 = new Uint8Array(n * m);
      for (let q = 0; q < n * m; q++) this.base01[q] = this.base[q] === 1 ? 1 : 0;
      this.work01 = new Uint8Array(m);
    }
    const base01 = this.base01;
    const col = this.work01!;
    const pos = this.positions;
    const rng = FastRng.forReplicate(this.seed, 'nullA', b);
    for (let i = 0; i < n; i++) {
      const o = i * m;
      col.set(base01.subarray(o, o + m));
      const s = this.posStart[i];
      const e = this.posStart[i + 1];
      if (s === e) rng.shuffle(col, null, 0, m);
      else rng.shuffle(col, pos, s, e);
      // Branch-free packing: the bits are random, so a branch per cell would mispredict half the time.
      const ow = i * words;
      for (let w = 0; w < words; w++) {
        const k0 = w << 5;
        const k1 = Math.min(m, k0 + 32);
        let x = 0;
        for (let k = k0; k < k1; k++) x |= col[k] << (k - k0);
        bits[ow + w] = x;
      }
    }
  }
}
