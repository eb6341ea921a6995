/**
 * The versioned schema of report.json — the contract other tools rely on. `covary schema` prints
 * it as JSON Schema; the report builder validates every report against it before writing.
 * Numbers that could not be computed are null (JSON has no NaN).
 */
import { z } from 'zod';

export const REPORT_SCHEMA_VERSION = 1;

const num = z.number().nullable();
const stageStatus = z.looseObject({ status: z.enum(['ok', 'skipped', 'missing', 'not-built']), reason: z.string().nullable() });

export const NullComparisonSchema = z.looseObject({ observed: num, nullMean: num, nullSd: num, z: num, p: num });

const NullBlockSchema = z.looseObject({
  observed: num,
  nullMean: num,
  nullSd: num,
  z: num,
  p: num,
  replicates: z.number().int(),
  meanSquared: NullComparisonSchema.nullable(),
  ks: NullComparisonSchema.extend({ D: num }).nullable(),
  method: z.string(),
});

const HistogramSchema = z.looseObject({ edges: z.array(z.number()), observed: z.array(num), nullA: z.array(num).nullable(), nullB: z.array(num).nullable() });

export const CorrelationSectionSchema = z.looseObject({
  metric: z.string(),
  promptsUsed: z.number().int(),
  zeroVariance: z.looseObject({ total: z.number().int(), allCorrect: z.number().int(), allWrong: z.number().int() }),
  pairs: z.looseObject({ evaluated: z.number().int(), exact: z.boolean(), lackingCommonModels: z.number().int() }),
  meanSimilarity: num,
  meanSquaredSimilarity: num,
  nullA: NullBlockSchema,
  nullB: NullBlockSchema,
  /**
   * Null C (one ability axis, the irt stage's parametric bootstrap), shaped as nullA/nullB; null or
   * absent when the irt stage did not run or could not compute it (the reason is in stages.irt).
   */
  nullC: NullBlockSchema.nullable(),
  ks: z.looseObject({ nullA: num, nullB: num }),
  histogram: HistogramSchema.nullable(),
  /** Present when models × prompts exceed correlate's --max-test-cells: the tests ran on a seeded prompt sample. */
  testPrompts: z.looseObject({ sampled: z.number().int(), of: z.number().int(), pairsAmong: z.number(), maxTestCells: z.number() }).optional(),
});

const ClusterSchema = z.looseObject({ id: z.number().int(), size: z.number().int(), label: z.string(), examples: z.array(z.string()) });
const ClusteringSectionSchema = z.looseObject({
  k: z.number().int(),
  silhouette: num,
  stabilityAri: num,
  clusters: z.array(ClusterSchema),
});

export const ClusterSectionSchema = z.looseObject({
  semantic: ClusteringSectionSchema.nullable(),
  performance: ClusteringSectionSchema.nullable(),
  category: ClusteringSectionSchema.nullable(),
  notes: z.array(z.string()),
});

/** [low, high] bounds of a rank confidence set, 1 = best. */
const rankInterval = z.tuple([z.number().int(), z.number().int()]);

const SwapSchema = z.looseObject({
  models: z.tuple([z.string(), z.string()]),
  uniformRanks: z.tuple([z.number(), z.number()]),
  ranks: z.tuple([z.number(), z.number()]),
  p: z.number(),
  pAdjusted: z.number(),
  pOrder: z.number(),
  significant: z.boolean(),
});

const ModelRowSchema = z.looseObject({
  model: z.string(),
  score: num,
  ciLow: num,
  ciHigh: num,
  clusterCiLow: num,
  clusterCiHigh: num,
  clusterDeltaCiLow: num.optional(),
  clusterDeltaCiHigh: num.optional(),
  clusteredSe: num,
  rank: num,
  rankSet: z.looseObject({ marginal: rankInterval.nullable(), simultaneous: rankInterval.nullable() }),
  rankLow: num,
  rankHigh: num,
  pRank1: num,
  deltaScore: num,
  deltaRank: num,
  beyondNoise: z.boolean().nullable(),
  missingWeight: num,
});

