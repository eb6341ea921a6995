import { describe, expect, it } from 'vitest';
import { weightedScores, clusteredSe, kishEss } from '../../pipeline/reweight/scores.ts';
import { groupBalancedWeights } from '../../pipeline/reweight/schemes/balanced.ts';
import { modelMeans } from '../../pipeline/core/dataset.ts';

describe('weighted scores', () => {
  it('uniform weights reproduce the plain mean over the prompts each model has', () => {
    const scores = Float64Array.from([1, 0, 1, NaN, 1, /**/ 0, 0.5, NaN, NaN, 1, /**/ 1, 1, 1, 1, 1]);
    const n = 5;
    const { score, missingWeight } = weightedScores(scores, 3, n, new Float64Array(n).fill(1 / n));
    const plain = modelMeans({ name: 'x', models: ['a', 'b', 'c'], items: Array.from({ length: n }, (_, i) => ({ id: String(i), text: null, metadata: {}, tags: [] })), scores, answers: null });
    for (let k = 0; k < 3; k++) expect(score[k]).toBeCloseTo(plain[k], 14);
    expect(Array.from(missingWeight).map((x) => +x.toFixed(12))).toEqual([0.2, 0.4, 0]);
  });

  it('cluster-balanced weights give the hand-computed scores (with a missing cell)', () => {
    // clusters {0,1,2} and {3,4}: weights 1/6,1/6,1/6,1/4,1/4
    const w = groupBalancedWeights(Int32Array.from([0, 0, 0, 1, 1]));
    expect(Array.from(w).map((x) => +x.toFixed(12))).toEqual([1 / 6, 1 / 6, 1 / 6, 0.25, 0.25].map((x) => +x.toFixed(12)));
    const scores = Float64Array.from([1, 1, 1, 0, 0, /**/ 0, 0, 0, 1, 1, /**/ 1, 0, 1, 1, 0, /**/ 1, NaN, 0, 1, 1]);
    const { score, missingWeight } = weightedScores(scores, 4, 5, w);
    expect(score[0]).toBeCloseTo(0.5, 12);
    expect(score[1]).toBeCloseTo(0.5, 12);
    expect(score[2]).toBeCloseTo(2 / 6 + 1 / 4, 12);
    // (1/6 + 1/4 + 1/4) / (1 − 1/6) = 0.8
    expect(score[3]).toBeCloseTo(0.8, 12);
    expect(missingWeight[3]).toBeCloseTo(1 / 6, 12);
  });
});

describe('clustered standard error (CR1)', () => {
  const S = Float64Array.from([1, 0, 1, 1, 0]);
  const w = new Float64Array(5).fill(0.2);
  it('equals the CR1 formula on a small case', () => {
    // μ = 0.6; cluster sums of w·(S−μ): −0.04, 0.16, −0.12; SE² = 3/2 · 0.0416 = 0.0624
    const se = clusteredSe(S, 1, 5, w, Int32Array.from([0, 0, 1, 1, 2]), 3, [0.6]);
    expect(se[0]).toBeCloseTo(Math.sqrt(0.0624), 12);
  });
  it('reduces to √(C/(C−1)) × the ordinary SE when every cluster is one prompt', () => {
    const se = clusteredSe(S, 1, 5, w, Int32Array.from([0, 1, 2, 3, 4]), 5, [0.6]);
    let ss = 0;
    for (let i = 0; i < 5; i++) ss += (w[i] * (S[i] - 0.6)) ** 2;
    expect(se[0]).toBeCloseTo(Math.sqrt(5 / 4) * Math.sqrt(ss), 12);
    // and for uniform weights that is the textbook s/√n
    expect(se[0]).toBeCloseTo(Math.sqrt(0.3 / 5), 12);
  });
  it('renormalises weights over the observed prompts of a model', () => {
    const S2 = Float64Array.from([1, 0, 1, 1, 0, NaN]);
    const w2 = Float64Array.from([0.1, 0.1, 0.1, 0.1, 0.1, 0.5]);
    const se = clusteredSe(S2, 1, 6, w2, Int32Array.from([0, 0, 1, 1, 2, 3]), 4, [0.6]);
    expect(se[0]).toBeCloseTo(Math.sqrt(0.0624), 12);
  });
});

describe('Kish effective sample size', () => {
  it('is n for uniform weights and (Σw)²/Σw² otherwise', () => {
    expect(kishEss(new Float64Array(8).fill(1 / 8))).toBeCloseTo(8, 12);
    expect(kishEss([0.5, 0.25, 0.25])).toBeCloseTo(1 / 0.375, 12);
    expect(kishEss([0.5, 0.25, 0.25], Float64Array.from([1, NaN, 0]), 3, 0)).toBeCloseTo(0.75 ** 2 / (0.25 + 0.0625), 12);
  });
});
