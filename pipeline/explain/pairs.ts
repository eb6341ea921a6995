/**
 * Which prompt pairs enter the pairwise model. All pairs when there are few; otherwise a seeded
 * stratified sample: the semantic kNN pairs (stratum "knn", where semantic similarity is high and
 * random pairs almost never land) plus uniform random pairs from the rest (stratum "random").
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
  /** 1 = kNN stratum, 0 = random stratum (or all pairs). */
  stratum: Uint8Array;
  /** Pairs among the eligible prompts (the population the sample stands for). */
  populationPairs: number;
  knnPopulation: number;
  knnSampled: number;
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

export function samplePairs(eligible: Int32Array, n: number, knn: KnnGraph | null, maxPairs: number, knnShare: number, rng: Rng): PairSample {
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
    return { design: 'all', i: I, j: J, weight: new Float64Array(P).fill(1), stratum: new Uint8Array(P), populationPairs: population, knnPopulation: 0, knnSampled: 0, randomSampled: P };
  }
  const mask = new Uint8Array(n);
  for (const e of eligible) mask[e] = 1;
  let kA: Int32Array = new Int32Array(0);
  let kB: Int32Array = new Int32Array(0);
  let keys = new Set<number>();
  if (knn) ({ a: kA, b: kB, keys } = knnPairs(knn, mask, n));
  const knnPop = kA.length;
  const knnBudget = Math.floor(maxPairs * knnShare);
  let knnIdx: Int32Array;
  if (knnPop <= knnBudget) knnIdx = Int32Array.from({ length: knnPop }, (_, t) => t);
  else knnIdx = rng.sample(knnPop, knnBudget).sort();
  const knnTaken = knnIdx.length;
  const wK = knnTaken ? knnPop / knnTaken : 0;
  const randomPop = population - knnPop;
  const nRandom = Math.min(maxPairs - knnTaken, randomPop);
  const wR = nRandom ? randomPop / nRandom : 0;
  const P = knnTaken + nRandom;
  const I = new Int32Array(P);
  const J = new Int32Array(P);
  const W = new Float64Array(P);
  const S = new Uint8Array(P);
  for (let t = 0; t < knnTaken; t++) {
    I[t] = kA[knnIdx[t]];
    J[t] = kB[knnIdx[t]];
    W[t] = wK;
    S[t] = 1;
  }
  const drawn = new Set<number>();
  let p = knnTaken;
  while (p < P) {
    const x = eligible[rng.int(ne)];
    const y = eligible[rng.int(ne)];
    if (x === y) continue;
    const key = pairKey(x, y, n);
    if (keys.has(key) || drawn.has(key)) continue;
    drawn.add(key);
    I[p] = Math.min(x, y);
    J[p] = Math.max(x, y);
    W[p] = wR;
    p++;
  }
  return { design: 'stratified', i: I, j: J, weight: W, stratum: S, populationPairs: population, knnPopulation: knnPop, knnSampled: knnTaken, randomSampled: nRandom };
}
