/**
 * Which prompt pairs enter the pairwise model. All pairs when there are few; otherwise a seeded
 * stratified sample: the semantic kNN pairs (stratum "knn", where semantic similarity is high and
 * random pairs almost never land), pairs inside small failure tags (stratum "tag", likewise rare
 * among random pairs), plus uniform random pairs from the rest (stratum "random").
 * Each sampled pair carries its Horvitz–Thompson weight 1 / (inclusion probability), so weighted
 * means, regressions and correlations over the sample estimate the same quantities over all pairs.
 */
import type { Rng } from '../core/rng.ts';
import type { KnnGraph } from '../index/index.ts';

export interface PairSample {
  design: 'all' | 'stratified';
  /** First and second prompt of each pair (i < j), dataset item indices. */
  i: Int32Array;
  j: Int32Array;
  weight: Float64Array;
  /** 1 = kNN stratum, 2 = tag stratum, 0 = random stratum (or all pairs). */
  stratum: Uint8Array;
  /** Pairs among the eligible prompts (the population the sample stands for). */
  populationPairs: number;
  knnPopulation: number;
  knnSampled: number;
  tagPopulation: number;
  tagSampled: number;
  randomSampled: number;
}

export function pairKey(a: number, b: number, n: number): number {
  return a < b ? a * n + b : b * n + a;
}

/** kNN pairs among eligible prompts, deduplicated, (a < b), in a deterministic order. */
export function knnPairs(knn: KnnGraph, eligibleMask: Uint8Array, n: number, maxPerPrompt = Infinity): { a: Int32Array; b: Int32Array; keys: Set<number> } {
  const keys = new Set<number>();
  const a: number[] = [];
  const b: number[] = [];
  const k = knn.k;
  for (let i = 0; i < knn.n; i++) {
    if (!eligibleMask[i]) continue;
    for (let t = 0; t < Math.min(k, maxPerPrompt); t++) {
      const j = knn.neighbors[i * k + t];
      if (j < 0 || j === i || !eligibleMask[j]) continue;
      const key = pairKey(i, j, n);
      if (keys.has(key)) continue;
      keys.add(key);
      a.push(Math.min(i, j));
      b.push(Math.max(i, j));
    }
  }
  return { a: Int32Array.from(a), b: Int32Array.from(b), keys };
}

/** Pairs with both prompts in one small tag (the "tag" stratum), minus those in `exclude`. */
export function tagPairs(tags: Uint8Array[], eligible: Int32Array, n: number, exclude: Set<number>, maxPerTag: number, maxTotal: number): Set<number> {
  const keys = new Set<number>();
  let total = 0;
  for (const mem of tags) {
    const members: number[] = [];
    for (const e of eligible) if (mem[e]) members.push(e);
    const c = (members.length * (members.length - 1)) / 2;
    if (c === 0 || c > maxPerTag || total + c > maxTotal) continue;
    total += c;
    for (let x = 0; x < members.length; x++)
      for (let y = x + 1; y < members.length; y++) {
        const key = pairKey(members[x], members[y], n);
        if (!exclude.has(key)) keys.add(key);
      }
  }
  return keys;
}

/**
 * Strata, each sampled uniformly without replacement and weighted by 1 / (its sampling rate):
 *   knn    — semantic kNN pairs (≤ knnShare of the budget);
 *   tag    — pairs with both prompts in the same small failure tag, not kNN (≤ tagShare);
 *   random — every other pair (the rest of the budget).
 */
export function samplePairs(eligible: Int32Array, n: number, knn: KnnGraph | null, maxPairs: number, knnShare: number, rng: Rng, tags: Uint8Array[] = [], tagShare = 0.2): PairSample {
  const ne = eligible.length;
  const population = (ne * (ne - 1)) / 2;
  if (population <= maxPairs) {
    const P = population;
    const I = new Int32Array(P);
    const J = new Int32Array(P);
    let p = 0;
    for (let x = 0; x < ne; x++)
      for (let y = x + 1; y < ne; y++) {
        I[p] = eligible[x];
        J[p] = eligible[y];
        p++;
      }
    return { design: 'all', i: I, j: J, weight: new Float64Array(P).fill(1), stratum: new Uint8Array(P), populationPairs: population, knnPopulation: 0, knnSampled: 0, tagPopulation: 0, tagSampled: 0, randomSampled: P };
  }
  const mask = new Uint8Array(n);
  for (const e of eligible) mask[e] = 1;
  let kA: Int32Array = new Int32Array(0);
  let kB: Int32Array = new Int32Array(0);
  let keys = new Set<number>();
  if (knn) ({ a: kA, b: kB, keys } = knnPairs(knn, mask, n));
  const knnPop = kA.length;
  const knnBudget = Math.floor(maxPairs * knnShare);
  const knnIdx = knnPop <= knnBudget ? Int32Array.from({ length: knnPop }, (_, t) => t) : rng.sample(knnPop, knnBudget).sort();
  const knnTaken = knnIdx.length;

  // Tag stratum: rare tags only (a tag holding over 5% of all pairs is well covered by random pairs).
  const tagKeys = tags.length ? tagPairs(tags, eligible, n, keys, population * 0.05, 2_000_000) : new Set<number>();
  const tagList = Float64Array.from(tagKeys).sort();
  const tagPop = tagList.length;
  const tagBudget = Math.floor(maxPairs * tagShare);
  const tagIdx = tagPop <= tagBudget ? Int32Array.from({ length: tagPop }, (_, t) => t) : rng.sample(tagPop, tagBudget).sort();
  const tagTaken = tagIdx.length;

  const randomPop = population - knnPop - tagPop;
  const nRandom = Math.min(maxPairs - knnTaken - tagTaken, randomPop);
  const P = knnTaken + tagTaken + nRandom;
  const I = new Int32Array(P);
  const J = new Int32Array(P);
  const W = new Float64Array(P);
  const S = new Uint8Array(P);
  const wK = knnTaken ? knnPop / knnTaken : 0;
  const wT = tagTaken ? tagPop / tagTaken : 0;
  const wR = nRandom ? randomPop / nRandom : 0;
  let p = 0;
  for (let t = 0; t < knnTaken; t++, p++) {
    I[p] = kA[knnIdx[t]];
    J[p] = kB[knnIdx[t]];
    W[p] = wK;
    S[p] = 1;
  }
  for (let t = 0; t < tagTaken; t++, p++) {
    const key = tagList[tagIdx[t]];
    I[p] = Math.floor(key / n);
    J[p] = key - I[p] * n;
    W[p] = wT;
    S[p] = 2;
  }
  const drawn = new Set<number>();
  while (p < P) {
    const x = eligible[rng.int(ne)];
    const y = eligible[rng.int(ne)];
    if (x === y) continue;
    const key = pairKey(x, y, n);
    if (keys.has(key) || tagKeys.has(key) || drawn.has(key)) continue;
    drawn.add(key);
    I[p] = Math.min(x, y);
    J[p] = Math.max(x, y);
    W[p] = wR;
    p++;
  }
  return { design: 'stratified', i: I, j: J, weight: W, stratum: S, populationPairs: population, knnPopulation: knnPop, knnSampled: knnTaken, tagPopulation: tagPop, tagSampled: tagTaken, randomSampled: nRandom };
}
