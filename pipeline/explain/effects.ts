/**
 * Readable effects behind the regression: performance similarity by semantic-similarity decile,
 * semantic nearest neighbours against random pairs (with a permutation test), and per tag the
 * mean similarity of pairs inside the tag against pairs outside it.
 */
import type { Rng } from '../core/rng.ts';
import type { KnnGraph } from '../index/index.ts';
import { pairSimilarity, type PerfColumns } from '../correlate/prompt-similarity.ts';

export interface DecileBin {
  decile: number;
  /** Semantic cosine range of the bin. */
  lo: number;
  hi: number;
  /** Sampled pairs in the bin. */
  pairs: number;
  /** Estimated share of all pairs (weighted). */
  share: number;
  meanSimilarity: number;
  meanExcess: number | null;
  /** Mean residual similarity (Q3) in the bin, when the explanation has residuals. */
  meanResidual?: number | null;
}

/** Weighted deciles of semantic similarity (over all pairs, via the sample weights). */
export function decileCurve(s: Float64Array, y: Float64Array, yEx: Float64Array | null, w: Float64Array, bins = 10): DecileBin[] {
  const P = s.length;
  if (P === 0) return [];
  const order = Int32Array.from({ length: P }, (_, p) => p).sort((a, b) => s[a] - s[b] || a - b);
  let W = 0;
  for (let p = 0; p < P; p++) W += w[p];
  const out: DecileBin[] = [];
  let cum = 0;
  let t = 0;
  for (let b = 0; b < bins; b++) {
    const upper = (W * (b + 1)) / bins;
    let cnt = 0;
    let sw = 0;
    let sy = 0;
    let se = 0;
    let lo = Infinity;
    let hi = -Infinity;
    while (t < P && (b === bins - 1 || cum + w[order[t]] / 2 <= upper)) {
      const p = order[t++];
      cum += w[p];
      cnt++;
      sw += w[p];
      sy += w[p] * y[p];
      if (yEx) se += w[p] * yEx[p];
      if (s[p] < lo) lo = s[p];
      if (s[p] > hi) hi = s[p];
    }
    if (cnt === 0) continue;
    out.push({ decile: b + 1, lo, hi, pairs: cnt, share: sw / W, meanSimilarity: sy / sw, meanExcess: yEx ? se / sw : null });
  }
  return out;
}

export interface NearestNeighbourEffect {
  /** Neighbours per prompt used. */
  k: number;
  /** Directed (prompt → neighbour) edges with a defined similarity. */
  edges: number;
  /** Mean performance similarity of each prompt with its k semantic nearest neighbours. */
  meanNeighbours: number;
  /** Mean performance similarity over all pairs (weighted estimate from the pair sample). */
  meanRandom: number;
  /** Edges used by the permutation test (all, or a seeded sample). */
  testEdges: number;
  /** Mean over the test edges and its permutation null (prompt labels permuted). */
  testObserved: number;
  nullMean: number | null;
  nullSd: number | null;
  /** One-sided: (1 + #{null ≥ observed}) / (B + 1). */
  p: number | null;
}

export function nearestNeighbourEffect(
  knn: KnnGraph,
  pc: PerfColumns,
  eligible: Int32Array,
  meanRandom: number,
  k: number,
  maxTestEdges: number,
  B: number,
  rng: Rng,
  onPermutation?: () => void,
): NearestNeighbourEffect | null {
  const kk = Math.min(k, knn.k);
  const A: number[] = [];
  const Bn: number[] = [];
  let sum = 0;
  for (const i of eligible) {
    for (let t = 0; t < kk; t++) {
      const j = knn.neighbors[i * knn.k + t];
      if (j < 0 || j === i || !pc.eligible[j]) continue;
      const v = pairSimilarity(pc, i, j);
      if (v !== v) continue;
      A.push(i);
      Bn.push(j);
      sum += v;
    }
  }
  const E = A.length;
  if (E === 0) return null;
  let testIdx: Int32Array;
  if (E <= maxTestEdges) testIdx = Int32Array.from({ length: E }, (_, t) => t);
  else testIdx = rng.fork('edges').sample(E, maxTestEdges).sort();
  const ta = Int32Array.from(testIdx, (t) => A[t]);
  const tb = Int32Array.from(testIdx, (t) => Bn[t]);
  const meanOver = (map: Int32Array | null): number => {
    let s = 0;
    let c = 0;
    for (let t = 0; t < ta.length; t++) {
      const v = map ? pairSimilarity(pc, map[ta[t]], map[tb[t]]) : pairSimilarity(pc, ta[t], tb[t]);
      if (v === v) {
        s += v;
        c++;
      }
    }
    return c ? s / c : NaN;
  };
  const observed = meanOver(null);
  let p: number | null = null;
  let nullMean: number | null = null;
  let nullSd: number | null = null;
  if (B > 0) {
    const map = new Int32Array(pc.n);
    for (let i = 0; i < pc.n; i++) map[i] = i;
    const perm = new Int32Array(eligible.length);
    const prng = rng.fork('perm');
    let ge = 0;
    let s1 = 0;
    let s2 = 0;
    for (let b = 0; b < B; b++) {
      perm.set(eligible);
      prng.shuffle(perm);
      for (let t = 0; t < eligible.length; t++) map[eligible[t]] = perm[t];
      const v = meanOver(map);
      s1 += v;
      s2 += v * v;
      if (v >= observed - 1e-12) ge++;
      onPermutation?.();
    }
    p = (1 + ge) / (B + 1);
    nullMean = s1 / B;
    nullSd = Math.sqrt(Math.max(0, s2 / B - nullMean * nullMean));
  }
  return { k: kk, edges: E, meanNeighbours: sum / E, meanRandom, testEdges: ta.length, testObserved: observed, nullMean, nullSd, p };
}

