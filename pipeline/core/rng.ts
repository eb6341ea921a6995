import { xoroshiro128plus, type RandomGenerator } from 'pure-rand';

/**
 * Seeded randomness. Every random step in the pipeline takes an `Rng`; `fork(label)` derives an
 * independent, reproducible stream so that adding draws in one place never shifts another.
 */
export interface Rng {
  /** Uniform float in [0, 1) with 53 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** In-place Fisher–Yates shuffle; returns the array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** k distinct indices from [0, n), in random order. */
  sample(n: number, k: number): Int32Array;
  /** An independent stream derived from this seed and a label. */
  fork(label: string | number): Rng;
  readonly seed: number;
}

/** FNV-1a over a string: a stable 32-bit label hash for fork(). */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  const normalized = Math.floor(seed) | 0;
  const gen: RandomGenerator = xoroshiro128plus(normalized);
  let spareNormal: number | null = null;

  const u32 = (): number => gen.unsafeNext() >>> 0;
  const next = (): number => {
    // 53-bit float from two 32-bit draws.
    const hi = u32() >>> 5; // 27 bits
    const lo = u32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  const int = (n: number): number => {
    if (!(n >= 1)) throw new Error(`int(n) needs n >= 1, got ${n}`);
    if (n <= 0x100000000) {
      // Rejection sampling removes modulo bias.
      const limit = Math.floor(0x100000000 / n) * n;
      for (;;) {
        const x = u32();
        if (x < limit) return x % n;
      }
    }
    return Math.floor(next() * n);
  };
  const rng: Rng = {
    seed: normalized,
    next,
    int,
    normal() {
      if (spareNormal !== null) {
        const s = spareNormal;
        spareNormal = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle(a) {
      for (let i = a.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    },
    sample(n, k) {
      if (k > n) throw new Error(`cannot sample ${k} of ${n}`);
      if (k * 3 > n) {
        const all = new Int32Array(n);
        for (let i = 0; i < n; i++) all[i] = i;
        for (let i = 0; i < k; i++) {
          const j = i + int(n - i);
          const t = all[i];
          all[i] = all[j];
          all[j] = t;
        }
        return all.slice(0, k);
      }
      const seen = new Set<number>();
      const out = new Int32Array(k);
      let c = 0;
      while (c < k) {
        const x = int(n);
        if (!seen.has(x)) {
          seen.add(x);
          out[c++] = x;
        }
      }
      return out;
    },
    fork(label) {
      return createRng((normalized ^ hashLabel(String(label))) | 0);
    },
  };
  return rng;
}
