/**
 * Expected similarity of given prompt pairs under Null B: the mean over B replicates (curveball for
 * 0/1 scores, residual permutation for graded ones). explain subtracts it from each pair's
 * similarity (the "excess over Null B" response).
 */
import type { Rng } from '../core/rng.ts';
import { isBinary } from '../core/dataset.ts';
import { runWorker, siblingModule } from '../core/worker-call.ts';
import { CurveballNull, diagnoseCurveball, encodeBinary } from './nulls/curveball.ts';
import { ResidualPermutationNull } from './nulls/residual.ts';
import type { NullSampler } from './nulls/types.ts';
import { FastRng } from './fast-rng.ts';
import { prepareColumns, pairSimilarity, type PreparedColumns } from './similarity.ts';
import type { SimilarityMetric } from './index.ts';

/** What every replicate range needs (structured-clone friendly: worker threads get it whole). */
export interface PairExpectationSetup {
  scores: Float64Array;
  m: number;
  n: number;
  metric: SimilarityMetric;
  minCommon: number;
  /** Distinct prompts of the pairs, and each pair's two positions among them (2 × P). */
  cols: number[];
  local: Int32Array;
  binary: boolean;
  seed: number;
  /** Curveball trades per replicate (0/1 data), from the mixing diagnosis. */
  trades: number;
}

function setup(scores: Float64Array, m: number, n: number, pairs: Int32Array, metric: SimilarityMetric, rng: Rng, minCommonModels: number): PairExpectationSetup {
  const minCommon = Math.max(metric === 'pearson' ? 3 : 2, minCommonModels);
  const cols = Array.from(new Set(pairs)).sort((a, b) => a - b);
  for (const c of cols) if (c < 0 || c >= n) throw new Error(`pair index ${c} outside 0..${n - 1}`);
  const where = new Map<number, number>(cols.map((c, i) => [c, i]));
  const local = Int32Array.from(pairs, (c) => where.get(c)!);
  const binary = isBinary(scores);
  const seed = rng.int(0x7fffffff);
  const trades = binary ? diagnoseCurveball(encodeBinary(scores, m, n), FastRng.forReplicate(seed, 'nullB-diagnose', 0)).tradesPerReplicate : 0;
  return { scores, m, n, metric, minCommon, cols, local, binary, seed, trades };
}

/** Sums and counts of each pair's similarity over replicates [from, to). */
export function expectationRange(s: PairExpectationSetup, from: number, to: number): { sum: Float64Array; cnt: Float64Array } {
  const { scores, m, n, metric, minCommon, cols, local, binary } = s;
  const P = local.length >> 1;
  const sampler: NullSampler = binary ? new CurveballNull(scores, m, n, cols, s.seed, s.trades, encodeBinary(scores, m, n)) : new ResidualPermutationNull(scores, m, n, cols, s.seed);
  const sum = new Float64Array(P);
  const cnt = new Float64Array(P);
  const buf = new Float64Array(cols.length * m);
  let prep: PreparedColumns | undefined;
  // 0/1 data: a curveball trade keeps every column's total and missing cells, so after the first
  // prepared replicate only the bits change (as in runReplicates; the same similarities).
  const bitSampler = binary && sampler instanceof CurveballNull ? sampler : null;
  for (let b = from; b < to; b++) {
    if (bitSampler && prep) bitSampler.drawBits(b, prep.bits, prep.words);
    else {
      sampler.draw(b, buf);
      prep = prepareColumns(metric, buf, m, cols.length, minCommon, binary, prep, !binary);
    }
    for (let q = 0; q < P; q++) {
      const v = pairSimilarity(prep!, local[2 * q], local[2 * q + 1]);
      if (v === v) {
        sum[q] += v;
        cnt[q]++;
      }
    }
  }
  return { sum, cnt };
}

function mean(sum: Float64Array, cnt: Float64Array): Float64Array {
  const out = new Float64Array(sum.length);
  for (let q = 0; q < sum.length; q++) out[q] = cnt[q] ? sum[q] / cnt[q] : NaN;
  return out;
}

/**
 * `scores` is the m × n row-major matrix (NaN = missing); `pairs` is 2 × P flattened (i, j) dataset
 * item indices. NaN for a pair whose similarity is undefined in every replicate.
 */
export function nullBPairExpectation(scores: Float64Array, m: number, n: number, pairs: Int32Array, metric: SimilarityMetric, B: number, rng: Rng, minCommonModels = 5): Float64Array {
  if (pairs.length < 2) return new Float64Array(0);
  const s = setup(scores, m, n, pairs, metric, rng, minCommonModels);
  const { sum, cnt } = expectationRange(s, 0, B);
  return mean(sum, cnt);
}

/** Models × prompts × replicates above which the parallel form splits the replicates over threads. */
export const PARALLEL_EXPECTATION_WORK = 4e8;

/**
 * The same expectation for large work: above `minWork` models × prompts × replicates the replicates
 * are summed in two fixed halves, added in order, the second half on a worker thread when `workers`
 * ≥ 2 (replicate b depends only on the seed and b), so the result does not depend on the thread
 * count; it can differ from nullBPairExpectation's single sum in the last bits. Below `minWork` it
 * is nullBPairExpectation.
 */
export function nullBPairExpectationParallel(workers: number, minWork = PARALLEL_EXPECTATION_WORK) {
  return async (scores: Float64Array, m: number, n: number, pairs: Int32Array, metric: SimilarityMetric, B: number, rng: Rng, minCommonModels = 5): Promise<Float64Array> => {
    if (pairs.length < 2) return new Float64Array(0);
    const s = setup(scores, m, n, pairs, metric, rng, minCommonModels);
    if (m * s.cols.length * B < minWork) {
      const { sum, cnt } = expectationRange(s, 0, B);
      return mean(sum, cnt);
    }
    const half = Math.floor(B / 2);
    const second = workers >= 2 ? runWorker<{ sum: Float64Array; cnt: Float64Array }>(siblingModule('worker', import.meta.url), { type: 'pair-expectation', setup: s, from: half, to: B }, { label: 'Null B expectation' }) : null;
    const a = expectationRange(s, 0, half);
    const b = second ? await second : expectationRange(s, half, B);
    for (let q = 0; q < a.sum.length; q++) {
      a.sum[q] += b.sum[q];
      a.cnt[q] += b.cnt[q];
    }
    return mean(a.sum, a.cnt);
  };
}
