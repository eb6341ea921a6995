/**
 * Performance similarity of two prompts at any pair (i, j) — the response of the pairwise model —
 * evaluated on demand, because permutation tests need it at pairs nobody sampled. The metric
 * definitions are this stage's (similarity.ts): pairwise-complete over the models that have both
 * scores, NaN when undefined. This file only adds which prompts can take part at all (Pearson:
 * non-zero variance; cosine: non-zero norm; enough observed models). Used by explain and by the
 * correlation-adjusted re-weighting, so every stage measures prompt similarity the same way.
 */
import { isBinary } from '../core/dataset.ts';
import { pairSimilarity as corrPairSimilarity, prepareColumns as corrPrepare, type PreparedColumns } from './similarity.ts';
import type { SimilarityMetric as PerfMetric } from './index.ts';

export interface PerfColumns {
  n: number;
  m: number;
  metric: PerfMetric;
  prep: PreparedColumns;
  /** 1 = the prompt can have a defined similarity (zero-variance prompts are 0 for Pearson). */
  eligible: Uint8Array;
}

export function prepareColumns(scores: Float64Array | Float32Array, m: number, n: number, metric: PerfMetric, minCommonModels = 5): PerfColumns {
  const minCommon = Math.max(metric === 'pearson' ? 3 : 2, minCommonModels);
  const cols = new Float64Array(n * m);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) cols[i * m + k] = scores[k * n + i];
  const prep = corrPrepare(metric, cols, m, n, minCommon, isBinary(scores));
  const eligible = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let c = 0;
    let s = 0;
    let sq = 0;
    for (let k = 0; k < m; k++) {
      const v = cols[o + k];
      if (v === v) {
        c++;
        s += v;
        sq += v * v;
      }
    }
    if (c < minCommon) continue;
    const mean = s / c;
    let ss = 0;
    for (let k = 0; k < m; k++) {
      const v = cols[o + k];
      if (v === v) ss += (v - mean) * (v - mean);
    }
    if (metric === 'pearson') eligible[i] = ss > 1e-12 * c ? 1 : 0;
    else if (metric === 'cosine') eligible[i] = sq > 1e-12 ? 1 : 0;
    else eligible[i] = 1;
  }
  return { n, m, metric, prep, eligible };
}

/** Similarity of prompts a and b (NaN when undefined). */
export function pairSimilarity(pc: PerfColumns, a: number, b: number): number {
  return corrPairSimilarity(pc.prep, a, b);
}
