/** On a real shared matrix: prompt accounting and the closed-form mean against a direct all-pairs computation. */
import { describe, expect, it } from 'vitest';
import { correlate, similarity } from '../../pipeline/correlate/index.ts';
import { hasShared, loadSharedMatrix, SHARED } from './shared-data.ts';

describe.skipIf(!hasShared())(`shared data (${SHARED})`, () => {
  it('CRUXEval (51 × 800, complete): counts, and mean r / mean r² from the closed forms equal all pairs computed directly', async () => {
    const d = loadSharedMatrix('crux');
    const out = await correlate({ scores: d.scores, m: d.m, n: d.n }, { metric: 'pearson', permutations: 19, permutationsB: 9, pairSample: 50_000, topK: 3, minCommonModels: 5 }, 1);
    const r = out.result;
    expect(r.prompts.zeroVariance).toEqual({ allCorrect: 38, allWrong: 4, constant: 0, total: 42 });
    expect(r.prompts.used).toBe(758);
    expect(r.estimators.mean).toBe('closed-form');
    const cols: Float64Array[] = [];
    for (let i = 0; i < d.n; i++) {
      const c = Float64Array.from({ length: d.m }, (_, k) => d.scores[k * d.n + i]);
      if (Math.min(...c) !== Math.max(...c)) cols.push(c);
    }
    let s = 0, ss = 0, c = 0;
    for (let i = 0; i < cols.length; i++) {
      for (let j = i + 1; j < cols.length; j++) {
        const v = similarity('pearson', cols[i], cols[j]);
        s += v;
        ss += v * v;
        c++;
      }
    }
    expect(r.observed.mean).toBeCloseTo(s / c, 10);
    expect(r.observed.meanSquared).toBeCloseTo(ss / c, 10);
    // numpy.corrcoef over the same 758 prompts gives mean r 0.205377, mean r² 0.073039.
    expect(r.observed.mean).toBeCloseTo(0.205377, 5);
    expect(r.nullA.nullMean).toBeLessThan(0.01);
    expect(r.nullA.p).toBeCloseTo(1 / 20, 10);
  });
});
