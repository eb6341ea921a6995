/**
 * Mean silhouette (Euclidean distance). For large n it is computed on a seeded sample: the
 * sample's pairwise distances are computed once and reused for every candidate k.
 * Convention (as scikit-learn): a point alone in its cluster has silhouette 0.
 */

/** s × s Euclidean distances between the rows `idx` of an n × d row-major matrix. */
export function pairwiseDistances(data: ArrayLike<number>, d: number, idx: ArrayLike<number>): Float64Array {
  const s = idx.length;
  const D = new Float64Array(s * s);
  for (let a = 0; a < s; a++) {
    const ba = idx[a] * d;
    for (let b = a + 1; b < s; b++) {
      const bb = idx[b] * d;
      let acc = 0;
      for (let t = 0; t < d; t++) {
        const x = data[ba + t] - data[bb + t];
        acc += x * x;
      }
      const dist = Math.sqrt(acc);
      D[a * s + b] = dist;
      D[b * s + a] = dist;
    }
  }
  return D;
}

/** Mean silhouette from a distance matrix and labels 0..k−1 (labels < 0 are ignored). NaN when fewer than 2 clusters. */
export function silhouetteFromDistances(D: Float64Array, s: number, labels: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < s; i++) if (labels[i] + 1 > k) k = labels[i] + 1;
  const size = new Float64Array(k);
  for (let i = 0; i < s; i++) if (labels[i] >= 0) size[labels[i]]++;
  let nonEmpty = 0;
  for (let c = 0; c < k; c++) if (size[c] > 0) nonEmpty++;
  if (nonEmpty < 2) return NaN;
  const sums = new Float64Array(k);
  let total = 0;
  let count = 0;
  for (let i = 0; i < s; i++) {
    const li = labels[i];
    if (li < 0) continue;
    count++;
    if (size[li] <= 1) continue; // silhouette 0
    sums.fill(0);
    const row = i * s;
    for (let j = 0; j < s; j++) {
      const lj = labels[j];
      if (lj >= 0) sums[lj] += D[row + j];
    }
    const a = sums[li] / (size[li] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== li && size[c] > 0) b = Math.min(b, sums[c] / size[c]);
    const mx = Math.max(a, b);
    total += mx > 0 ? (b - a) / mx : 0;
  }
  return count ? total / count : NaN;
}

/** Exact mean silhouette of all n points (O(n² d)); for small n and tests. */
export function silhouette(data: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: n }, (_, i) => i);
  return silhouetteFromDistances(pairwiseDistances(data, d, idx), n, labels);
}
