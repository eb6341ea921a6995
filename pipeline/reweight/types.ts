/** The reweight stage's result (reweight.json `result`); the report reuses these field names. */

export interface ModelRow {
  model: string;
  /** Weighted score under the scheme (weights renormalised over the prompts the model has). */
  score: number;
  /** 95% percentile interval from the prompt bootstrap. */
  ciLow: number;
  ciHigh: number;
  /**
   * 95% cluster-robust interval: percentile interval of the pairs cluster bootstrap (whole clusters
   * resampled) with --cluster-method pairs, wild cluster bootstrap-t by default (bootstrap.clusterMethod); null when unavailable.
   */
  clusterCiLow: number | null;
  clusterCiHigh: number | null;
  /** Standard deviation of the prompt-bootstrap replicates. */
  bootstrapSe: number;
  clusterBootstrapSe: number | null;
  /** Clustered (CR1) standard error on the bootstrap clusters. */
  clusteredSe: number | null;
  /** Competition rank, 1 = best. */
  rank: number;
  /**
   * 95% confidence sets for the rank (Mogstad et al. 2024, step-down), [low, high] with 1 = best,
   * from the cluster bootstrap (prompt bootstrap when there are no clusters). Marginal: covers this
   * model's rank; simultaneous: all models' sets cover their ranks jointly. Null when the model has
   * no score under the scheme.
   */
  rankSet: { marginal: [number, number] | null; simultaneous: [number, number] | null };
  /** 2.5th / 97.5th percentile of the model's rank over prompt-bootstrap replicates (descriptive: under-covers near ties). */
  rankLow: number;
  rankHigh: number;
  clusterRankLow: number | null;
  clusterRankHigh: number | null;
  /** Share of prompt-bootstrap replicates in which the model ranks first (ties included). */
  pRank1: number;
  uniformScore: number;
  uniformRank: number;
  /** score − uniform score. */
  deltaScore: number;
  /** deltaScore / uniform score (null when the uniform score is 0). */
  relDeltaScore: number | null;
  /** 95% interval of the paired (same resampled prompts) bootstrap difference against uniform. */
  deltaScoreCiLow: number;
  deltaScoreCiHigh: number;
  /** The same paired difference's 95% cluster-robust interval (same method as clusterCiLow); null for uniform or without clusters. */
  clusterDeltaCiLow: number | null;
  clusterDeltaCiHigh: number | null;
  /** rank − uniform rank: negative = moved up. */
  deltaRank: number;
  /** Descriptive: 95th percentile of |rank difference| between two independent prompt-bootstrap replicates of this scheme (not a test). */
  rankNoise: number;
  /** The model is in a controlled significant swap with another model under this scheme (see SchemeResult.swaps). */
  rankChangeBeyondNoise: boolean;
  /** The paired interval of deltaScore excludes 0. */
  scoreChangeBeyondNoise: boolean;
  /** Share of the scheme's weight on prompts the model has no result for. */
  missingWeight: number;
  /** Kish effective sample size of the weights over the model's prompts. */
  kish: number;
}

export interface NoiseFloor {
  /** Replicate pairs compared (independent pairs of prompt-bootstrap replicates of the same scheme). */
  pairs: number;
  tauMedian: number;
  tauP05: number;
  maxAbsRankShiftMedian: number;
  maxAbsRankShiftP95: number;
  topKOverlapMedian: number;
}

/** A pair of models whose order differs between uniform and a scheme. */
export interface SwapRow {
  /** [ahead under uniform, ahead under the scheme]. */
  models: [string, string];
  uniformRanks: [number, number];
  ranks: [number, number];
  /** Score difference first − second under uniform (> 0) and under the scheme (< 0). */
  uniformGap: number;
  gap: number;
  /** Two-sided paired-bootstrap p-value of the difference-in-differences (gap under the scheme − gap under uniform). */
  p: number;
  /** Step-down max-t adjusted p-value: family-wise error over all schemes × model pairs. */
  pAdjusted: number;
  /** pAdjusted ≤ alpha: the re-weighting moves this pair's gap beyond noise, across zero (a controlled swap). */
  significant: boolean;
  /** Intersection-union p of "both weightings order the pair the same way": the larger one-sided p of the two orders (unadjusted). */
  pOrder: number;
}

