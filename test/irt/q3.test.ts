/** Residual groups' principal-component scores: both Gram routes agree (the prompts × prompts one serves thousands of models). */
import { describe, expect, it } from 'vitest';
import { leadingComponentScores, q3Test, q3TestParallel } from '../../pipeline/irt/q3.ts';
import { fitIrt } from '../../pipeline/irt/fit.ts';
import { simulateIrt } from './helpers.ts';
import { createRng } from '../../pipeline/core/rng.ts';

describe('leadingComponentScores', () => {
  it('the m × m and the prompts × prompts Gram routes give the same component scores (up to sign)', () => {
    for (const [m, nu] of [[12, 30], [30, 12]]) {
      const rng = createRng(m);
      const cols = Float64Array.from({ length: m * nu }, () => rng.normal());
      const a = leadingComponentScores(cols, m, nu, 3, 'models');
      const b = leadingComponentScores(cols, m, nu, 3, 'prompts');
      for (let t = 0; t < 3; t++) {
        const sign = Math.sign(a[t]) * Math.sign(b[t]);
        for (let j = 0; j < nu; j++) expect(b[j * 3 + t] * sign).toBeCloseTo(a[j * 3 + t], 8);
      }
    }
  });
});

describe('Q3 replicates on worker threads', () => {
  it('give the same summary as in one thread (replicate r depends only on the seed and r)', async () => {
    const sim = simulateIrt({ m: 40, n: 60, logASd: 0.4, missing: 0.02 }, 3);
    const fit = fitIrt(sim.scores, 40, 60, {});
    const cols = Int32Array.from({ length: 60 }, (_, i) => i);
    const pairs: number[] = [];
    for (let i = 0; i < 60; i++) for (let j = i + 1; j < 60; j++) pairs.push(i, j);
    const one = q3Test(sim.scores, 40, 60, fit, fit, true, cols, Int32Array.from(pairs), true, 5, 99);
    const two = await q3TestParallel(sim.scores, 40, 60, fit, fit, true, cols, Int32Array.from(pairs), true, 5, 99, 2);
    expect(two.summary).toEqual(one.summary);
    expect(one.summary.nullC.replicates).toBe(5);
  });
});