export interface TagEffect {
  tag: string;
  /** Sampled pairs with both prompts in the tag / exactly one / neither. */
  pairsWithin: number;
  pairsCross: number;
  pairsOutside: number;
  /** Weighted mean performance similarity (null when no sampled pair). */
  meanWithin: number | null;
  meanCross: number | null;
  meanOutside: number | null;
  meanExcessWithin: number | null;
  meanExcessOutside: number | null;
}

export function tagEffect(tag: string, mem: Uint8Array, I: Int32Array, J: Int32Array, y: Float64Array, yEx: Float64Array | null, w: Float64Array): TagEffect {
  const cnt = [0, 0, 0];
  const sw = [0, 0, 0];
  const sy = [0, 0, 0];
  const se = [0, 0, 0];
  for (let p = 0; p < I.length; p++) {
    const g = 2 - (mem[I[p]] + mem[J[p]]); // 0 within, 1 cross, 2 outside
    cnt[g]++;
    sw[g] += w[p];
    sy[g] += w[p] * y[p];
    if (yEx) se[g] += w[p] * yEx[p];
  }
  const m = (g: number) => (cnt[g] ? sy[g] / sw[g] : null);
  const me = (g: number) => (yEx && cnt[g] ? se[g] / sw[g] : null);
  return { tag, pairsWithin: cnt[0], pairsCross: cnt[1], pairsOutside: cnt[2], meanWithin: m(0), meanCross: m(1), meanOutside: m(2), meanExcessWithin: me(0), meanExcessOutside: me(2) };
}

export interface AllPairsMantelTest {
  r: number;
  pairs: number;
  /** One-sided (greater) and two-sided permutation p-values over all pairs; null when not run. */
  p: number | null;
  pTwoSided: number | null;
  /** Permutations behind p (0 when not run). */
  permutations: number;
}

/**
 * Mantel test over every pair of `eligible` prompts: the statistic is allPairsMantel's r, and the
 * permutation distribution relabels the semantic matrix by a random permutation π of the eligible
 * prompts (s at (π(i), π(j)) against the fixed response at (i, j)), so the p-value belongs to the
 * all-pairs number rather than to a sample's. O(pairs) per permutation over a precomputed ne × ne
 * cosine matrix; `permutations` = 0 gives the statistic alone.
 */
export function allPairsMantelTest(vectors: Float32Array, d: number, pc: PerfColumns, eligible: Int32Array, permutations: number, rng: Rng, onPermutation?: () => void): AllPairsMantelTest {
  const ne = eligible.length;
  const cos = new Float64Array(ne * ne);
  for (let x = 0; x < ne; x++) {
    const oa = eligible[x] * d;
    for (let z = x + 1; z < ne; z++) {
      const ob = eligible[z] * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += vectors[oa + k] * vectors[ob + k];
      cos[x * ne + z] = s;
      cos[z * ne + x] = s;
    }
  }
  const P = (ne * (ne - 1)) / 2;
  const y = new Float64Array(P);
  let c = 0;
  let sy = 0;
  let syy = 0;
  for (let x = 0, p = 0; x < ne; x++) {
    for (let z = x + 1; z < ne; z++, p++) {
      const v = pairSimilarity(pc, eligible[x], eligible[z]);
      y[p] = v;
      if (v !== v) continue;
      c++;
      sy += v;
      syy += v * v;
    }
  }
  const vy = syy - (sy * sy) / c;
  const stat = (perm: Int32Array): number => {
    let sx = 0;
    let sxx = 0;
    let sxy = 0;
    for (let x = 0, p = 0; x < ne; x++) {
      const row = perm[x] * ne;
      for (let z = x + 1; z < ne; z++, p++) {
        const v = y[p];
        if (v !== v) continue;
        const s = cos[row + perm[z]];
        sx += s;
        sxx += s * s;
        sxy += s * v;
      }
    }
    const vx = sxx - (sx * sx) / c;
    return c > 1 && vx > 0 && vy > 0 ? (sxy - (sx * sy) / c) / Math.sqrt(vx * vy) : NaN;
  };
  const identity = Int32Array.from({ length: ne }, (_, x) => x);
  const r = stat(identity);
  if (permutations <= 0 || r !== r) return { r, pairs: c, p: null, pTwoSided: null, permutations: 0 };
  // Same tolerance as the sampled Mantel test: ties within rounding count as ≥.
  const EPS = 1e-12;
  let ge = 0;
  let geAbs = 0;
  const perm = identity.slice();
  for (let b = 0; b < permutations; b++) {
    rng.shuffle(perm);
    const t = stat(perm);
    if (t >= r - EPS) ge++;
    if (Math.abs(t) >= Math.abs(r) - EPS) geAbs++;
    onPermutation?.();
  }
  return { r, pairs: c, p: (1 + ge) / (permutations + 1), pTwoSided: (1 + geAbs) / (permutations + 1), permutations };
}
