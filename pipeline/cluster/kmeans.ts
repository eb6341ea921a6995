/**
 * k-means: k-means++ seeding (greedy, with 2 + ⌊ln k⌋ local trials as in ml-kmeans and
 * scikit-learn), seeded from our Rng, then Lloyd iterations by ml-kmeans from those centres.
 * The seeding is done here on typed arrays because ml-kmeans' own k-means++ copies a row per
 * distance and took ~80% of the run time on 512-d embeddings. Labels are made canonical: empty
 * clusters dropped, clusters numbered by decreasing size (ties by first member), so equal
 * partitions give equal label vectors.
 */
import { createRequire } from 'node:module';
import type * as MlKmeans from 'ml-kmeans';

// ml-kmeans (and ml-matrix under it) load on first use, so commands that never cluster start fast.
const require = createRequire(import.meta.url);
import type { Rng } from '../core/rng.ts';

/** k-means++ centres (greedy variant) for the rows of an n × d matrix. */
export function kmeansPlusPlus(rows: number[][], k: number, rng: Rng): number[][] {
  const n = rows.length;
  const d = n ? rows[0].length : 0;
  const dist2 = (a: number[], b: number[]) => {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const x = a[t] - b[t];
      s += x * x;
    }
    return s;
  };
  const trials = 2 + Math.floor(Math.log(k));
  const centers: number[][] = [rows[rng.int(n)]];
  let closest = new Float64Array(n);
  let pot = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = dist2(rows[i], centers[0]);
    pot += closest[i];
  }
  const cand = new Float64Array(n);
  let best = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    if (!(pot > 0)) break; // every point already sits on a centre
    let bestIdx = -1;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      // draw a point with probability ∝ its squared distance to the nearest centre
      let r = rng.next() * pot;
      let idx = 0;
      for (; idx < n - 1; idx++) {
        r -= closest[idx];
        if (r < 0) break;
      }
      let p = 0;
      for (let i = 0; i < n; i++) {
        const v = Math.min(closest[i], dist2(rows[i], rows[idx]));
        cand[i] = v;
        p += v;
      }
      if (p < bestPot) {
        bestPot = p;
        bestIdx = idx;
        best.set(cand);
      }
    }
    centers.push(rows[bestIdx]);
    const tmp = closest;
    closest = best;
    best = tmp;
    pot = bestPot;
  }
  return centers.map((c) => c.slice());
}

export interface KmeansFit {
  /** Number of non-empty clusters (≤ requested k). */
  k: number;
  assignments: Int32Array;
  /** k × d row-major centroids, in canonical label order. */
  centroids: Float64Array;
  /** Sum of squared distances of points to their centroid. */
  inertia: number;
  iterations: number;
  converged: boolean;
}

export function toRows(data: ArrayLike<number>, n: number, d: number, idx?: ArrayLike<number>): number[][] {
  const count = idx ? idx.length : n;
  const rows: number[][] = new Array(count);
  for (let r = 0; r < count; r++) {
    const i = idx ? idx[r] : r;
    const row = new Array<number>(d);
    for (let t = 0; t < d; t++) row[t] = data[i * d + t];
    rows[r] = row;
  }
  return rows;
}

/** Relabel 0..k'−1 by decreasing size, ties by first occurrence. */
export function canonicalLabels(raw: ArrayLike<number>): { labels: Int32Array; k: number; order: number[] } {
  const size = new Map<number, number>();
  const first = new Map<number, number>();
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c < 0) continue;
    size.set(c, (size.get(c) ?? 0) + 1);
    if (!first.has(c)) first.set(c, i);
  }
  const order = [...size.keys()].sort((a, b) => size.get(b)! - size.get(a)! || first.get(a)! - first.get(b)!);
  const map = new Map(order.map((c, j) => [c, j]));
  const labels = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) labels[i] = raw[i] < 0 ? -1 : map.get(raw[i])!;
  return { labels, k: order.length, order };
}

export function fitKmeans(rows: number[][], k: number, rng: Rng, maxIterations = 100): KmeansFit {
  const n = rows.length;
  const d = n ? rows[0].length : 0;
  const init = kmeansPlusPlus(rows, Math.max(1, Math.min(k, n)), rng);
  const { kmeans } = require('ml-kmeans') as typeof MlKmeans;
  const res = kmeans(rows, init.length, { initialization: init, maxIterations });
  const { labels, k: kOut, order } = canonicalLabels(res.clusters);
  const centroids = new Float64Array(kOut * d);
  order.forEach((c, j) => {
    for (let t = 0; t < d; t++) centroids[j * d + t] = res.centroids[c][t];
  });
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i] * d;
    const row = rows[i];
    for (let t = 0; t < d; t++) {
      const x = row[t] - centroids[c + t];
      inertia += x * x;
    }
  }
  return { k: kOut, assignments: labels, centroids, inertia, iterations: res.iterations, converged: res.converged };
}
