/**
 * Choosing k and fitting the final clustering (pure). k is chosen by the mean silhouette over a
 * range (unless given). When there are more points than `silhouetteSample`, both the candidate
 * fits and their silhouettes use one seeded sample of points (its distance matrix computed once);
 * the final clustering is then fitted on all points. The final fit is repeated with `restarts`
 * seeds: the lowest-inertia run is kept and the adjusted Rand index between the runs measures
 * stability.
 */
import type { Rng } from '../core/rng.ts';
import { cappedSampleSize } from '../core/caps.ts';
import { canonicalLabels, fitKmeans, toRows, type KmeansFit } from './kmeans.ts';
import { pairwiseDistances, silhouetteFromDistances } from './silhouette.ts';
import { pairwiseAri } from './stability.ts';

export interface KmeansOptions {
  /** Fixed k (skips the silhouette search). */
  k: number | null;
  kMin: number;
  kMax: number;
  restarts: number;
  silhouetteSample: number;
  maxIterations: number;
  /**
   * Above this many values (points × dimensions) the final fits run on a seeded sample of
   * ⌊maxFitValues / d⌋ points (at least silhouetteSample) and every point is then assigned to its
   * nearest centroid: a k-means pass costs points × k × d, and restarts × iterations of them on
   * 30,000 prompts × 5,000 models would take hours. Every shared benchmark is below it.
   */
  maxFitValues?: number;
}

export const DEFAULT_MAX_FIT_VALUES = 20_000_000;
export const DEFAULT_KMEANS_OPTIONS: KmeansOptions = { k: null, kMin: 2, kMax: 20, restarts: 5, silhouetteSample: 2000, maxIterations: 100 };

export interface ChosenClustering {
  k: number;
  kSelection: 'given' | 'silhouette';
  assignments: Int32Array;
  centroids: Float64Array;
  inertia: number;
  /** Mean silhouette of the final clustering (on the silhouette sample when n is large). */
  silhouette: number;
  silhouetteByK: { k: number; silhouette: number }[];
  /** Points the silhouettes were computed on. */
  silhouettePoints: number;
  /** Present above maxFitValues: the final fits ran on this many sampled points, the rest were assigned to the nearest centroid. */
  fitPoints?: number;
  stability: { meanAri: number; minAri: number; restarts: number };
  /** Per cluster, the row nearest its centroid (a representative "medoid"). */
  medoids: number[];
  /** Per cluster, rows ordered by distance to the centroid (first few only). */
  central: number[][];
}

function bestOf(rows: number[][], k: number, restarts: number, rng: Rng, maxIterations: number): { best: KmeansFit; all: KmeansFit[] } {
  const all: KmeansFit[] = [];
  for (let r = 0; r < restarts; r++) all.push(fitKmeans(rows, k, rng.fork(r), maxIterations));
  let best = all[0];
  for (const f of all) if (f.inertia < best.inertia - 1e-12) best = f;
  return { best, all };
}

