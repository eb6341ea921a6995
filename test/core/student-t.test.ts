import { describe, expect, it } from 'vitest';
import { studentTQuantile, studentTTwoSidedCdf } from '../../pipeline/core/stats.ts';

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
});
