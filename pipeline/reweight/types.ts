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
  /** 2.5th / 97.5th percentile of the model's rank over prompt-bootstrap replicates. */
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
  /** 95th percentile of |rank difference| between two bootstrap replicates of this same scheme. */
  rankNoise: number;
  /** |deltaRank| exceeds rankNoise: the move is larger than resampling the same scheme produces. */
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
  /** Share of replicate pairs whose τ_b is at or below kendallTau (small = the change exceeds noise). */
  tauNoiseShare: number;
  maxAbsRankShift: number;
  topKOverlap: number;
  noise: NoiseFloor;
  /** Same noise statistics from the cluster bootstrap (null when no clusters). */
  clusterNoise: NoiseFloor | null;
  maxAbsDeltaScore: number;
  maxAbsRelDeltaScore: number;
  modelsRankBeyondNoise: number;
  modelsScoreBeyondNoise: number;
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
  schemes: SchemeResult[];
  skipped: { name: string; reason: string }[];
  notes: string[];
}
