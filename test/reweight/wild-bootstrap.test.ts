import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { bootstrapScores, drawWild, prepare, wildBootstrapScores, wildInterval, wildSetup, wildWeightsFor } from '../../pipeline/reweight/bootstrap.ts';
import { clusteredSe, weightedScores } from '../../pipeline/reweight/scores.ts';
import { groupBalancedWeights } from '../../pipeline/reweight/schemes/balanced.ts';
import { computeReweighting } from '../../pipeline/reweight/reweight.ts';
import { reweightingSection } from '../../pipeline/report/sections.ts';
import { clusteredBenchmark } from './clustered-sim.ts';
import { clusteringOf } from './helpers.ts';

// 3 models × 8 prompts in 4 clusters {0,1} {2,3,4} {5} {6,7}; model 1 lacks prompt 3.
const m = 3;
const n = 8;
const of = Int32Array.from([0, 0, 1, 1, 1, 2, 3, 3]);
const clusters = { of, C: 4 };
const scores = Float64Array.from([1, 0, 1, 1, 0, 1, 0, 1, /**/ 0, 0, 1, NaN, 1, 0, 1, 1, /**/ 0.5, 1, 0, 0, 0, 1, 0.25, 1]);
const uniform = new Float64Array(n).fill(1 / n);
const balanced = groupBalancedWeights(of);

function setupOf(weights: Float64Array[]) {
  const prepared = prepare({ m, n, scores, weights });
  const point = weights.map((w) => weightedScores(scores, m, n, w).score);
  return { prepared, point, setup: wildSetup(prepared, clusters, point) };
}

describe('wild cluster bootstrap', () => {
  it('cluster residual sums add to 0, weight shares to 1, and κ²Σe² is exactly the CR1 variance', () => {
    const { setup, point } = setupOf([uniform, balanced]);
    [uniform, balanced].forEach((w, s) => {
      const cr1 = clusteredSe(scores, m, n, w, of, 4, point[s]);
      for (let k = 0; k < m; k++) {
        let se = 0;
        let sh = 0;
        let ss = 0;
        for (let c = 0; c < 4; c++) {
          se += setup.residuals[s][c * m + k];
          sh += setup.shares[s][c * m + k];
          ss += setup.residuals[s][c * m + k] ** 2;
        }
        expect(se).toBeCloseTo(0, 14);
        expect(sh).toBeCloseTo(1, 14);
        expect(setup.kappa * Math.sqrt(ss)).toBeCloseTo(cr1[k], 14);
      }
    });
    // Hand check, model 1 under uniform weights (prompt 3 missing: 7 prompts, μ̂ = 4/7): cluster {2,3,4} holds prompts 2 and 4.
    expect(point[0][1]).toBeCloseTo(4 / 7, 14);
    expect(setup.residuals[0][1 * m + 1]).toBeCloseTo((1 - 4 / 7 + (1 - 4 / 7)) / 7, 14);
    expect(setup.shares[0][1 * m + 1]).toBeCloseTo(2 / 7, 14);
  });

  it('Rademacher and Webb weights have mean 0 and variance 1; Webb below 12 clusters', () => {
    expect(wildWeightsFor(11)).toBe('webb');
    expect(wildWeightsFor(12)).toBe('rademacher');
    for (const kind of ['rademacher', 'webb'] as const) {
      const rng = createRng(3);
      const N = 200_000;
      let s = 0;
      let s2 = 0;
      const values = new Set<number>();
      for (let i = 0; i < N; i++) {
        const v = drawWild(kind, rng);
        s += v;
        s2 += v * v;
        values.add(v);
      }
      expect(values.size).toBe(kind === 'webb' ? 6 : 2);
      expect(Math.abs(s / N)).toBeLessThan(0.01);
      expect(s2 / N).toBeCloseTo(1, 2);
    }
  });

  it('replicates are μ̂ + κ Σ v_c e_c, paired across schemes, shaped like the pairs bootstrap, and reproducible', () => {
    const { setup, point, prepared } = setupOf([uniform, balanced]);
    const B = 50;
    const a = wildBootstrapScores(setup, m, B, 'rademacher', createRng(9));
    const b = wildBootstrapScores(setup, m, B, 'rademacher', createRng(9));
    expect(a.replicates.map((r) => Array.from(r))).toEqual(b.replicates.map((r) => Array.from(r)));
    const pairs = bootstrapScores(prepared, 'cluster', B, createRng(1), clusters);
    expect(a.replicates.length).toBe(pairs.length);
    expect(a.replicates[0].length).toBe(pairs[0].length);
    for (let r = 0; r < B; r++) {
      const v = a.draws.subarray(r * 4, r * 4 + 4);
      for (const x of v) expect(Math.abs(x)).toBe(1);
      for (let s = 0; s < 2; s++)
        for (let k = 0; k < m; k++) {
          let d = 0;
          for (let c = 0; c < 4; c++) d += v[c] * setup.residuals[s][c * m + k];
          expect(a.replicates[s][r * m + k]).toBeCloseTo(point[s][k] + setup.kappa * d, 14);
        }
    }
    // Rademacher over all 2^4 sign patterns: the replicate variance is exactly CR1².
    let ss = 0;
    for (let p = 0; p < 16; p++) {
      let d = 0;
      for (let c = 0; c < 4; c++) d += (p & (1 << c) ? 1 : -1) * setup.residuals[0][c * m];
      ss += (setup.kappa * d) ** 2;
    }
    expect(Math.sqrt(ss / 16)).toBeCloseTo(clusteredSe(scores, m, n, uniform, of, 4, point[0])[0], 14);
  });

  it('bootstrap-t intervals: contain the estimate, shift with the scores, mirror for a reversed difference, and are undefined without variation', () => {
    const { setup } = setupOf([uniform, balanced]);
    const { draws } = wildBootstrapScores(setup, m, 999, 'webb', createRng(4));
    const one = wildInterval(setup, draws, [{ scheme: 0, model: 0, coef: 1 }]);
    expect(one.low).toBeLessThan(one.estimate);
    expect(one.high).toBeGreaterThan(one.estimate);
    const ab = wildInterval(setup, draws, [
      { scheme: 0, model: 0, coef: 1 },
      { scheme: 0, model: 2, coef: -1 },
    ]);
    const ba = wildInterval(setup, draws, [
      { scheme: 0, model: 2, coef: 1 },
      { scheme: 0, model: 0, coef: -1 },
    ]);
    expect(ba.estimate).toBeCloseTo(-ab.estimate, 14);
    expect(ba.se).toBeCloseTo(ab.se, 14);
    // Webb weights are symmetric, so t* is too (up to the finite B): the reversed interval mirrors.
    expect(ba.low).toBeCloseTo(-ab.high, 1);
    expect(ba.high).toBeCloseTo(-ab.low, 1);
    // Adding 0.1 to every score of model 0 shifts its interval by exactly 0.1.
    const shifted = Float64Array.from(scores, (v, i) => (i < n ? v + 0.1 : v));
    const prepared2 = prepare({ m, n, scores: shifted, weights: [uniform] });
    const setup2 = wildSetup(prepared2, clusters, [weightedScores(shifted, m, n, uniform).score]);
    const s2 = wildInterval(setup2, draws, [{ scheme: 0, model: 0, coef: 1 }]);
    expect(s2.low - one.low).toBeCloseTo(0.1, 12);
    expect(s2.high - one.high).toBeCloseTo(0.1, 12);
    // A contrast with no residual variation (a scheme against itself) has no interval.
    const none = wildInterval(setup, draws, [
      { scheme: 0, model: 1, coef: 1 },
      { scheme: 0, model: 1, coef: -1 },
    ]);
    expect(none.low).toBeNaN();
  });
});