export interface SchemeResult {
  name: string;
  describe: string;
  note: string;
  /** The scheme's weights equal uniform's here (e.g. categories of equal size). */
  sameAsUniform: boolean;
  /** Kish effective sample size of the scheme's weights over all prompts. */
  kish: number;
  /** Largest single prompt weight times n (1 = a uniform prompt's weight). */
  maxWeightRatio: number;
  /** Kendall τ_b between this scheme's scores and uniform's. */
  kendallTau: number;
  /** Median τ_b between two prompt-bootstrap replicates of this scheme. */
  noiseFloorTau: number;
  /** Descriptive: share of pairs of independent replicates of this scheme whose τ_b is at or below kendallTau (not a paired test). */
  tauNoiseShare: number;
  maxAbsRankShift: number;
  topKOverlap: number;
  noise: NoiseFloor;
  /** Same noise statistics from the cluster bootstrap (null when no clusters). */
  clusterNoise: NoiseFloor | null;
  maxAbsDeltaScore: number;
  maxAbsRelDeltaScore: number;
  /** Models in at least one significant swap under this scheme. */
  modelsRankBeyondNoise: number;
  modelsScoreBeyondNoise: number;
  /** Models that may be the best under this scheme (simultaneous rank set starts at 1; csranks cstaubest, τ = 1). */
  tauBest: string[];
  /** Pairs whose point estimates change order against uniform. */
  pointSwaps: number;
  /** Pairs that change order significantly (family-wise error ≤ alpha over all schemes × pairs). */
  significantSwaps: number;
  /** The significant swaps, then up to 5 non-significant ones with the smallest adjusted p. */
  swaps: SwapRow[];
  largestRankChange: { model: string; deltaRank: number; beyondNoise: boolean } | null;
  largestScoreChange: { model: string; deltaScore: number; relDeltaScore: number | null; beyondNoise: boolean } | null;
  models: ModelRow[];
}

export interface ReweightResult {
  models: number;
  prompts: number;
  topK: number;
  bootstrap: {
    replicates: number;
    /** Clustering whose clusters the cluster bootstrap and clustered SE resample. */
    clusterSource: 'inference' | 'semantic' | 'category' | 'performance' | null;
    clusters: number | null;
    /** wild: wild cluster bootstrap-t (the default); pairs: whole clusters resampled (percentile intervals). */
    clusterMethod: 'pairs' | 'wild' | null;
    /** Wild weights: Rademacher, or Webb's 6-point below 12 clusters. */
    wildWeights: 'rademacher' | 'webb' | null;
    /** What the inference partition was built from (when clusterSource is inference). */
    inferenceBasis: 'semantic' | 'category' | 'performance' | null;
    /** Why that partition (from the cluster stage), for the methods text. */
    inferenceReason: string | null;
    /** Which interval ciLow/ciHigh and rankLow/rankHigh are: the prompt bootstrap. */
    primary: 'prompt';
  };
  /** How rank sets and swaps were computed. */
  rankInference: {
    alpha: number;
    /** step-down: pairwise step-down max-t (csranks); projection: simultaneous intervals, above EXACT_RANK_MODELS models. */
    method: 'step-down' | 'projection';
    bootstrap: 'cluster' | 'prompt';
    /** C − 1 when the SEs rest on C clusters: observed t's are referred to t(C − 1); null for the prompt bootstrap. */
    df?: number | null;
    /** How the cluster replicates behind rank inference were made (pairs below FEW_CLUSTERS even when intervals are wild). */
    clusterMethod?: 'wild' | 'pairs' | null;
    /** Ordered-pair hypotheses (uniform and every scheme not identical to it) the swap p-values are adjusted over. */
    swapFamily: number;
    swapSchemes: string[];
  };
  /** Models that may be the best under uniform weighting. */
  tauBest: string[];
  schemes: SchemeResult[];
  skipped: { name: string; reason: string }[];
  notes: string[];
}
