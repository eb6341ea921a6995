import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';

describe('createRng', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('int(n) is uniform within binomial error (chi-square over 10 cells)', () => {
    const r = createRng(7);
    const counts = new Array(10).fill(0);
    const N = 100_000;
    for (let i = 0; i < N; i++) counts[r.int(10)]++;
    const chi2 = counts.reduce((s, c) => s + (c - N / 10) ** 2 / (N / 10), 0);
    expect(chi2).toBeLessThan(27.9); // 99.9th percentile of chi-square with 9 df
  });

  it('normal() has mean 0 and variance 1', () => {
    const r = createRng(3);
    let s = 0;
    let s2 = 0;
    const N = 50_000;
    for (let i = 0; i < N; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / N)).toBeLessThan(0.02);
    expect(Math.abs(s2 / N - 1)).toBeLessThan(0.03);
  });

  it('fork gives independent reproducible streams', () => {
    const f1 = createRng(1).fork('bootstrap');
    const f2 = createRng(1).fork('bootstrap');
    const g = createRng(1).fork('nullB');
    const x = f1.next();
    expect(f2.next()).toBe(x);
    expect(g.next()).not.toBe(x);
  });

  it('sample returns distinct indices in range', () => {
    const r = createRng(5);
    for (const [n, k] of [[10, 10], [1000, 5], [50, 30]] as const) {
      const s = Array.from(r.sample(n, k));
      expect(new Set(s).size).toBe(k);
      expect(s.every((x) => x >= 0 && x < n)).toBe(true);
    }
  });
});
