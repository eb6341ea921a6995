/**
 * Options of the explain stage, with the defaults written into every result (so a report can
 * say which thresholds made a prompt "hard" or a distractor "shared").
 */
import { CovaryError } from '../core/errors.ts';

export type PerfMetric = 'pearson' | 'cosine' | 'jaccard' | 'hamming';

export interface TagThresholds {
  /** A model "succeeds" on a prompt when its score is >= this (0/1 data: score 1). */
  correctThreshold: number;
  /** Hard: share of models correct < this. */
  hardThreshold: number;
  /** Format failure: share of models with no extracted answer > this. */
  formatThreshold: number;
  /** Shared wrong answer: the most common wrong answer among failing models has share >= this. */
  distractorThreshold: number;
  /** ... and at least this many failing models gave an extracted answer. */
  distractorMinFailing: number;
  /**
   * ... and the top wrong answer is more common than chance: if failing models spread uniformly
   * over the K wrong answers seen for the prompt, K × P(Binomial(f, 1/K) ≥ top) ≤ this (1 = no check).
   */
  distractorAlpha: number;
  /** Number of prompt-length quantile bins (0 = none). */
  lengthBins: number;
  /** Metadata fields used as categories; null = automatic (string fields with 2..maxCategories values). */
  categoryFields: string[] | null;
  /** Automatic category fields: at most this many distinct values. */
  maxCategories: number;
}

export interface ExplainOptions extends TagThresholds {
  metric: PerfMetric;
  /** Permutations for MRQAP, Mantel and the nearest-neighbour test. */
  permutations: number;
  /** Pair budget: all pairs when the eligible prompts have at most this many pairs, else a stratified sample of this size. */
  maxPairs: number;
  /** Share of the pair budget that kNN pairs may take at most (the rest are uniform random pairs). */
  knnShare: number;
  /** Share of the pair budget that pairs inside small failure tags may take at most. */
  tagShare: number;
  /** Nearest neighbours per prompt used for the nearest-neighbour effect. */
  nnK: number;
  /** At most this many nearest-neighbour edges enter the nearest-neighbour permutation test. */
  nnTestEdges: number;
  /** Null B samples used to estimate each pair's expected similarity (0 = no excess response). */
  nullBSamples: number;
  /** A both-in-tag / same-category predictor needs at least this many sampled pairs with value 1. */
  minTagPairs: number;
  /** Performance similarity needs at least this many models with both scores (as in correlate). */
  minCommonModels: number;
}

export const DEFAULT_OPTIONS: ExplainOptions = {
  correctThreshold: 0.5,
  hardThreshold: 0.2,
  formatThreshold: 0.25,
  distractorThreshold: 0.5,
  distractorMinFailing: 3,
  distractorAlpha: 0.01,
  lengthBins: 4,
  categoryFields: null,
  maxCategories: 30,
  metric: 'pearson',
  permutations: 999,
  maxPairs: 30_000,
  knnShare: 0.4,
  tagShare: 0.2,
  nnK: 5,
  nnTestEdges: 20_000,
  nullBSamples: 40,
  minTagPairs: 10,
  minCommonModels: 5,
};

function check(cond: boolean, field: string, msg: string): void {
  if (!cond) throw new CovaryError(msg, { field });
}

/** Fill defaults and validate (one clear error per bad option). */
export function resolveOptions(partial: Partial<ExplainOptions>): ExplainOptions {
  const o: ExplainOptions = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  const unit = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;
  check(unit(o.correctThreshold), '--correct-threshold', `must be in [0, 1], got ${o.correctThreshold}`);
  check(unit(o.hardThreshold), '--hard-threshold', `must be in [0, 1], got ${o.hardThreshold}`);
  check(unit(o.formatThreshold), '--format-threshold', `must be in [0, 1], got ${o.formatThreshold}`);
  check(unit(o.distractorThreshold), '--distractor-threshold', `must be in [0, 1], got ${o.distractorThreshold}`);
  check(Number.isInteger(o.distractorMinFailing) && o.distractorMinFailing >= 1, '--distractor-min-failing', `must be an integer >= 1, got ${o.distractorMinFailing}`);
  check(Number.isFinite(o.distractorAlpha) && o.distractorAlpha > 0 && o.distractorAlpha <= 1, '--distractor-alpha', `must be in (0, 1], got ${o.distractorAlpha}`);
  check(Number.isInteger(o.lengthBins) && o.lengthBins >= 0 && o.lengthBins <= 20, '--length-bins', `must be an integer in [0, 20], got ${o.lengthBins}`);
  check(Number.isInteger(o.maxCategories) && o.maxCategories >= 2, '--max-categories', `must be an integer >= 2, got ${o.maxCategories}`);
  check(['pearson', 'cosine', 'jaccard', 'hamming'].includes(o.metric), '--metric', `must be pearson, cosine, jaccard or hamming, got ${o.metric}`);
  check(Number.isInteger(o.permutations) && o.permutations >= 0, '--permutations', `must be an integer >= 0, got ${o.permutations}`);
  check(Number.isInteger(o.maxPairs) && o.maxPairs >= 100, '--max-pairs', `must be an integer >= 100, got ${o.maxPairs}`);
  check(Number.isFinite(o.knnShare) && o.knnShare >= 0 && o.knnShare <= 0.9, '--knn-share', `must be in [0, 0.9], got ${o.knnShare}`);
  check(Number.isFinite(o.tagShare) && o.tagShare >= 0 && o.tagShare <= 0.5, '--tag-share', `must be in [0, 0.5], got ${o.tagShare}`);
  check(o.knnShare + o.tagShare <= 0.9, '--knn-share', `--knn-share + --tag-share must leave at least 10% of the budget to random pairs (got ${o.knnShare + o.tagShare})`);
  check(Number.isInteger(o.nnK) && o.nnK >= 1, '--nn-k', `must be an integer >= 1, got ${o.nnK}`);
  check(Number.isInteger(o.nnTestEdges) && o.nnTestEdges >= 10, '--nn-test-edges', `must be an integer >= 10, got ${o.nnTestEdges}`);
  check(Number.isInteger(o.nullBSamples) && o.nullBSamples >= 0, '--null-b-samples', `must be an integer >= 0, got ${o.nullBSamples}`);
  check(Number.isInteger(o.minTagPairs) && o.minTagPairs >= 1, '--min-tag-pairs', `must be an integer >= 1, got ${o.minTagPairs}`);
  check(Number.isInteger(o.minCommonModels) && o.minCommonModels >= 1, '--min-common-models', `must be an integer >= 1, got ${o.minCommonModels}`);
  if (o.categoryFields !== null) check(Array.isArray(o.categoryFields), '--category-fields', 'must be a list of metadata field names');
  return o;
}
