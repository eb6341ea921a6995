/**
 * Public face of the correlate stage: performance similarity between prompts and its
 * significance under two nulls (METHOD §1–2). Later stages (reweight, explain, report) read the
 * stored result through `loadCorrelation`; explain uses `nullBPairExpectation` for "excess over
 * Null B".
 */
import type { ArtifactStore } from '../core/store.ts';
import type { Rng } from '../core/rng.ts';
import { CovaryError } from '../core/errors.ts';
import { isBinary } from '../core/dataset.ts';
import type { CurveballMixing } from './nulls/curveball.ts';
import { CurveballNull, diagnoseCurveball, encodeBinary } from './nulls/curveball.ts';
import { ResidualPermutationNull } from './nulls/residual.ts';
import type { NullSampler } from './nulls/types.ts';
import { FastRng } from './fast-rng.ts';
import { prepareColumns, pairSimilarity, type PreparedColumns } from './similarity.ts';

export type SimilarityMetric = 'pearson' | 'cosine' | 'jaccard' | 'hamming';

/** One statistic against one null distribution. p = (1 + #{null >= observed}) / (B + 1). */
export interface NullComparison {
  observed: number;
  nullMean: number;
  nullSd: number;
  /** (observed − nullMean) / nullSd; NaN (null in JSON) when the null has no spread. */
  z: number;
  p: number;
}

export interface CurveballDiagnostics extends CurveballMixing {
  /** Lag-1 autocorrelation of the statistics along one chain sampled every `lag` trades. */
  autocorrelation: { lag: number; mean: number; meanSquared: number; points: number };
}

/** A null's test: the top-level fields are the mean-similarity statistic. */
export interface NullTest extends NullComparison {
  /** 'column-permutation' (Null A), 'curveball' (Null B, 0/1) or 'residual-permutation' (Null B, graded). */
  method: string;
  B: number;
  meanSquared: NullComparison;
  /** KS distance between the observed pairwise distribution and the pooled null one (observed = D). */
  ks: NullComparison & { D: number };
  /** Null B with the curveball only. */
  mixing?: CurveballDiagnostics;
}

export interface CorrelationResult {
  metric: SimilarityMetric;
  minCommonModels: number;
  binary: boolean;
  models: number;
  prompts: {
    total: number;
    /** Prompts in the similarity statistics (observed by enough models, not constant). */
    used: number;
    dropped: number;
    zeroVariance: { allCorrect: number; allWrong: number; constant: number; total: number };
    tooFewModels: number;
  };
  missing: { cells: number; share: number; incompletePromptsUsed: number };
  pairs: {
    /** n_used (n_used − 1) / 2. */
    total: number;
    /** True when the distribution statistics use every pair. */
    exact: boolean;
    sampled: number;
    undefinedInSample: number;
    /** Exact counts from the all-pairs top-k pass. */
    allPairs: { visited: number; lackingCommonModels: number; undefinedOther: number };
  };
  /** How the tests' statistics are computed: 'closed-form' (METHOD §1), 'all-pairs' or 'pair-sample' (+ '-on-prompt-sample' with testPrompts). */
  estimators: { mean: string; meanSquared: string; distribution: string };
  /**
   * Present when models × used prompts exceed `maxTestCells`: the statistics and nulls use a seeded
   * sample of `sampled` of the `of` used prompts and `pairsAmong` possible pairs among them.
   */
  testPrompts?: { sampled: number; of: number; pairsAmong: number; maxTestCells: number };
  observed: {
    /** The test statistics (closed form when available). */
    mean: number;
    meanSquared: number;
    /** Over the pairs (sample or all). */
    pairMean: number;
    pairMeanSquared: number;
    sd: number;
    quantiles: Record<'p01' | 'p05' | 'p25' | 'p50' | 'p75' | 'p95' | 'p99', number>;
    /** Exact means from the closed forms (no missing data, Pearson or cosine), else null. */
    closedForm: { mean: number; meanSquared: number } | null;
  };
  nullA: NullTest;
  nullB: NullTest;
  /** Shares per bin (sum 1) over `bins` equal bins of [lo, hi]: observed pairs and each null pooled. */
  histograms: { lo: number; hi: number; bins: number; observed: number[]; nullA: number[]; nullB: number[] };
  topK: { k: number };
  heatmap: { size: number };
  seed: number;
  notes: string[];
}

export interface CorrelationArtifact {
  result: CorrelationResult;
  options: Record<string, unknown>;
  /** n × k dataset item indices, most similar first (−1 pads; rows of unused prompts are all −1). */
  topK: { k: number; indices: Int32Array; values: Float32Array };
  /** A random sample of used prompts (dataset indices) and their h × h similarity matrix. */
  heatmap: { items: Int32Array; values: Float32Array } | null;
  /** B × 3 per null: each replicate's mean, mean squared similarity and KS D. */
  replicates: { nullA: Float64Array; nullB: Float64Array } | null;
}

/** The stored correlate result, or null when the stage was skipped. Throws when it has not been run. */
export async function loadCorrelation(store: ArtifactStore, bench: string): Promise<CorrelationArtifact | null> {
  const a = await store.requireStage<CorrelationResult>(bench, 'correlate', 'this step');
  if (a.status === 'skipped') return null;
  const need = async (key: string) => {
    const ref = a.binaries[key];
    if (!ref) throw new CovaryError(`correlate result lacks its ${key} array`, { file: store.stagePath(bench, 'correlate') }, `re-run covary correlate --name ${bench} --force`);
    return store.readBinary(bench, ref);
  };
  const opt = async (key: string) => (a.binaries[key] ? store.readBinary(bench, a.binaries[key]) : null);
  const hi = await opt('heatmap-items');
  const hv = await opt('heatmap-values');
  const ra = await opt('nullA-replicates');
  const rb = await opt('nullB-replicates');
  return {
    result: a.result,
    options: a.options,
    topK: { k: a.result.topK.k, indices: (await need('topk-indices')) as Int32Array, values: (await need('topk-values')) as Float32Array },
    heatmap: hi && hv ? { items: hi as Int32Array, values: hv as Float32Array } : null,
    replicates: ra && rb ? { nullA: ra as Float64Array, nullB: rb as Float64Array } : null,
  };
}

export { nullBPairExpectation, nullBPairExpectationParallel } from './pair-expectation.ts';

export { pearson, cosineSimilarity, jaccard, hamming, similarity, prepareColumns, pairSimilarity, closedFormMeans } from './similarity.ts';
export { curveball, curveballTrade, diagnoseCurveball, encodeBinary, CurveballNull } from './nulls/curveball.ts';
export type { CurveballMixing } from './nulls/curveball.ts';
export { prepareColumns as preparePromptSimilarity, pairSimilarity as promptSimilarity, type PerfColumns as PromptSimilarityColumns } from './prompt-similarity.ts';
export { ColumnPermutationNull } from './nulls/shuffle.ts';
export { ResidualPermutationNull, fitAdditive } from './nulls/residual.ts';
export { correlate, DEFAULT_OPTIONS, type CorrelateOptions, type CorrelateOutput } from './analyze.ts';
