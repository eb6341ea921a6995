import { describe, expect, it } from 'vitest';
import { kendallTauB, ranksOf, topKOverlap, maxAbsRankShift, quantileSorted } from '../../pipeline/reweight/ranking.ts';

describe('Kendall τ_b', () => {
  it('matches a hand-computed value with ties on both sides', () => {
    // pairs: 3 concordant, 1 discordant, 1 tied in x only, 1 tied in y only → 2/√(5·5)
    expect(kendallTauB([1, 2, 2, 3], [1, 3, 2, 2])).toBeCloseTo(0.4, 12);
  });
  it('is 1 for the same order with the same ties, 0 for a balanced case, −1 for reversed', () => {
    expect(kendallTauB([1, 1, 2], [5, 5, 7])).toBeCloseTo(1, 12);
    expect(kendallTauB([1, 1, 2, 2], [1, 2, 1, 2])).toBeCloseTo(0, 12);
    expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });
  it('matches a hand-computed value without ties', () => {
    // x ranks 1..5, y = [3,4,1,2,5]: concordant 6, discordant 4 → 2/10
    expect(kendallTauB([1, 2, 3, 4, 5], [3, 4, 1, 2, 5])).toBeCloseTo(0.2, 12);
  });
  it('ignores models with a NaN and is NaN for a constant vector', () => {
    expect(kendallTauB([1, 2, NaN, 3], [1, 2, 9, 3])).toBeCloseTo(1, 12);
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

/** The O(m²) definition, kept here as the oracle of Knight's algorithm. */
function kendallByPairs(x: number[], y: number[]): number {
  let conc = 0;
  let disc = 0;
  let tiesX = 0;
  let tiesY = 0;
  let pairs = 0;
  for (let a = 0; a < x.length; a++) {
    for (let b = a + 1; b < x.length; b++) {
      if (Number.isNaN(x[a] + y[a] + x[b] + y[b])) continue;
      pairs++;
      const dx = x[a] - x[b];
      const dy = y[a] - y[b];
      if (dx === 0) tiesX++;
      if (dy === 0) tiesY++;
      if (dx !== 0 && dy !== 0) (dx > 0 === dy > 0 ? conc++ : disc++);
    }
  }
  const den = Math.sqrt((pairs - tiesX) * (pairs - tiesY));
  return den > 0 ? (conc - disc) / den : NaN;
}

describe('Kendall τ_b in O(m log m)', () => {
  it('equals the pairwise definition exactly, with heavy ties, NaNs and every size up to 70', () => {
    let s = 12345;
    const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
    for (let m = 0; m <= 70; m++) {
      for (const levels of [2, 3, 7, 1000]) {
        const x = Array.from({ length: m }, () => (next() < 0.05 ? NaN : Math.floor(next() * levels)));
        const y = Array.from({ length: m }, (_, i) => (next() < 0.05 ? NaN : next() < 0.5 ? x[i] : Math.floor(next() * levels)));
        const want = kendallByPairs(x, y);
        const got = kendallTauB(x, y);
        if (Number.isNaN(want)) expect(got).toBeNaN();
        else expect(got).toBe(want);
      }
    }
  });
});

describe('ranks and overlaps', () => {
  it('competition ranks equal 1 + #strictly higher scores, with ties, NaN and infinities', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let m = 0; m < 60; m++) {
      const x = Array.from({ length: m }, () => (next() < 0.1 ? NaN : next() < 0.05 ? Infinity : Math.floor(next() * 5) / 4));
      const want = x.map((v) => (v !== v ? NaN : 1 + x.filter((w) => w > v).length));
      expect(Array.from(ranksOf(x))).toEqual(want);
    }
  });
  it('gives competition ranks, 1 = best', () => {
    expect(Array.from(ranksOf([0.5, 0.7, 0.7, 0.1]))).toEqual([3, 1, 1, 4]);
    expect(Array.from(ranksOf([0.5, NaN, 0.2]))).toEqual([1, NaN, 2]);
  });
  it('top-k overlap and max rank shift', () => {
    expect(topKOverlap([5, 4, 3, 2, 1], [5, 4, 1, 2, 3], 3)).toBeCloseTo(2 / 3, 12);
    expect(maxAbsRankShift([1, 2, 3, 4], [4, 2, 3, 1])).toBe(3);
  });
  it('type-7 quantiles', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.25)).toBe(2);
  });
});
