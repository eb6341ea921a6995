import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { SCHEMES, type SchemeInputs } from '../../pipeline/reweight/schemes/index.ts';
import { parseTargetMix } from '../../pipeline/reweight/schemes/target-mix.ts';
import { correlationDegrees, correlationAdjusted } from '../../pipeline/reweight/schemes/correlation.ts';
import { groupBalancedWeights } from '../../pipeline/reweight/schemes/balanced.ts';
import { inverseDensity } from '../../pipeline/reweight/schemes/inverse-density.ts';
import { targetMix } from '../../pipeline/reweight/schemes/target-mix.ts';
import { clusteringOf } from './helpers.ts';

function inputs(): SchemeInputs {
  const m = 6;
  const n = 40;
  const rng = createRng(3);
  const scores = new Float64Array(m * n);
  for (let t = 0; t < scores.length; t++) scores[t] = rng.next() < 0.5 ? 1 : 0;
  scores[7] = NaN;
  const k = 4;
  const neighbors = new Int32Array(n * k);
  const similarities = new Float32Array(n * k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) {
      neighbors[i * k + j] = (i + j + 1) % n;
      similarities[i * k + j] = 0.3 + 0.6 * rng.next();
    }
  return {
    m,
    n,
    scores,
    semantic: clusteringOf('semantic', Array.from({ length: n }, (_, i) => i % 10), undefined, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    performance: clusteringOf('performance', Array.from({ length: n }, (_, i) => (i < 5 ? -1 : i % 2))),
    category: clusteringOf('category', Array.from({ length: n }, (_, i) => (i < 30 ? 0 : 1)), ['math', 'law']),
    knn: { n, k, neighbors, similarities },
    targetMix: { file: 'mix.json', by: 'category', shares: { math: 0.2, law: 0.8 } },
    correlationSample: 100,
    rng: createRng(5),
  };
}

describe('every scheme', () => {
  it('gives non-negative weights summing to 1', () => {
    const x = inputs();
    for (const s of SCHEMES) {
      const out = s.weights(x);
      expect('weights' in out, `${s.name} applies`).toBe(true);
      if (!('weights' in out)) continue;
      let sum = 0;
      for (const v of out.weights) {
        expect(v).toBeGreaterThanOrEqual(0);
        sum += v;
      }
      expect(sum, s.name).toBeCloseTo(1, 12);
      expect(out.weights.length).toBe(x.n);
    }
  });
  it('says why when an input is missing', () => {
    const x = { ...inputs(), semantic: null, category: null, knn: null, targetMix: null };
    const skipped = SCHEMES.map((s) => [s.name, s.weights(x)] as const).filter(([, o]) => 'skip' in o).map(([nm]) => nm);
    expect(skipped.sort()).toEqual(['category-balanced', 'cluster-balanced', 'inverse-density', 'representative', 'target-mix'].sort());
  });
  it('target mix gives each category its share, equally within it', () => {
    const out = targetMix.weights(inputs());
    if (!('weights' in out)) throw new Error('skipped');
    expect(out.weights[0]).toBeCloseTo(0.2 / 30, 12);
    expect(out.weights[35]).toBeCloseTo(0.8 / 10, 12);
  });
});

describe('target mix file', () => {
  const line = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CovaryError);
      return (e as CovaryError).toLine();
    }
    throw new Error('no error');
  };
  it('rejects malformed files with a one-line error naming the file', () => {
    expect(line(() => parseTargetMix('{"math": 0.5,', 'mix.json'))).toMatch(/^mix\.json: target mix is not valid JSON/);
    expect(line(() => parseTargetMix('{"math": -1}', 'mix.json'))).toMatch(/mix\.json.*"math".*non-negative/);
    expect(line(() => parseTargetMix('{"by": "topic", "shares": {"a": 1}}', 'mix.json'))).toMatch(/mix\.json.*"by" must be one of/);
    expect(line(() => parseTargetMix('[1,2]', 'mix.json'))).toMatch(/mix\.json.*must be a JSON object/);
    for (const l of [line(() => parseTargetMix('{}', 'm.json'))]) expect(l.split('\n').length).toBe(1);
  });
  it('rejects a mix naming a category the benchmark does not have', () => {
    const x = { ...inputs(), targetMix: parseTargetMix('{"math": 0.5, "physics": 0.5}', 'mix.json') };
    expect(line(() => targetMix.weights(x))).toMatch(/mix\.json.*category "physics".*does not have.*"law", "math"|mix\.json.*category "physics"/);
  });
  it('accepts cluster numbers for a by-cluster mix', () => {
    const x = { ...inputs(), targetMix: parseTargetMix('{"by": "cluster", "shares": {"0": 1, "2": 1}}', 'mix.json') };
    const out = targetMix.weights(x);
    if (!('weights' in out)) throw new Error('skipped');
    expect(out.weights[1]).toBe(0);
    expect(out.weights[0]).toBeCloseTo(0.5 / 4, 12);
  });
});

