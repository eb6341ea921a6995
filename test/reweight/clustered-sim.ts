/**
 * Coverage simulation for cluster-robust intervals (shared by test/reweight/coverage.test.ts and
 * bench/inference.ts). A benchmark of n prompts in G true clusters of unequal size; model k answers
 * prompt i of cluster g right with probability π_k + a_k u_g, u_g a cluster effect (normal, sd 0.12,
 * clipped at ±0.28 so probabilities stay inside [0, 1]; symmetric, so E u_g = 0). For any weights
 * fixed before seeing the scores, the expected weighted score is π_k exactly: that is the truth an
 * interval for a model's score should cover, and 0 the truth for a scheme-vs-uniform difference.
 * Models load differently on the cluster effect (a_k), so model differences vary by cluster too.
 */
import { createRng } from '../../pipeline/core/rng.ts';
import { computeReweighting } from '../../pipeline/reweight/reweight.ts';
import { clusteredSe } from '../../pipeline/reweight/scores.ts';
import { bootstrapScores, prepare, wildBootstrapScores, wildInterval, wildSetup, wildWeightsFor } from '../../pipeline/reweight/bootstrap.ts';
import { weightedScores } from '../../pipeline/reweight/scores.ts';
import { quantileSorted, sortedFinite } from '../../pipeline/core/stats.ts';
import { clusteringOf } from './helpers.ts';

export const PI = [0.35, 0.5, 0.6];
export const LOADING = [1, 0.3, -0.6];

export interface ClusteredBenchmark {
  m: number;
  n: number;
  scores: Float64Array;
  cluster: Int32Array;
}

export function clusteredBenchmark(seed: number, G: number, n: number): ClusteredBenchmark {
  const rng = createRng(seed);
  const m = PI.length;
  // Unequal sizes: relative size 1 + 2·U, at least 2 prompts per cluster.
  const rel = Array.from({ length: G }, () => 1 + 2 * rng.next());
  const tot = rel.reduce((a, b) => a + b, 0);
  const sizes = rel.map((r) => Math.max(2, Math.round((r / tot) * n)));
  const N = sizes.reduce((a, b) => a + b, 0);
  const cluster = new Int32Array(N);
  let i = 0;
  sizes.forEach((sz, g) => {
    for (let t = 0; t < sz; t++) cluster[i++] = g;
  });
  const u = Array.from({ length: G }, () => Math.max(-0.28, Math.min(0.28, 0.12 * rng.normal())));
  const scores = new Float64Array(m * N);
  for (let k = 0; k < m; k++) for (let j = 0; j < N; j++) scores[k * N + j] = rng.next() < PI[k] + LOADING[k] * u[cluster[j]] ? 1 : 0;
  return { m, n: N, scores, cluster };
}

export interface CoverageCounts {
  runs: number;
  /** The intervals covary reports (reweight's clusterCi / clusterDeltaCi), per model's score and per scheme difference. */
  reportedScore: number;
  reportedDelta: number;
  /** Model 0 − model 2 under uniform weights, from the same cluster method the report uses. */
  reportedPair: number;
  /** Comparators for model 0's score: CR1 ± 1.96 SE, CR1 ± t(G−1) SE (when tCrit is given), and the percentile pairs cluster bootstrap. */
  cr1Normal: number;
  cr1T: number;
  pairsPercentile: number;
}

/** Coverage over `runs` simulated benchmarks with G true clusters (the inference partition = the true clusters). */
export function coverage(G: number, n: number, runs: number, B: number, seed: number, opts: { comparators?: boolean; tCrit?: number } = {}): CoverageCounts {
  const out: CoverageCounts = { runs, reportedScore: 0, reportedDelta: 0, reportedPair: 0, cr1Normal: 0, cr1T: 0, pairsPercentile: 0 };
  for (let r = 0; r < runs; r++) {
    const bm = clusteredBenchmark(seed * 100_003 + r, G, n);
    const truth = clusteringOf('semantic', bm.cluster);
    const { result, weights } = computeReweighting(
      { models: PI.map((_, k) => `m${k}`), scores: bm.scores, clusterings: { semantic: truth, performance: null, category: null, inference: { ...truth, kind: 'inference', basis: 'semantic' } }, knn: null, targetMix: null },
      { schemes: ['uniform', 'cluster-balanced'], bootstrap: B, topK: 2, correlationSample: 10, clusterSource: 'auto' },
      createRng(r + 1),
    );
    const uni = result.schemes[0].models;
    const bal = result.schemes[1].models;
    if (uni[0].clusterCiLow! <= PI[0] && PI[0] <= uni[0].clusterCiHigh!) out.reportedScore++;
    if (bal[0].clusterDeltaCiLow! <= 0 && 0 <= bal[0].clusterDeltaCiHigh!) out.reportedDelta++;
    const pair = pairInterval(bm, weights[0], B, r, result.bootstrap.clusterMethod === 'wild');
    if (pair[0] <= PI[0] - PI[2] && PI[0] - PI[2] <= pair[1]) out.reportedPair++;
    if (opts.comparators === false) continue;
    // Comparators on model 0's uniform score.
    const mu = weightedScores(bm.scores, bm.m, bm.n, weights[0]).score;
    const se = clusteredSe(bm.scores, bm.m, bm.n, weights[0], bm.cluster, G, mu)[0];
    if (Math.abs(mu[0] - PI[0]) <= 1.96 * se) out.cr1Normal++;
    if (opts.tCrit !== undefined && Math.abs(mu[0] - PI[0]) <= opts.tCrit * se) out.cr1T++;
    const reps = bootstrapScores(prepare({ m: bm.m, n: bm.n, scores: bm.scores, weights: [weights[0]] }), 'cluster', B, createRng(r + 7), { of: bm.cluster, C: G })[0];
    const col = sortedFinite(Array.from({ length: B }, (_, b) => reps[b * bm.m]));
    if (quantileSorted(col, 0.025) <= PI[0] && PI[0] <= quantileSorted(col, 0.975)) out.pairsPercentile++;
  }
  return out;
}

/** Interval for μ_0 − μ_2 under the given weights by the method the reweight stage uses for this many clusters. */
function pairInterval(bm: ClusteredBenchmark, w: Float64Array, B: number, r: number, wild: boolean): [number, number] {
  const G = Math.max(...bm.cluster) + 1;
  const prepared = prepare({ m: bm.m, n: bm.n, scores: bm.scores, weights: [w] });
  const cidx = { of: bm.cluster, C: G };
  if (wild) {
    const setup = wildSetup(prepared, cidx, [weightedScores(bm.scores, bm.m, bm.n, w).score]);
    const { draws } = wildBootstrapScores(setup, bm.m, B, wildWeightsFor(G), createRng(r + 11));
    const iv = wildInterval(setup, draws, [
      { scheme: 0, model: 0, coef: 1 },
      { scheme: 0, model: 2, coef: -1 },
    ]);
    return [iv.low, iv.high];
  }
  const reps = bootstrapScores(prepared, 'cluster', B, createRng(r + 11), cidx)[0];
  const d = sortedFinite(Array.from({ length: B }, (_, b) => reps[b * bm.m] - reps[b * bm.m + 2]));
  return [quantileSorted(d, 0.025), quantileSorted(d, 0.975)];
}
