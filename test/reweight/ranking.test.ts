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

describe('ranks and overlaps', () => {
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
