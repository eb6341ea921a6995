/**
 * Public face of the correlate stage. Contract fixed early; implementation lands with issue #4.
 */
export type SimilarityMetric = 'pearson' | 'cosine' | 'jaccard' | 'hamming';

/** One statistic against one null distribution. p = (1 + #{null >= observed}) / (B + 1). */
export interface NullComparison {
  observed: number;
  nullMean: number;
  nullSd: number;
  z: number;
  p: number;
}
