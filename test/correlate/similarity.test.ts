import { describe, expect, it } from 'vitest';
import { pearson, cosineSimilarity, jaccard, hamming, similarity, prepareColumns, pairSimilarity, closedFormMeans } from '../../pipeline/correlate/index.ts';
import { extractColumns } from '../../pipeline/correlate/nulls/types.ts';
import type { SimilarityMetric } from '../../pipeline/correlate/index.ts';
import { randomMatrix } from './helpers.ts';

const METRICS: SimilarityMetric[] = ['pearson', 'cosine', 'jaccard', 'hamming'];

describe('similarity functions against reference values (scipy.stats.pearsonr, scipy.spatial.distance)', () => {
  it('0/1 vectors without missing cells', () => {
    const x = [1, 0, 1, 1, 0];
    const y = [1, 0, 0, 1, 0];
    // 2×2 table a=2 (both right), b=1, c=0, d=2: phi = (ad − bc)/√((a+b)(c+d)(a+c)(b+d)) = 4/6.
    expect(pearson(x, y)).toBeCloseTo(2 / 3, 14);
    expect(cosineSimilarity(x, y)).toBeCloseTo(0.8164965809277261, 14);
    expect(jaccard(x, y)).toBeCloseTo(2 / 3, 14);
    expect(hamming(x, y)).toBeCloseTo(0.8, 14);
  });

  it('0/1 vectors with missing cells use only the models that have both', () => {
    const x = [1, 0, 1, NaN, 0, 1];
    const y = [1, 1, 0, 1, NaN, 1];
    // Common models 0, 1, 2, 5: x = 1011, y = 1101 → a=2, b=1, c=1, d=0: phi = −1/3.
    expect(pearson(x, y, 2)).toBeCloseTo(-1 / 3, 14);
    expect(cosineSimilarity(x, y)).toBeCloseTo(2 / 3, 14);
    expect(jaccard(x, y)).toBeCloseTo(0.5, 14);
    expect(hamming(x, y)).toBeCloseTo(0.5, 14);
  });

  it('graded scores with missing cells', () => {
    const x = [0.1, 0.4, NaN, 0.35, 0.8, 0.6];
    const y = [0.2, 0.5, 0.7, 0.3, 0.9, NaN];
    expect(pearson(x, y)).toBeCloseTo(0.970833698935775, 13);
    expect(cosineSimilarity(x, y)).toBeCloseTo(0.9920153436647898, 13);
    expect(hamming(x, y)).toBeCloseTo(1 - (0.1 + 0.1 + 0.05 + 0.1) / 4, 13);
  });

  it('is undefined (NaN) for constant vectors, zero norms, empty unions and too few common models', () => {
    expect(pearson([1, 1, 1, 1], [0, 1, 0, 1])).toBeNaN();
    expect(cosineSimilarity([0, 0, 0], [1, 0, 1])).toBeNaN();
    expect(jaccard([0, 0, 0], [0, 0, 0])).toBeNaN();
    expect(pearson([1, 0, NaN, NaN, 1], [0, 1, 1, 0, NaN], 3)).toBeNaN();
    expect(pearson([1, 0, 1], [1, 0, 1], 3)).toBeCloseTo(1, 14);
  });
});

describe('prepared fast path', () => {
  for (const graded of [false, true]) {
    for (const metric of METRICS) {
      if (graded && metric === 'jaccard') continue;
      it(`${metric} on ${graded ? 'graded' : '0/1'} data with missing cells equals the direct computation for every pair`, () => {
        const m = 13, n = 40;
        const s = randomMatrix(m, n, 7, (rng, k) => (graded ? Math.round(rng.next() * 100) / 100 : rng.next() < 0.3 + 0.04 * k ? 1 : 0), 0.08);
        const cols = extractColumns(s, m, n, Array.from({ length: n }, (_, i) => i));
        const p = prepareColumns(metric, cols, m, n, 3, !graded);
        let defined = 0;
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            const direct = similarity(metric, cols.subarray(i * m, (i + 1) * m), cols.subarray(j * m, (j + 1) * m), 3);
            const fast = pairSimilarity(p, i, j);
            if (Number.isNaN(direct)) expect(fast).toBeNaN();
            else {
              defined++;
              expect(fast).toBeCloseTo(direct, 10);
            }
          }
        }
        expect(defined).toBeGreaterThan(600);
      });
    }
  }
  // 0/1 columns with missing cells take the per-missing-model correction when both columns miss
  // fewer than 2 × words cells, else three popcounts per word: both must equal the direct formula.
  for (const [m, missing] of [[200, 0.02], [200, 0.3], [70, 0.05]] as const) {
    it(`0/1 data, ${m} models, ${missing * 100}% missing: both incomplete-column paths equal the direct computation`, () => {
      const n = 30;
      const s = randomMatrix(m, n, 11, (rng, k) => (rng.next() < 0.2 + (0.6 * k) / m ? 1 : 0), missing);
      const cols = extractColumns(s, m, n, Array.from({ length: n }, (_, i) => i));
      for (const metric of METRICS) {
        const p = prepareColumns(metric, cols, m, n, 3, true);
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            const direct = similarity(metric, cols.subarray(i * m, (i + 1) * m), cols.subarray(j * m, (j + 1) * m), 3);
            expect(pairSimilarity(p, i, j)).toBeCloseTo(direct, 10);
          }
        }
      }
    });
  }
});

describe('closed forms of METHOD §1', () => {
  for (const metric of ['pearson', 'cosine'] as const) {
    it(`${metric}: (‖Σz‖² − n)/(n(n−1)) and (‖ZZᵀ‖²_F − n)/(n(n−1)) equal the means over all pairs`, () => {
      const m = 17, n = 60;
      const s = randomMatrix(m, n, 11, (rng, k, i) => (rng.next() < 0.2 + 0.03 * k + 0.005 * i ? 1 : 0));
      const keep: number[] = [];
      for (let i = 0; i < n; i++) {
        let c = 0;
        for (let k = 0; k < m; k++) c += s[k * n + i];
        if (c > 0 && c < m) keep.push(i);
      }
      const cols = extractColumns(s, m, n, keep);
      const nu = keep.length;
      const p = prepareColumns(metric, cols, m, nu, 3, true);
      let sum = 0, sq = 0, cnt = 0;
      for (let i = 0; i < nu; i++) {
        for (let j = i + 1; j < nu; j++) {
          const r = similarity(metric, cols.subarray(i * m, (i + 1) * m), cols.subarray(j * m, (j + 1) * m));
          sum += r;
          sq += r * r;
          cnt++;
        }
      }
      const cf = closedFormMeans(p, true)!;
      expect(cf.mean).toBeCloseTo(sum / cnt, 12);
      expect(cf.meanSquared).toBeCloseTo(sq / cnt, 12);
    });
  }

  it('does not apply when a column has missing cells', () => {
    const cols = Float64Array.from([1, 0, 1, NaN, 0, 1, 1, 0, 1, 1, 0, 0]);
    expect(closedFormMeans(prepareColumns('pearson', cols, 4, 3, 2, true), true)).toBeNull();
  });
});
