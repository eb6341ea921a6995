/**
 * Which prompt pairs the distribution statistics are computed on: every pair when there are at
 * most `limit` of them, otherwise a seeded uniform sample of `limit` distinct pairs, sorted for
 * cache-friendly access. Pairs are flattened as [i0, j0, i1, j1, …] with i < j.
 */
import type { Rng } from '../core/rng.ts';
import { cappedSampleSize } from '../core/caps.ts';

export interface PairSet {
  /** 2 × P flattened (i, j) indices into the prompt list the pairs were drawn over. */
  pairs: Int32Array;
  /** Number of distinct pairs n(n−1)/2. */
  total: number;
  exact: boolean;
}

/** Pair index q (row-major upper triangle, i < j) → (i, j). */
export function decodePair(q: number, n: number): [number, number] {
  // offset(i) = i·n − i(i+1)/2 is the index of pair (i, i+1).
  let i = Math.floor(n - 0.5 - Math.sqrt((n - 0.5) * (n - 0.5) - 2 * q));
  if (i < 0) i = 0;
  while (i > 0 && i * n - (i * (i + 1)) / 2 > q) i--;
  while ((i + 1) * n - ((i + 1) * (i + 2)) / 2 <= q) i++;
  const j = q - (i * n - (i * (i + 1)) / 2) + i + 1;
  return [i, j];
}

/** Prompts per cache block (2^10): a block of columns of 29–500 models fits in L2. */
const BLOCK_SHIFT = 10;

export function choosePairs(n: number, limit: number, rng: Rng): PairSet {
  const total = (n * (n - 1)) / 2;
  if (total <= limit) {
    const pairs = new Int32Array(2 * total);
    let c = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        pairs[c++] = i;
        pairs[c++] = j;
      }
    }
    return { pairs, total, exact: true };
  }
  const chosen = new Float64Array(limit);
  if (limit * 3 > total) {
    const all = new Float64Array(total);
    for (let q = 0; q < total; q++) all[q] = q;
    for (let a = 0; a < limit; a++) {
      const b = a + drawBelow(rng, total - a);
      const t = all[a];
      all[a] = all[b];
      all[b] = t;
      chosen[a] = all[a];
    }
  } else {
    const seen = new Set<number>();
    let c = 0;
    while (c < limit) {
      const q = drawBelow(rng, total);
      if (!seen.has(q)) {
        seen.add(q);
        chosen[c++] = q;
      }
    }
  }
  const pi = new Int32Array(limit);
  const pj = new Int32Array(limit);
  for (let a = 0; a < limit; a++) [pi[a], pj[a]] = decodePair(chosen[a], n);
  // Order by (block of i, block of j, i, j): the columns a run of pairs touches stay in cache.
  const order = Array.from({ length: limit }, (_, a) => a);
  const B = BLOCK_SHIFT;
  order.sort((a, b) => (pi[a] >> B) - (pi[b] >> B) || (pj[a] >> B) - (pj[b] >> B) || pi[a] - pi[b] || pj[a] - pj[b]);
  const pairs = new Int32Array(2 * limit);
  for (let a = 0; a < limit; a++) {
    pairs[2 * a] = pi[order[a]];
    pairs[2 * a + 1] = pj[order[a]];
  }
  return { pairs, total, exact: false };
}

function drawBelow(rng: Rng, n: number): number {
  return n <= 0x100000000 ? rng.int(n) : Math.floor(rng.next() * n);
}

/**
 * Every replicate of every null redraws the columns its pairs touch, so a replicate costs about
 * models × tested prompts. Above this many cells the tests run on a seeded sample of prompts
 * (all pairs among them, or `pairSample` of them); at or below it, on every used prompt as before.
 * 4e6 cells keep a replicate near 0.1 s on one core; every shared benchmark is below it.
 */
export const DEFAULT_MAX_TEST_CELLS = 4_000_000;
/** The prompt sample never goes below this (pairs among fewer would make the KS and mean-squared tests coarse). */
export const MIN_TEST_PROMPTS = 400;

export interface TestDesign {
  /** Indices into the used prompts that the tests run on (all of them when not `sampled`). */
  prompts: Int32Array;
  sampled: boolean;
  /** Pairs: indices into `prompts`. */
  pairSet: PairSet;
}

/**
 * Which prompts and pairs the statistics and the nulls use. `rng` is correlate's stream: the pair
 * sample comes from its 'pairs' fork exactly as without the prompt sample, which draws from its own
 * 'test-prompts' fork only when m × nUsed exceeds `maxTestCells`.
 */
export function chooseTestDesign(nUsed: number, m: number, pairSample: number, maxTestCells: number, rng: Rng): TestDesign {
  const limit = Math.max(1, Math.floor(pairSample));
  const keep = cappedSampleSize(nUsed, m, maxTestCells, MIN_TEST_PROMPTS);
  if (keep === null) {
    return { prompts: Int32Array.from({ length: nUsed }, (_, i) => i), sampled: false, pairSet: choosePairs(nUsed, limit, rng.fork('pairs')) };
  }
  const prompts = rng.fork('test-prompts').sample(nUsed, keep).sort();
  return { prompts, sampled: true, pairSet: choosePairs(keep, limit, rng.fork('pairs')) };
}
