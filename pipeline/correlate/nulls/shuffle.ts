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
      const o = i * m;
      const s = this.posStart[i];
      const e = this.posStart[i + 1];
      if (s === e) {
        for (let k = m - 1; k > 0; k--) {
          const j = rng.int(k + 1);
          const t = out[o + k];
          out[o + k] = out[o + j];
          out[o + j] = t;
        }
      } else {
        const pos = this.positions;
        for (let a = e - s - 1; a > 0; a--) {
          const c = rng.int(a + 1);
          const ka = o + pos[s + a];
          const kc = o + pos[s + c];
          const t = out[ka];
          out[ka] = out[kc];
          out[kc] = t;
        }
      }
    }
  }
}