const SchemeSchema = z.looseObject({
  name: z.string(),
  description: z.string(),
  kendallTau: num,
  noiseFloorTau: num,
  maxAbsRankShift: num,
  noiseFloorMaxAbsRankShift: num,
  top5Overlap: num,
  effectiveSampleSize: num,
  tauBest: z.array(z.string()),
  pointSwaps: z.number().int(),
  significantSwaps: z.number().int(),
  swaps: z.array(SwapSchema),
  models: z.array(ModelRowSchema),
});

export const ReweightingSectionSchema = z.looseObject({
  bootstrap: z.number().int(),
  rankInference: z.looseObject({ alpha: z.number(), method: z.enum(['step-down', 'projection']).optional(), bootstrap: z.enum(['cluster', 'prompt']), df: z.number().int().nullable().optional(), clusterMethod: z.enum(['wild', 'pairs']).nullable().optional(), swapFamily: z.number().int(), swapSchemes: z.array(z.string()) }),
  tauBest: z.array(z.string()),
  /** The partition behind the cluster intervals and CR1, how the intervals were made, and why. */
  clusterInference: z
    .looseObject({
      source: z.string(),
      basis: z.string().nullable(),
      clusters: z.number().int(),
      method: z.enum(['pairs', 'wild']),
      wildWeights: z.enum(['rademacher', 'webb']).nullable(),
      fewClusters: z.boolean(),
      reason: z.string().nullable(),
    })
    .nullable()
    .optional(),
  schemes: z.array(SchemeSchema),
  skipped: z.array(z.looseObject({ name: z.string(), reason: z.string() })),
});

const TagSchema = z.looseObject({ tag: z.string(), kind: z.string(), count: z.number().int(), share: num, meanAccuracy: num, withinSimilarity: num, outsideSimilarity: num });

const RegressionBlockSchema = z.looseObject({
  response: z.string(),
  r2: num,
  partialR2: z.looseObject({ semantic: num, failure: num, difficulty: num }),
  mantel: z.looseObject({ r: num, p: num }),
  coefficients: z.array(z.looseObject({ name: z.string(), block: z.string(), estimate: num, p: num })),
});

export const ExplanationSectionSchema = z.looseObject({
  response: z.string(),
  /** residual-similarity: Q3 after the irt stage's one-ability fit (co-variation beyond model strength); performance-similarity: raw similarity (no usable irt result). */
  responseKind: z.enum(['residual-similarity', 'performance-similarity']),
  /** With the residual response, the same regression for raw performance similarity (secondary table); null otherwise. */
  performanceSimilarity: RegressionBlockSchema.nullable(),
  pairs: z.looseObject({ used: z.number().int(), sampled: z.boolean() }),
  permutations: z.number().int(),
  r2: num,
  partialR2: z.looseObject({ semantic: num, failure: num, difficulty: num }),
  /**
   * r and p: the sampled pairs' estimate (as in explain.json); rAllPairs / pAllPairs: the exact
   * statistic over every pair and its own permutation p, when computed. `lead` says which the report shows first.
   */
  mantel: z.looseObject({
    r: num,
    p: num,
    rAllPairs: num.optional(),
    allPairs: z.number().int().nullable().optional(),
    pAllPairs: num.optional(),
    allPairsPermutations: z.number().int().nullable().optional(),
    lead: z.enum(['all-pairs', 'sample']).optional(),
  }),
  coefficients: z.array(z.looseObject({ name: z.string(), block: z.string(), estimate: num, p: num })),
  excessOverNullB: z
    .looseObject({ r2: num, partialR2: z.looseObject({ semantic: num, failure: num, difficulty: num }), coefficients: z.array(z.looseObject({ name: z.string(), estimate: num, p: num })) })
    .nullable(),
  tags: z.array(TagSchema),
  thresholds: z.record(z.string(), z.number()),
  semanticDeciles: z.array(z.looseObject({ decile: z.number().int(), semanticLow: num, semanticHigh: num, meanSimilarity: num, pairs: z.number().int() })),
  nearestNeighbours: z.looseObject({ meanSimilarity: num, randomMeanSimilarity: num, p: num }).nullable(),
  notes: z.array(z.string()),
});

