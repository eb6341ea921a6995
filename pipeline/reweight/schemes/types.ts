import type { Clustering } from '../../cluster/index.ts';
import type { KnnGraph } from '../../index/index.ts';
import type { Rng } from '../../core/rng.ts';
import type { TargetMix } from './target-mix.ts';

/** Everything a weighting scheme may look at. Absent inputs are null; the scheme then says why it cannot apply. */
export interface SchemeInputs {
  m: number;
  n: number;
  /** m × n row-major, NaN = missing. */
  scores: Float64Array;
  semantic: Clustering | null;
  performance: Clustering | null;
  category: Clustering | null;
  knn: KnnGraph | null;
  targetMix: TargetMix | null;
  /** Partner prompts sampled per prompt for the correlation-adjusted scheme. */
  correlationSample: number;
  /** Why the semantic clusters / the kNN graph are absent, when known (used in skip reasons). */
  missing?: { semantic?: string; knn?: string };
  rng: Rng;
}

/** Weights (non-negative, summing to 1) plus a plain-language note, or the reason the scheme cannot apply. */
export type SchemeOutcome = { weights: Float64Array; note: string } | { skip: string };

export interface Scheme {
  name: string;
  describe: string;
  weights(inputs: SchemeInputs): SchemeOutcome;
}