/** Cluster n points (rows of an n × d row-major matrix). */
export function clusterPoints(data: ArrayLike<number>, n: number, d: number, opt: KmeansOptions, rng: Rng, onStep?: (what: string) => void): ChosenClustering {
  if (n < 3) throw new Error(`need at least 3 points to cluster (have ${n})`);
  const fitKeep = cappedSampleSize(n, d, opt.maxFitValues ?? DEFAULT_MAX_FIT_VALUES, opt.silhouetteSample);
  const fitIdx = fitKeep === null ? null : Array.from(rng.fork('fit-sample').sample(n, fitKeep)).sort((a, b) => a - b);
  const rows = fitIdx ? toRows(data, n, d, fitIdx) : toRows(data, n, d);
  const sampled = n > opt.silhouetteSample;
  const sampleIdx = sampled ? Array.from(rng.fork('silhouette-sample').sample(n, opt.silhouetteSample)).sort((a, b) => a - b) : Array.from({ length: n }, (_, i) => i);
  const s = sampleIdx.length;
  const D = pairwiseDistances(data, d, sampleIdx);
  const sampleRows = sampled ? (fitIdx ? toRows(data, n, d, sampleIdx) : sampleIdx.map((i) => rows[i])) : rows;
  const silhouetteByK: { k: number; silhouette: number }[] = [];
  let k: number;
  let kSelection: 'given' | 'silhouette';
  const searchRng = rng.fork('k-search');
  if (opt.k !== null) {
    k = Math.min(opt.k, n);
    kSelection = 'given';
  } else {
    const kMax = Math.max(opt.kMin, Math.min(opt.kMax, s - 1));
    let bestK = opt.kMin;
    let bestS = -Infinity;
    for (let kk = opt.kMin; kk <= kMax; kk++) {
      const { best } = bestOf(sampleRows, kk, 2, searchRng, opt.maxIterations);
      const sil = best.k >= 2 ? silhouetteFromDistances(D, s, best.assignments) : NaN;
      silhouetteByK.push({ k: kk, silhouette: sil });
      if (sil > bestS + 1e-12) {
        bestS = sil;
        bestK = kk;
      }
      onStep?.(`k=${kk}`);
    }
    k = bestK;
    kSelection = 'silhouette';
  }
  const { best, all } = bestOf(rows, k, Math.max(1, opt.restarts), rng.fork('final'), opt.maxIterations);
  const ari = pairwiseAri(all.map((f) => f.assignments));
  if (fitIdx) {
    // Every point to its nearest centroid of the sample fit (the restarts' agreement stays measured on
    // the sample), then numbered by size again, a centroid no point is nearest to dropped.
    const { labels, k: kOut, order } = canonicalLabels(nearestCentroids(data, n, d, best.centroids, best.k));
    const centroids = new Float64Array(kOut * d);
    order.forEach((c, j) => centroids.set(best.centroids.subarray(c * d, (c + 1) * d), j * d));
    best.assignments = labels;
    best.centroids = centroids;
    best.k = kOut;
  }
  onStep?.('final');
  const sampleLabels = sampleIdx.map((i) => best.assignments[i]);
  const sil = best.k >= 2 ? silhouetteFromDistances(D, s, sampleLabels) : NaN;
  // Rows nearest each centroid.
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = best.assignments[i] * d;
    let acc = 0;
    for (let t = 0; t < d; t++) {
      const x = data[i * d + t] - best.centroids[c + t];
      acc += x * x;
    }
    dist[i] = acc;
  }
  if (fitIdx) best.inertia = dist.reduce((u, v) => u + v, 0);
  const members: number[][] = Array.from({ length: best.k }, () => []);
  for (let i = 0; i < n; i++) members[best.assignments[i]].push(i);
  const central = members.map((mem) => mem.sort((a, b) => dist[a] - dist[b] || a - b).slice(0, 5));
  return {
    k: best.k,
    kSelection,
    assignments: best.assignments,
    centroids: best.centroids,
    inertia: best.inertia,
    silhouette: sil,
    silhouetteByK,
    silhouettePoints: s,
    ...(fitIdx ? { fitPoints: fitIdx.length } : {}),
    stability: { meanAri: ari.mean, minAri: ari.min, restarts: all.length },
    medoids: central.map((c) => c[0]),
    central,
  };
}

/** Default upper end of the k range: min(kMax, ⌊√n⌋), at least kMin. */
export function defaultKMax(n: number, kMin: number, kMax: number): number {
  return Math.max(kMin, Math.min(kMax, Math.floor(Math.sqrt(n))));
}

/** Index of the nearest centroid (squared Euclidean; ties to the lower index) of every row of an n × d matrix. */
export function nearestCentroids(data: ArrayLike<number>, n: number, d: number, centroids: Float64Array, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let acc = 0;
      const o = c * d;
      for (let t = 0; t < d && acc < bestD; t++) {
        const x = data[i * d + t] - centroids[o + t];
        acc += x * x;
      }
      if (acc < bestD) {
        bestD = acc;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}
