/**
 * The data of the family figure: a cluster × cluster matrix of mean performance similarity between
 * prompts (diagonal = two distinct prompts of the same cluster), with the clusters ordered by
 * average-linkage hierarchical clustering of that matrix, so related clusters sit next to each
 * other and families show as blocks. Prompt similarity is correlate's own (prompt-similarity.ts:
 * same metric, pairwise-complete over models). Pure: (scores, grouping, options, rng) → matrix.
 */
import type { Rng } from '../core/rng.ts';
import type { SimilarityMetric } from '../correlate/index.ts';
import { pairSimilarity, prepareColumns } from '../correlate/prompt-similarity.ts';

export interface FamilyMatrixOptions {
  metric: SimilarityMetric;
  minCommonModels: number;
  /** Pairs per cell above which the cell's mean is estimated from this many random pairs. */
  maxPairsPerCell: number;
}

export const DEFAULT_MAX_PAIRS_PER_CELL = 4000;

export interface FamilyMatrix {
  /** Clusters in display order (hierarchical leaf order). */
  clusters: { id: number; label: string; size: number }[];
  /** k × k row-major mean similarity in display order; NaN where no pair is defined. */
  values: Float64Array;
  /** Prompt pairs with a defined similarity behind each cell (after sampling). */
  pairs: Int32Array;
  /** True when some cell was estimated from sampled pairs. */
  sampled: boolean;
}

/**
 * @param assignments cluster id per prompt (−1 = in no cluster, left out)
 * @param labels label per cluster id
 */
export function familyMatrix(scores: Float64Array, m: number, n: number, assignments: ArrayLike<number>, labels: readonly string[], o: FamilyMatrixOptions, rng: Rng): FamilyMatrix {
  const pc = prepareColumns(scores, m, n, o.metric, o.minCommonModels);
  const ids = [...new Set(Array.from(assignments).filter((c) => c >= 0))].sort((a, b) => a - b);
  const members = ids.map((id) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (assignments[i] === id && pc.eligible[i]) out.push(i);
    return out;
  });
  const k = ids.length;
  const sum = new Float64Array(k * k);
  const cnt = new Int32Array(k * k);
  let sampled = false;
  const add = (a: number, b: number, i: number, j: number) => {
    const v = pairSimilarity(pc, i, j);
    if (v === v) {
      sum[a * k + b] += v;
      cnt[a * k + b]++;
    }
  };
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const A = members[a];
      const B = members[b];
      const total = a === b ? (A.length * (A.length - 1)) / 2 : A.length * B.length;
      if (total <= o.maxPairsPerCell) {
        if (a === b) for (let x = 0; x < A.length; x++) for (let y = x + 1; y < A.length; y++) add(a, b, A[x], A[y]);
        else for (const i of A) for (const j of B) add(a, b, i, j);
      } else {
        sampled = true;
        const r = rng.fork(`${ids[a]}-${ids[b]}`);
        for (let s = 0; s < o.maxPairsPerCell; s++) {
          const i = A[r.int(A.length)];
          let j = B[r.int(B.length)];
          if (a === b) while (j === i) j = B[r.int(B.length)];
          add(a, b, i, j);
        }
      }
    }
  }
  const mean = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const v = cnt[a * k + b] ? sum[a * k + b] / cnt[a * k + b] : NaN;
      mean[a * k + b] = v;
      mean[b * k + a] = v;
      cnt[b * k + a] = cnt[a * k + b];
    }
  }
  const order = averageLinkageOrder(mean, k, members.map((x) => x.length));
  const values = new Float64Array(k * k);
  const pairs = new Int32Array(k * k);
  order.forEach((a, i) =>
    order.forEach((b, j) => {
      values[i * k + j] = mean[a * k + b];
      pairs[i * k + j] = cnt[a * k + b];
    }),
  );
  return { clusters: order.map((a) => ({ id: ids[a], label: labels[ids[a]] ?? String(ids[a]), size: members[a].length })), values, pairs, sampled };
}

/**
 * Leaf order of average-linkage agglomerative clustering on a similarity matrix (most similar
 * groups merge first; group similarity = size-weighted mean of its members' cross similarities;
 * undefined cells count as 0). Ties go to the lowest indices, so the order is deterministic.
 */
export function averageLinkageOrder(sim: ArrayLike<number>, k: number, sizes: readonly number[]): number[] {
  const val = (a: number, b: number) => {
    const v = sim[a * k + b];
    return Number.isFinite(v) ? v : 0;
  };
  let groups = Array.from({ length: k }, (_, i) => ({ leaves: [i], weight: Math.max(1, sizes[i] ?? 1) }));
  // Cross similarity of two groups: size-weighted mean over their leaf pairs.
  const link = (g: (typeof groups)[number], h: (typeof groups)[number]) => {
    let s = 0;
    let w = 0;
    for (const a of g.leaves) for (const b of h.leaves) {
      const ww = Math.max(1, sizes[a] ?? 1) * Math.max(1, sizes[b] ?? 1);
      s += ww * val(a, b);
      w += ww;
    }
    return s / w;
  };
  while (groups.length > 1) {
    let best = -Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        const l = link(groups[i], groups[j]);
        if (l > best + 1e-12) {
          best = l;
          bi = i;
          bj = j;
        }
      }
    }
    const merged = { leaves: [...groups[bi].leaves, ...groups[bj].leaves], weight: groups[bi].weight + groups[bj].weight };
    groups = [...groups.slice(0, bi), merged, ...groups.slice(bi + 1, bj), ...groups.slice(bj + 1)];
  }
  return groups[0]?.leaves ?? [];
}

/** Mean of the cells inside vs outside given blocks (block = set of display positions), over defined cells. */
export function blockContrast(fm: FamilyMatrix, blockOf: (position: number) => number): { within: number; between: number } {
  const k = fm.clusters.length;
  let ws = 0;
  let wn = 0;
  let bs = 0;
  let bn = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = fm.values[i * k + j];
      if (!Number.isFinite(v)) continue;
      if (blockOf(i) === blockOf(j)) {
        ws += v;
        wn++;
      } else {
        bs += v;
        bn++;
      }
    }
  }
  return { within: wn ? ws / wn : NaN, between: bn ? bs / bn : NaN };
}
