import { describe, expect, it } from 'vitest';
import { fmt, intCount, pct, pValue, signed } from '../../pipeline/report/format.ts';
import { linearScale, niceTicks, r2, tickLabel } from '../../pipeline/report/svg/frame.ts';

describe('fmt', () => {
  it('fixed digits, a real minus sign, dashes for missing, ∞ for infinities', () => {
    expect(fmt(0.12345)).toBe('0.123');
    expect(fmt(0.12355, 2)).toBe('0.12');
    expect(fmt(-0.5)).toBe('−0.500');
    expect(fmt(2, 0)).toBe('2');
    expect(fmt(1234.5678, 1)).toBe('1234.6');
    expect(fmt(null)).toBe('–');
    expect(fmt(undefined)).toBe('–');
    expect(fmt(NaN)).toBe('–');
    expect(fmt(Infinity)).toBe('∞');
    expect(fmt(-Infinity)).toBe('−∞');
  });

  it('zero is 0.000 (never −0.000); values too small for the digits use scientific notation', () => {
    expect(fmt(0)).toBe('0.000');
    expect(fmt(-0)).toBe('0.000');
    expect(fmt(0.0004)).toBe('4.0e−4');
    expect(fmt(-0.0004)).toBe('−4.0e−4');
    expect(fmt(0.001)).toBe('0.001');
    expect(fmt(-0.001)).toBe('−0.001');
    expect(fmt(1e-20)).toBe('1.0e−20');
    // No ASCII hyphen-minus anywhere in a formatted number.
    for (const x of [-1e-9, -0.0004, -0.5, -3, -1234.5]) expect(fmt(x)).not.toContain('-');
  });
});

describe('pValue', () => {
  it('an exact permutation p at its floor is shown as "≤ 1/(B+1)"', () => {
    expect(pValue(1 / 1000, 999)).toBe('≤ 0.0010');
    expect(pValue(1 / 20, 19)).toBe('≤ 0.0500');
    expect(pValue(1 / 100, 99)).toBe('≤ 0.0100');
    expect(pValue(1 / 100000, 99999)).toBe('≤ 1.0e−5');
  });

  it('a p above the floor is printed as it is', () => {
    expect(pValue(2 / 1000, 999)).toBe('0.002');
    expect(pValue(0.5, 999)).toBe('0.500');
    expect(pValue(1, 99)).toBe('1.000');
    expect(pValue(0.04, 19)).toBe('≤ 0.0500');
  });

  it('without B, small p-values in scientific notation; missing as a dash', () => {
    expect(pValue(0.0005)).toBe('5.0e−4');
    expect(pValue(0.0123)).toBe('0.012');
    expect(pValue(null, 99)).toBe('–');
    expect(pValue(NaN)).toBe('–');
  });
});

describe('signed, intCount, pct', () => {
  it('signed shows + and − and no sign for zero', () => {
    expect(signed(0.25)).toBe('+0.250');
    expect(signed(-0.25)).toBe('−0.250');
    expect(signed(0)).toBe('0.000');
    expect(signed(3, 0)).toBe('+3');
    expect(signed(-2, 0)).toBe('−2');
    expect(signed(null)).toBe('–');
  });

  it('intCount groups thousands and rounds', () => {
    expect(intCount(0)).toBe('0');
    expect(intCount(999)).toBe('999');
    expect(intCount(1000)).toBe('1,000');
    expect(intCount(1234567)).toBe('1,234,567');
    expect(intCount(12.6)).toBe('13');
    expect(intCount(undefined)).toBe('–');
  });

  it('pct', () => {
    expect(pct(0.12345)).toBe('12.3%');
    expect(pct(1, 0)).toBe('100%');
    expect(pct(-0.05)).toBe('−5.0%');
    expect(pct(NaN)).toBe('–');
  });
});

describe('niceTicks', () => {
  it('steps of 1, 2, 2.5 or 5 × 10^k, inside [lo, hi], without float noise', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-1, 1)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0.13, 0.87)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0, 0.07)).toEqual([0, 0.02, 0.04, 0.06]);
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(1, 1000)).toEqual([200, 400, 600, 800, 1000]);
    expect(niceTicks(0, 12)).toEqual([0, 2.5, 5, 7.5, 10]);
  });

  it('a degenerate range gives one tick', () => {
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(5, 1)).toEqual([5]);
  });

  it('at most ~count+1 ticks, all within the range, equally spaced', () => {
    for (const [lo, hi] of [[0, 0.003], [-7.3, 12.9], [1e-6, 5e-6], [0, 3000], [-0.21, 0.47]]) {
      const t = niceTicks(lo, hi);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(6);
      for (const v of t) {
        expect(v).toBeGreaterThanOrEqual(lo - 1e-12);
        expect(v).toBeLessThanOrEqual(hi + 1e-12);
      }
      const step = t[1] - t[0];
      for (let i = 2; i < t.length; i++) expect(t[i] - t[i - 1]).toBeCloseTo(step, 9);
    }
  });
});

describe('linearScale', () => {
  it('maps the domain linearly onto the range (also inverted, as for a y axis)', () => {
    const s = linearScale([0, 1], [0, 200]);
    expect(s(0)).toBe(0);
    expect(s(0.5)).toBe(100);
    expect(s(1)).toBe(200);
    expect(s.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    const y = linearScale([0, 10], [300, 0]);
    expect(y(0)).toBe(300);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(225);
  });

  it('ticks lie inside the (possibly widened) domain', () => {
    const s = linearScale([0.13, 0.87], [0, 100]);
    for (const t of s.ticks) {
      expect(t).toBeGreaterThanOrEqual(s.domain[0]);
      expect(t).toBeLessThanOrEqual(s.domain[1]);
    }
    expect(s(s.domain[0])).toBe(0);
    expect(s(s.domain[1])).toBe(100);
  });

  it('a zero-width domain is widened by ±0.5 (then out to whole ticks), so nothing divides by zero', () => {
    const s = linearScale([5, 5], [0, 10]);
    expect(s.domain).toEqual([4.4, 5.6]);
    expect(s(5)).toBeCloseTo(5, 12);
    expect(s.ticks).toEqual([4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]);
    expect(linearScale([5, 5], [0, 10], false).domain).toEqual([4.5, 5.5]);
  });
});

describe('tickLabel and r2', () => {
  it('short, locale-free labels', () => {
    expect(tickLabel(0)).toBe('0');
    expect(tickLabel(0.2)).toBe('0.2');
    expect(tickLabel(-0.5)).toBe('-0.5');
    expect(tickLabel(2.5)).toBe('2.5');
    expect(tickLabel(12000)).toBe('12,000');
    expect(tickLabel(0.000123456)).toBe('0.000123');
  });
  it('coordinates rounded to 2 decimals', () => {
    expect(r2(1.23456)).toBe('1.23');
    expect(r2(10)).toBe('10');
    expect(r2(0.1 + 0.2)).toBe('0.3');
  });
});
