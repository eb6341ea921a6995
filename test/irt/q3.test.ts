/** Residual groups' principal-component scores: both Gram routes agree (the prompts × prompts one serves thousands of models). */
import { describe, expect, it } from 'vitest';
import { leadingComponentScores } from '../../pipeline/irt/q3.ts';
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
