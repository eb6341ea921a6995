/**
 * The statistics of one score matrix (observed or a null replicate), and the loop that computes
 * them for a range of replicates. Kept free of I/O so it runs the same in the main thread and in
 * worker threads: replicate b depends only on (seed, b).
 */
import type { SimilarityMetric } from './index.ts';
import { closedFormMeans, pairSimilarity, prepareColumns, metricRange, type PreparedColumns } from './similarity.ts';
import { binOf, fineSpec, type HistogramSpec } from './stats.ts';
import { ColumnPermutationNull } from './nulls/shuffle.ts';
import { CurveballNull } from './nulls/curveball.ts';
import { ResidualPermutationNull } from './nulls/residual.ts';
import type { NullSampler } from './nulls/types.ts';

export type NullKind = 'A' | 'B-curveball' | 'B-residual';

/** Everything needed to rebuild a sampler and evaluate replicates (structured-clone friendly). */
export interface ReplicateSpec {
  metric: SimilarityMetric;
  minCommon: number;
  binary: boolean;
  m: number;
  nTotal: number;
  scores: Float64Array;
  /** Dataset columns the statistics are computed over (the used prompts). */
  columns: Int32Array;
  /** 2 × P pairs of indices into `columns`. */
  pairs: Int32Array;
  closedMean: boolean;
  closedSquared: boolean;
  kind: NullKind;
  seed: number;
  /** Curveball trades per replicate. */
  trades: number;
}

export interface MatrixStats {
  /** The test statistics: mean and mean squared similarity (closed form or over the pairs). */
  mean: number;
  meanSquared: number;
  /** Mean over the pairs (equal to `mean` when the pairs are all pairs). */
  pairMean: number;
  pairMeanSquared: number;
  /** Pairs whose similarity is undefined. */
  undefinedPairs: number;
}

export function makeSampler(spec: ReplicateSpec): NullSampler {
  switch (spec.kind) {
    case 'A':
      return new ColumnPermutationNull(spec.scores, spec.m, spec.nTotal, spec.columns, spec.seed);
    case 'B-curveball':
      return new CurveballNull(spec.scores, spec.m, spec.nTotal, spec.columns, spec.seed, spec.trades);
    case 'B-residual':
      return new ResidualPermutationNull(spec.scores, spec.m, spec.nTotal, spec.columns, spec.seed);
  }
}

export function histSpec(metric: SimilarityMetric): HistogramSpec {
  return fineSpec(metricRange(metric));
}

/**
 * Statistics of a prepared matrix; the pair similarities go into `hist` (fine bins, added to)
 * and, when given, into `values` (NaN for undefined pairs).
 */
export function evaluate(p: PreparedColumns, pairs: Int32Array, closedMean: boolean, closedSquared: boolean, hist: Int32Array, spec: HistogramSpec, values?: Float64Array): MatrixStats {
  const P = pairs.length / 2;
  const m = p.m;
  const t = p.t;
  const dotPath = (p.metric === 'pearson' || p.metric === 'cosine') && p.words === 0;
  const pearsonBits = p.metric === 'pearson' && p.words > 0 && m >= p.minCommon;
  const { packed, den, sum, complete } = p;
  let s = 0, ss = 0, c = 0;
  const scale = spec.steps / (spec.hi - spec.lo);
  for (let q = 0; q < P; q++) {
    const i = pairs[2 * q];
    const j = pairs[2 * q + 1];
    let v: number;
    if (pearsonBits && complete[i] === 1 && complete[j] === 1) {
      // 0/1 Pearson on complete columns: r = (m·n11 − c_i c_j) / √(c_i(m−c_i) c_j(m−c_j)).
      const n11 = packed!.n11(i, j);
      const d = den[i] * den[j];
      v = d > 0 ? (m * n11 - sum[i] * sum[j]) / d : NaN;
      if (v > 1) v = 1;
      else if (v < -1) v = -1;
    } else if (dotPath && p.fast[i] === 1 && p.fast[j] === 1) {
      const oi = i * m;
      const oj = j * m;
      let d = 0;
      for (let a = 0; a < m; a++) d += t[oi + a] * t[oj + a];
      v = d > 1 ? 1 : d < -1 ? -1 : d;
    } else {
      v = pairSimilarity(p, i, j);
    }
    if (values) values[q] = v;
    if (v !== v) continue;
    s += v;
    ss += v * v;
    c++;
    let b = Math.round((v - spec.lo) * scale);
    if (b < 0) b = 0;
    else if (b > spec.steps) b = spec.steps;
    hist[b]++;
  }
  const pairMean = c ? s / c : NaN;
  const pairMeanSquared = c ? ss / c : NaN;
  let mean = pairMean;
  let meanSquared = pairMeanSquared;
  if (closedMean) {
    const cf = closedFormMeans(p, closedSquared);
    if (cf) {
      mean = cf.mean;
      if (closedSquared) meanSquared = cf.meanSquared;
    }
  }
  return { mean, meanSquared, pairMean, pairMeanSquared, undefinedPairs: P - c };
}

export interface ReplicateBatch {
  from: number;
  to: number;
  /** (to − from) × 3: mean, meanSquared, undefinedPairs. */
  stats: Float64Array;
  /** (to − from) × (steps + 1) fine histograms. */
  hists: Int32Array;
}

/** Replicates [from, to) of the null described by `spec`. `tick` is called after each. */
export function runReplicates(spec: ReplicateSpec, from: number, to: number, tick?: () => void, sampler?: NullSampler): ReplicateBatch {
  const s = sampler ?? makeSampler(spec);
  const hs = histSpec(spec.metric);
  const bins = hs.steps + 1;
  const count = Math.max(0, to - from);
  const stats = new Float64Array(count * 3);
  const hists = new Int32Array(count * bins);
  const buf = new Float64Array(s.n * s.m);
  let prep: PreparedColumns | undefined;
  // 0/1 data without closed forms under Null A or curveball: both keep every column's total and
  // missing cells, so after one prepared replicate only the bits change.
  const bitSampler = spec.binary && !spec.closedMean && (s instanceof ColumnPermutationNull || s instanceof CurveballNull) ? s : null;
  for (let b = from; b < to; b++) {
    if (bitSampler && prep) {
      bitSampler.drawBits(b, prep.bits, prep.words);
    } else {
      s.draw(b, buf);
      prep = prepareColumns(spec.metric, buf, spec.m, s.n, spec.minCommon, spec.binary, prep, spec.closedMean || !spec.binary);
    }
    const r = b - from;
    const st = evaluate(prep!, spec.pairs, spec.closedMean, spec.closedSquared, hists.subarray(r * bins, (r + 1) * bins), hs);
    stats[3 * r] = st.mean;
    stats[3 * r + 1] = st.meanSquared;
    stats[3 * r + 2] = st.undefinedPairs;
    tick?.();
  }
  return { from, to, stats, hists };
}

export { binOf };