describe('correlation-adjusted', () => {
  it('gives a prompt with g exact performance-copies about 1/g of an independent prompt’s weight', () => {
    const m = 30;
    const indep = 60;
    const g = 10;
    const n = indep + g;
    const rng = createRng(11);
    const scores = new Float64Array(m * n);
    const dup = Array.from({ length: m }, () => (rng.next() < 0.5 ? 1 : 0));
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < indep; i++) scores[k * n + i] = rng.next() < 0.5 ? 1 : 0;
      for (let i = indep; i < n; i++) scores[k * n + i] = dup[k];
    }
    const { degree } = correlationDegrees(scores, m, n, 1000, createRng(1));
    const w = Array.from(degree, (d) => 1 / (1 + d));
    const indepW = w.slice(0, indep).sort((a, b) => a - b)[indep / 2];
    const ratio = w[indep] / indepW;
    expect(ratio).toBeGreaterThan(0.07);
    expect(ratio).toBeLessThan(0.2);
  });
  it('measures redundancy over the models that have both scores: missing cells do not hide a copy', () => {
    const m = 30;
    const indep = 40;
    const n = indep + 2;
    const rng = createRng(3);
    const scores = new Float64Array(m * n);
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < indep; i++) scores[k * n + i] = rng.next() < 0.5 ? 1 : 0;
      const v = k % 3 === 0 ? 1 : 0;
      scores[k * n + indep] = v;
      // The copy lacks a third of the models: pairwise-complete r is still exactly 1.
      scores[k * n + indep + 1] = k % 3 === 1 ? NaN : v;
    }
    const full = correlationDegrees(scores, m, n, 1000, createRng(1));
    // Each of the two copies sees the other as a perfect copy: redundancy ≈ 1 (plus chance-level noise).
    expect(full.degree[indep]).toBeGreaterThan(0.9);
    expect(full.degree[indep + 1]).toBeGreaterThan(0.9);
    expect(Math.abs(full.degree[indep] - full.degree[indep + 1])).toBeLessThan(0.2);
  });

  it('leaves zero-variance prompts at their uniform weight', () => {
    const m = 5;
    const n = 6;
    const scores = new Float64Array(m * n);
    for (let k = 0; k < m; k++) {
      scores[k * n + 0] = 1;
      scores[k * n + 1] = 1;
      scores[k * n + 2] = 1;
      scores[k * n + 3] = 0;
      scores[k * n + 4] = k % 2;
      scores[k * n + 5] = k < 2 ? 1 : 0;
    }
    const { zeroVariance } = correlationDegrees(scores, m, n, 10, createRng(1));
    expect(zeroVariance).toBe(4);
    const out = correlationAdjusted.weights({ ...inputs(), m, n, scores });
    if (!('weights' in out)) throw new Error('skipped');
    for (let i = 0; i < 4; i++) expect(out.weights[i]).toBeCloseTo(1 / n, 12);
    expect(out.weights[4] + out.weights[5]).toBeCloseTo(2 / n, 12);
  });
});

describe('representative', () => {
  it('puts equal weight on the medoids, and needs enough clusters', async () => {
    const { representative } = await import('../../pipeline/reweight/schemes/representative.ts');
    const out = representative.weights(inputs());
    if (!('weights' in out)) throw new Error('skipped');
    for (let i = 0; i < 10; i++) expect(out.weights[i]).toBeCloseTo(0.1, 12);
    expect(out.weights[10]).toBe(0);
    const few = representative.weights({ ...inputs(), semantic: clusteringOf('semantic', Array.from({ length: 40 }, (_, i) => i % 3), undefined, [0, 1, 2]) });
    expect('skip' in few && few.skip).toMatch(/only 3 semantic clusters/);
  });
});

describe('group-balanced', () => {
  it('leaves unassigned prompts at 1/n and balances the rest', () => {
    // 2 unassigned of 10; groups of 6 and 2 share 8/10 equally
    const w = groupBalancedWeights(Int32Array.from([-1, -1, 0, 0, 0, 0, 0, 0, 1, 1]));
    expect(w[0]).toBeCloseTo(0.1, 12);
    expect(w[2]).toBeCloseTo(0.4 / 6, 12);
    expect(w[8]).toBeCloseTo(0.2, 12);
  });
});

describe('inverse-density', () => {
  it('down-weights a prompt with near-copies', () => {
    const n = 6;
    const k = 2;
    // prompts 0,1,2 are near-copies of each other; 3,4,5 have only typical neighbours
    const neighbors = Int32Array.from([1, 2, 0, 2, 0, 1, 4, 5, 3, 5, 3, 4]);
    const similarities = Float32Array.from([0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]);
    const x = { ...inputs(), n, m: 1, scores: new Float64Array(n), knn: { n, k, neighbors, similarities } };
    const out = inverseDensity.weights(x);
    if (!('weights' in out)) throw new Error('skipped');
    // median similarity s0 = 0.3 (lower middle); copies: density 2·(0.99−0.3)/0.7 ≈ 1.97
    expect(out.weights[0] / out.weights[3]).toBeCloseTo(1 / (1 + (2 * (0.99 - 0.3)) / 0.7), 5);
  });
});
