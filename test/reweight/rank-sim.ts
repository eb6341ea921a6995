/**
 * Simulated benchmarks for rank inference (shared by the rank-set tests and bench/rank-sets.ts).
 *
 * Graded scores S[k,i] = θ_k + u_c + v_kc + ε_ki for prompt i in cluster c: a cluster effect shared
 * by all models (within-cluster correlation), a model × cluster interaction (families some models
 * are better at) and prompt noise. Over the population of clusters E[S[k,·]] = θ_k, so θ's order
 * is the true ranking under uniform weights.
 */
import { createRng, type Rng } from '../../pipeline/core/rng.ts';
import { prepare, bootstrapScores } from '../../pipeline/reweight/bootstrap.ts';
import { rankConfidenceSets } from '../../pipeline/reweight/rank-sets.ts';

export interface SimSpec {
  models: number;
  clusters: number;
  perCluster: number;
  /** SD of the shared cluster effect, of the model × cluster interaction, and of prompt noise. */
  sdCluster: number;
  sdInteraction: number;
  sdNoise: number;
}

export const COVERAGE_SPEC: SimSpec = { models: 30, clusters: 50, perCluster: 20, sdCluster: 0.1, sdInteraction: 0.04, sdNoise: 0.25 };

/**
 * True scores in near-tied groups: within a group of `group` models 0.001 apart (far below the
 * ≈ 0.014 standard error of a difference under COVERAGE_SPEC), groups `gap` apart.
 */
export function nearTieTheta(m: number, group = 5, gap = 0.06): Float64Array {
  const theta = new Float64Array(m);
  let x = 0.8;
  for (let k = 0; k < m; k++) {
    theta[k] = x;
    x -= (k + 1) % group === 0 ? gap : 0.001;
  }
  return theta;
}

export function simulateScores(spec: SimSpec, theta: Float64Array, rng: Rng): { scores: Float64Array; cluster: Int32Array; n: number; clusterEffect: Float64Array } {
  const m = spec.models;
  const n = spec.clusters * spec.perCluster;
  const cluster = new Int32Array(n);
  for (let i = 0; i < n; i++) cluster[i] = Math.floor(i / spec.perCluster);
  const u = Float64Array.from({ length: spec.clusters }, () => spec.sdCluster * rng.normal());
  const v = Float64Array.from({ length: m * spec.clusters }, () => spec.sdInteraction * rng.normal());
  const scores = new Float64Array(m * n);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) scores[k * n + i] = theta[k] + u[cluster[i]] + v[k * spec.clusters + cluster[i]] + spec.sdNoise * rng.normal();
  return { scores, cluster, n, clusterEffect: u };
}

/**
 * Uniform plus two weightings unrelated to model-specific skills — random cluster shares, and
 * cluster shares by the shared cluster effect (harder clusters up-weighted) — with paired cluster
 * bootstrap replicates. Under the additive truth neither changes any population gap.
 */
export function nullSchemes(sim: { scores: Float64Array; cluster: Int32Array; n: number; clusterEffect: Float64Array }, m: number, B: number, rng: Rng): { estimates: Float64Array[]; replicates: Float64Array[] } {
  const { scores, cluster, n, clusterEffect } = sim;
  const C = clusterEffect.length;
  const perCluster = new Float64Array(C);
  for (const c of cluster) perCluster[c]++;
  const shares = [Float64Array.from({ length: C }, () => 1), Float64Array.from({ length: C }, () => 0.2 + 1.6 * rng.next()), Float64Array.from(clusterEffect, (u) => Math.exp(-u / 0.1))];
  const weights = shares.map((share) => {
    const w = Float64Array.from(cluster, (c) => share[c] / perCluster[c]);
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / total);
  });
  const prepared = prepare({ m, n, scores, weights });
  const replicates = bootstrapScores(prepared, 'cluster', B, rng.fork('bootstrap'), { of: cluster, C });
  const estimates = weights.map((w) => {
    const e = new Float64Array(m);
    for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) e[k] += w[i] * scores[k * n + i];
    return e;
  });
  return { estimates, replicates };
}

/** Plain means and B cluster-bootstrap replicates (B × m) of them. */
export function clusterReplicates(scores: Float64Array, cluster: Int32Array, m: number, B: number, rng: Rng): { estimates: Float64Array; replicates: Float64Array } {
  const n = cluster.length;
  let C = 0;
  for (const c of cluster) C = Math.max(C, c + 1);
  const prepared = prepare({ m, n, scores, weights: [new Float64Array(n).fill(1 / n)] });
  const [replicates] = bootstrapScores(prepared, 'cluster', B, rng, { of: cluster, C });
  const estimates = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += scores[k * n + i];
    estimates[k] = s / n;
  }
  return { estimates, replicates };
}

/** 2.5th / 97.5th percentile of each model's bootstrap rank (the interval the issue replaces). */
export function percentileRankIntervals(replicates: Float64Array, m: number): [number, number][] {
  const B = replicates.length / m;
  const ranks: number[][] = Array.from({ length: m }, () => []);
  for (let b = 0; b < B; b++) {
    const row = replicates.subarray(b * m, (b + 1) * m);
    for (let k = 0; k < m; k++) {
      let higher = 0;
      for (let j = 0; j < m; j++) if (row[j] > row[k]) higher++;
      ranks[k].push(1 + higher);
    }
  }
  return ranks.map((r) => {
    r.sort((a, b) => a - b);
    return [r[Math.floor(0.025 * (B - 1))], r[Math.ceil(0.975 * (B - 1))]];
  });
}

export interface CoverageRun {
  /** Per model: the marginal set / the percentile bootstrap rank interval contains the true rank (index + 1). */
  marginal: boolean[];
  percentile: boolean[];
  /** Every simultaneous set contains its model's true rank. */
  joint: boolean;
  /** Summed widths (ranks in the set) over models. */
  marginalWidth: number;
  simultaneousWidth: number;
}

/** One simulated benchmark of COVERAGE_SPEC with near-tied true scores, its cluster bootstrap and rank sets. */
export function coverageRun(seed: number, B: number): CoverageRun {
  const m = COVERAGE_SPEC.models;
  const rng = createRng(seed);
  const { scores, cluster } = simulateScores(COVERAGE_SPEC, nearTieTheta(m), rng.fork('data'));
  const { estimates, replicates } = clusterReplicates(scores, cluster, m, B, rng.fork('bootstrap'));
  const sets = rankConfidenceSets(estimates, replicates, 0.05);
  const pct = percentileRankIntervals(replicates, m);
  const out: CoverageRun = { marginal: [], percentile: [], joint: true, marginalWidth: 0, simultaneousWidth: 0 };
  for (let k = 0; k < m; k++) {
    const truth = k + 1;
    const [lo, hi] = sets.marginal[k]!;
    const [slo, shi] = sets.simultaneous[k]!;
    out.marginal.push(lo <= truth && truth <= hi);
    out.percentile.push(pct[k][0] <= truth && truth <= pct[k][1]);
    if (!(slo <= truth && truth <= shi)) out.joint = false;
    out.marginalWidth += hi - lo + 1;
    out.simultaneousWidth += shi - slo + 1;
  }
  return out;
}
