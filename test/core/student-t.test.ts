import { describe, expect, it } from 'vitest';
import { normalQuantile, studentTQuantile, studentTTwoSidedCdf, tToNormalEquivalent } from '../../pipeline/core/stats.ts';

describe("Student's t", () => {
  it('two-sided CDF: closed forms for 1 and 2 degrees of freedom, normal limit', () => {
    // ν = 1 (Cauchy): P(|T| ≤ t) = (2/π) atan t; ν = 2: t / √(2 + t²).
    for (const t of [0.3, 1, 2.5, 10]) {
      expect(studentTTwoSidedCdf(t, 1)).toBeCloseTo((2 / Math.PI) * Math.atan(t), 14);
      expect(studentTTwoSidedCdf(t, 2)).toBeCloseTo(t / Math.sqrt(2 + t * t), 14);
    }
    expect(studentTTwoSidedCdf(1.959964, 100_000)).toBeCloseTo(0.95, 4);
  });

  it('0.975 quantiles match the standard table', () => {
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [9, 2.262],
      [19, 2.093],
      [30, 2.042],
      [99, 1.984],
    ];
    for (const [df, q] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(q, 3);
    expect(studentTQuantile(0.995, 10)).toBeCloseTo(3.169, 3);
  });

  it('normal quantiles match the table, and a t(df) value maps to the normal value with the same tail', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
    // t(4) 97.5% point 2.776 has the normal's 97.5% tail: 1.96; sign kept; large df ≈ identity.
    expect(tToNormalEquivalent(2.776445, 4)).toBeCloseTo(1.959964, 4);
    expect(tToNormalEquivalent(-2.776445, 4)).toBeCloseTo(-1.959964, 4);
    expect(tToNormalEquivalent(3, 2000)).toBeCloseTo(3, 2);
    expect(tToNormalEquivalent(3, 4)).toBeLessThan(3);
    // Far tails, where the t CDF rounds to 1 (MMLU-Pro hit this): finite, monotone, sign kept.
    for (const t of [40, 1e3, 1e8]) {
      const z = tToNormalEquivalent(t, 109);
      expect(Number.isFinite(z)).toBe(true);
      expect(z).toBeGreaterThan(6);
      expect(tToNormalEquivalent(-t, 109)).toBe(-z);
    }
    expect(tToNormalEquivalent(12, 109)).toBeGreaterThan(tToNormalEquivalent(8, 109));
  });
});