/** computeReweighting on a simulated benchmark of G true clusters, the true clusters as inference partition. */
function fewClusterRun(seed: number, G: number, clusterMethod: 'wild' | 'pairs') {
  const bm = clusteredBenchmark(seed, G, 200);
  const truth = clusteringOf('semantic', bm.cluster);
  return computeReweighting(
    { models: ['a', 'b', 'c'], scores: bm.scores, clusterings: { semantic: truth, performance: null, category: null, inference: { ...truth, kind: 'inference', basis: 'semantic', reason: 'test' } }, knn: null, targetMix: null },
    { schemes: ['uniform', 'cluster-balanced'], bootstrap: 99, topK: 2, correlationSample: 10, clusterSource: 'auto', clusterMethod },
    createRng(1),
  ).result;
}

describe('reweight stage with few inference clusters', () => {
  it('uses the wild bootstrap (Webb below 12 clusters), says the intervals rest on few clusters, and the report warns', () => {
    const result = fewClusterRun(5, 5, 'wild');
    expect(result.bootstrap).toMatchObject({ clusterSource: 'inference', clusters: 5, clusterMethod: 'wild', wildWeights: 'webb', inferenceBasis: 'semantic', inferenceReason: 'test' });
    expect(result.notes.join(' ')).toContain('cluster-robust intervals rest on few clusters: only 5 inference clusters');
    const row = result.schemes[1].models[0];
    expect(row.clusterDeltaCiLow!).toBeLessThan(row.deltaScore);
    expect(row.clusterDeltaCiHigh!).toBeGreaterThan(row.deltaScore);
    expect(result.schemes[0].models[0].clusterDeltaCiLow).toBeNull();
    const section = reweightingSection(result);
    expect(section.clusterInference).toMatchObject({ source: 'inference', clusters: 5, method: 'wild', fewClusters: true });
  });

  it('--cluster-method pairs resamples whole clusters instead and says so', () => {
    const result = fewClusterRun(6, 8, 'pairs');
    expect(result.bootstrap).toMatchObject({ clusterMethod: 'pairs', wildWeights: null, clusters: 8 });
    expect(result.notes.join(' ')).toContain('resampling so few clusters whole under-covers');
    const row = result.schemes[1].models[1];
    expect(row.clusterCiLow!).toBeLessThanOrEqual(row.score);
    expect(row.clusterCiHigh!).toBeGreaterThanOrEqual(row.score);
    expect(row.clusterDeltaCiLow).not.toBeNull();
  });
});