const IrtCvRowSchema = z.looseObject({ k: z.number().int(), model: z.string(), loss: num, se: num, seVsBest: num, lambda: num, chosen: z.boolean() });

const ResidualGroupSchema = z.looseObject({
  id: z.number().int(),
  size: z.number().int(),
  /** Mean Q3 (residual correlation) over pairs within the group. */
  strength: num,
  /** Distinctive words of the group's prompt texts (as semantic cluster labels are made), else its ids. */
  label: z.string(),
  /** Openings of the prompts whose residuals follow the group's mean residual most closely. */
  examples: z.array(z.string()),
  /** The semantic clusters (or given categories) its prompts fall in, largest share first. */
  composition: z.array(z.looseObject({ label: z.string(), share: z.number() })),
  compositionSource: z.enum(['semantic', 'category']).nullable(),
  ids: z.array(z.string()),
});

/** The irt stage (METHOD §2b): unidimensional fit, Null C, cross-validated dimension, Q3, residual groups. */
export const IrtSectionSchema = z.looseObject({
  model: z.string(),
  binary: z.boolean(),
  models: z.number().int(),
  prompts: z.looseObject({ total: z.number().int(), estimated: z.number().int() }),
  prior: z.looseObject({ kind: z.enum(['default', 'none']), logA: z.looseObject({ mean: num, sd: num }).nullable(), b: z.looseObject({ mean: num, sd: num }).nullable() }),
  guessing: z.looseObject({ mode: z.enum(['none', 'auto', 'fixed']), value: num, promptsWithGuessing: z.number().int() }),
  quadrature: z.looseObject({ kind: z.string(), points: z.number().int() }),
  convergence: z.looseObject({ converged: z.boolean(), iterations: z.number().int(), maxChange: num, maxGradient: num }),
  /** Present above the fit's cell cap: the EM ran on this seeded prompt sample, then every prompt was fitted given its abilities (pipeline/irt/fit-at-scale.ts). */
  fitSample: z.looseObject({ prompts: z.number().int(), of: z.number().int(), maxCells: z.number() }).optional(),
  /** Marginal log-likelihood at the estimates (prior terms excluded). */
  logLik: num,
  /** The chosen number of ability dimensions (smallest k within one SE of the best held-out loss); null when not cross-validated. */
  dimension: z.number().int().nullable(),
  crossValidationLoss: z.enum(['log-loss', 'mse']).nullable(),
  crossValidation: z.array(IrtCvRowSchema),
  nullC: NullBlockSchema.nullable(),
  nullCDiscriminationBias: num,
  q3: z
    .looseObject({
      pairs: z.number().int(),
      exact: z.boolean(),
      observed: z.looseObject({ mean: num, meanSquared: num, p99: num, max: num }),
      /** meanSquaredNormalP: the mean square's one-sided p from its z against a normal — the Q3 test of verdict.families (at 0.025, Bonferroni with null C). */
      nullC: z.looseObject({ replicates: z.number().int(), mean: NullComparisonSchema, meanSquared: NullComparisonSchema, meanSquaredNormalP: num, p99: num }),
      pairsAboveNullP99: z.number().int(),
      expectedAboveNullP99: num,
    })
    .nullable(),
  residualGroups: z.array(ResidualGroupSchema),
  /** One entry per prompt, in the benchmark's order: difficulty b_i and discrimination a_i (null when not estimated). */
  items: z.array(z.looseObject({ id: z.string(), difficulty: num, discrimination: num, guessing: num.optional() })),
  abilities: z.array(z.looseObject({ model: z.string(), theta: num, sd: num })),
  /** The item parameters as CSV, relative to the report folder (null when the file is absent). */
  itemsCsv: z.string().nullable(),
  /** The irt stage's own verdict and reason (the report's verdict.families may add Null B from a later correlate run). */
  stageFamilies: z.enum(['none', 'discrimination-only', 'families']).nullable(),
  stageFamiliesReason: z.string(),
  notes: z.array(z.string()),
});

