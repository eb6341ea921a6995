/**
 * A small, fast xoshiro128** generator for the permutation inner loops (millions of draws per
 * replicate), seeded from the pipeline's `Rng` so every replicate stays reproducible.
 * `int(n)` uses the multiply-shift map (bias below n / 2^32, negligible for n ≤ 1e6).
 */
import type { Rng } from '../core/rng.ts';

export class FastRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
    for (let i = 0; i < 8; i++) this.u32();
  }

  static from(rng: Rng): FastRng {
    return new FastRng(rng.int(0x100000000), rng.int(0x100000000), rng.int(0x100000000), rng.int(0x100000000));
  }

  /** A stream for replicate `index` of the null labelled `label` under `seed`: same for any worker split. */
  static forReplicate(seed: number, label: string, index: number): FastRng {
    let h = 0x811c9dc5 ^ seed;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    const s = splitmix32(h ^ Math.imul(index + 1, 0x9e3779b9));
    return new FastRng(s(), s(), s(), s());
  }

  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9);
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() * n) / 4294967296);
  }

  /**
   * Fisher–Yates shuffle of `values` at positions offset + pos[start … end) (or at start … end − 1
   * when `pos` is null): exactly the draws of calling int(k + 1) for k = len − 1 … 1, with the state in
   * local variables, which V8 runs several times faster than a method call per draw.
   */
  shuffle(values: Uint8Array | Float64Array, pos: Int32Array | null, start: number, end: number, offset = 0): void {
    let a = this.a, b = this.b, c = this.c, d = this.d;
    for (let k = end - start - 1; k > 0; k--) {
      const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      const j = Math.floor(((r >>> 0) * (k + 1)) / 4294967296);
      const x = pos ? offset + pos[start + k] : start + k;
      const y = pos ? offset + pos[start + j] : start + j;
      const v = values[x];
      values[x] = values[y];
      values[y] = v;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}
