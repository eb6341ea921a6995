import { createRng } from '../../pipeline/core/rng.ts';
import type { Clustering } from '../../pipeline/cluster/index.ts';

export function clusteringOf(kind: Clustering['kind'], assignments: number[] | Int32Array, labels?: string[], medoids?: number[]): Clustering {
  const a = Int32Array.from(assignments);
  let k = 0;
  for (const x of a) k = Math.max(k, x + 1);
  const sizes = new Array(k).fill(0);
  for (const x of a) if (x >= 0) sizes[x]++;
  return { kind, k, assignments: a, sizes, silhouette: null, labels: labels ?? sizes.map((_, j) => `c${j}`), medoids };
}

/**
 * A benchmark with one over-represented family: `big` prompts of family 0, where models 0..half−1
 * are strong, and `families − 1` small families of `small` prompts each, where the other models are
 * strong. Returns scores (m × n), family of each prompt.
 */
export function overRepresented(seed: number, m = 8, big = 600, small = 100, families = 5): { scores: Float64Array; family: Int32Array; m: number; n: number } {
  const rng = createRng(seed);
  const n = big + small * (families - 1);
  const family = new Int32Array(n);
  for (let i = big; i < n; i++) family[i] = 1 + Math.floor((i - big) / small);
  const scores = new Float64Array(m * n);
  const half = m / 2;
  for (let k = 0; k < m; k++) {
    const base = 0.45 + 0.02 * (k % half);
    for (let i = 0; i < n; i++) {
      const strong = family[i] === 0 ? k < half : k >= half;
      const p = base + (strong ? 0.25 : -0.1);
      scores[k * n + i] = rng.next() < p ? 1 : 0;
    }
  }
  return { scores, family, m, n };
}