export const ReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  covaryVersion: z.string(),
  benchmark: z.looseObject({
    name: z.string(),
    models: z.number().int(),
    prompts: z.number().int(),
    missingCells: z.number().int(),
    droppedPrompts: z.number().int(),
    format: z.string(),
    binaryScores: z.boolean(),
    promptsWithText: z.number().int(),
    hasAnswers: z.boolean(),
    dropped: z.array(z.looseObject({ what: z.string(), id: z.string().nullable(), count: z.number().nullable(), reason: z.string() })),
    modelMeans: z.array(z.looseObject({ model: z.string(), mean: num, items: z.number().int() })),
  }),
  verdict: z.looseObject({
    correlationBeyondChance: z.boolean().nullable(),
    correlationBeyondModelStrength: z.boolean().nullable(),
    rankingsMoveBeyondNoise: z.boolean().nullable(),
    largestRankShiftBeyondNoise: num,
    semanticPartialR2: num,
    /** Issue #11: is there co-variation beyond one ability axis? null when the irt stage gave no verdict (reason in familiesReason). */
    families: z.enum(['none', 'discrimination-only', 'families']).nullable(),
    familiesReason: z.string(),
    sentences: z.array(z.string()),
  }),
  stages: z.record(z.string(), stageStatus),
  embedding: z.looseObject({ model: z.string(), modelHash: z.string(), dims: z.number().int(), maxTokens: z.number().int() }).nullable(),
  index: z.looseObject({ k: z.number().int(), method: z.string(), recallAtK: num, nearDuplicates: z.number().int(), nearDuplicateThreshold: num, nearDuplicateExamples: z.array(z.looseObject({ a: z.string(), b: z.string(), cosine: num })) }).nullable(),
  correlation: CorrelationSectionSchema.nullable(),
  clusters: ClusterSectionSchema.nullable(),
  reweighting: ReweightingSectionSchema.nullable(),
  explanation: ExplanationSectionSchema.nullable(),
  /** Null when the irt stage was not run or was skipped (the reason is in stages.irt). */
  irt: IrtSectionSchema.nullable(),
  /**
   * Files beside report.md that the page points to, relative to it. modelsCsv: every model's
   * numbers, written when the page's tables show a selection of the models (more than 40).
   * Absent when there are none.
   */
  files: z.looseObject({ modelsCsv: z.string() }).optional(),
  figures: z.array(z.looseObject({ file: z.string(), title: z.string(), caption: z.string() })),
  /** Figures with nothing to show, left out (never drawn empty), and why. */
  figuresLeftOut: z.array(z.looseObject({ file: z.string(), title: z.string(), reason: z.string() })).optional(),
  methods: z.string(),
  reproducibility: z.looseObject({
    covaryVersion: z.string(),
    seed: z.number(),
    commandLine: z.string(),
    datasetHash: z.string(),
    inputs: z.array(z.looseObject({ path: z.string(), sha256: z.string(), role: z.string() })),
    stageOptions: z.record(z.string(), z.record(z.string(), z.unknown())),
  }),
});

export type Report = z.infer<typeof ReportSchema>;
export type CorrelationSection = z.infer<typeof CorrelationSectionSchema>;
export type ClusterSection = z.infer<typeof ClusterSectionSchema>;
export type ReweightingSection = z.infer<typeof ReweightingSectionSchema>;
export type ExplanationSection = z.infer<typeof ExplanationSectionSchema>;
export type IrtSection = z.infer<typeof IrtSectionSchema>;

export function reportJsonSchema(): unknown {
  return { ...(z.toJSONSchema(ReportSchema) as object), $id: `https://covary.dev/schema/report-v${REPORT_SCHEMA_VERSION}.json`, title: 'covary report.json' };
}
