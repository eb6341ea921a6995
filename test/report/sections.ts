/** Hand-made report sections for the verdict and index-page tests (numbers chosen to be checkable). */
import type { CorrelationSection, ExplanationSection, Report, ReweightingSection } from '../../pipeline/report/schema.ts';
import { REPORT_SCHEMA_VERSION } from '../../pipeline/report/schema.ts';

type Cmp = { observed: number | null; nullMean: number | null; nullSd: number | null; z: number | null; p: number | null };

const cmp = (observed: number, nullMean: number, nullSd: number, p: number): Cmp => ({ observed, nullMean, nullSd, z: (observed - nullMean) / nullSd, p });

export function correlation(o: { aP: number; bP: number; bMeanSquaredP?: number | null; B?: number }): CorrelationSection {
  const B = o.B ?? 999;
  const block = (p: number, msP: number | null, method: string) => ({
    ...cmp(0.12, 0.02, 0.004, p),
    replicates: B,
    method,
    meanSquared: msP === null ? null : cmp(0.09, 0.05, 0.002, msP),
    ks: { ...cmp(0.3, 0.1, 0.01, p), D: 0.3 },
  });
  return {
    metric: 'pearson',
    promptsUsed: 100,
    zeroVariance: { total: 3, allCorrect: 2, allWrong: 1 },
    pairs: { evaluated: 4950, exact: true, lackingCommonModels: 0 },
    meanSimilarity: 0.12,
    meanSquaredSimilarity: 0.09,
    nullA: block(o.aP, 0.001, 'column-permutation'),
    nullB: block(o.bP, o.bMeanSquaredP === undefined ? o.bP : o.bMeanSquaredP, 'curveball'),
    nullC: null,
    ks: { nullA: 0.3, nullB: 0.2 },
    histogram: null,
  };
}

export interface ModelMove {
  model: string;
  rank: number;
  deltaRank: number;
  beyondNoise: boolean;
}

function modelRow(model: string, rank: number, deltaRank: number | null, beyondNoise: boolean | null): ReweightingSection['schemes'][number]['models'][number] {
  return { model, score: 1 - rank / 10, ciLow: 0.5 - rank / 20, ciHigh: 1 - rank / 20, clusterCiLow: null, clusterCiHigh: null, clusteredSe: null, rank, rankSet: { marginal: [Math.max(1, rank - 1), rank + 1], simultaneous: [Math.max(1, rank - 2), rank + 2] }, rankLow: rank, rankHigh: rank + 1, pRank1: rank === 1 ? 0.9 : 0, deltaScore: 0, deltaRank, beyondNoise, missingWeight: 0 };
}

/**
 * A move beyond noise becomes a significant swap of the mover with the model whose uniform rank it
 * takes (adjusted p 0.01); a move within noise a non-significant one (adjusted p 0.4).
 */
function swapsOf(moves: ModelMove[]): ReweightingSection['schemes'][number]['swaps'] {
  return moves
    .filter((mv) => mv.deltaRank !== 0)
    .map((mv) => {
      const from = mv.rank - mv.deltaRank;
      const other = `model-${mv.rank}`;
      const rose = mv.deltaRank < 0;
      return {
        models: rose ? [other, mv.model] : [mv.model, other],
        uniformRanks: rose ? [mv.rank, from] : [from, mv.rank],
        ranks: rose ? [mv.rank + 1, mv.rank] : [mv.rank, mv.rank - 1],
        p: mv.beyondNoise ? 0.001 : 0.2,
        pAdjusted: mv.beyondNoise ? 0.01 : 0.4,
        pOrder: 0.01,
        significant: mv.beyondNoise,
      };
    });
}

/** Uniform ranks model-1..model-n in order; each other scheme gives its moves (others keep their rank). */
export function reweighting(n: number, schemes: { name: string; tau: number; noise: number; moves: ModelMove[] }[]): ReweightingSection {
  const names = Array.from({ length: n }, (_, i) => `model-${i + 1}`);
  const uniform = {
    name: 'uniform',
    description: 'plain average',
    kendallTau: 1,
    noiseFloorTau: 0.9,
    maxAbsRankShift: 0,
    noiseFloorMaxAbsRankShift: 1,
    top5Overlap: 1,
    effectiveSampleSize: 100,
    tauBest: ['model-1', 'model-2'],
    pointSwaps: 0,
    significantSwaps: 0,
    swaps: [],
    models: names.map((m, i) => modelRow(m, i + 1, null, null)),
  };
  return {
    bootstrap: 1000,
    rankInference: { alpha: 0.05, bootstrap: 'cluster', swapFamily: schemes.length * ((n * (n - 1)) / 2), swapSchemes: schemes.map((s) => s.name) },
    tauBest: ['model-1', 'model-2'],
    schemes: [
      uniform,
      ...schemes.map((s) => ({
        name: s.name,
        description: `${s.name} weighting`,
        kendallTau: s.tau,
        noiseFloorTau: s.noise,
        // Share of resample pairs whose τ_b is at or below the scheme's: small when τ_b is well under the noise median.
        noiseFloorTauP05: s.noise - 0.1,
        tauNoiseShare: s.tau < s.noise - 0.1 ? 0.01 : 0.6,
        maxAbsRankShift: Math.max(0, ...s.moves.map((m) => Math.abs(m.deltaRank))),
        noiseFloorMaxAbsRankShift: 2,
        top5Overlap: 0.8,
        effectiveSampleSize: 60,
        tauBest: ['model-1'],
        pointSwaps: s.moves.filter((mv) => mv.deltaRank !== 0).length,
        significantSwaps: s.moves.filter((mv) => mv.beyondNoise).length,
        swaps: swapsOf(s.moves),
        models: names.map((m, i) => {
          const mv = s.moves.find((x) => x.model === m);
          return mv ? modelRow(m, mv.rank, mv.deltaRank, mv.beyondNoise) : modelRow(m, i + 1, 0, false);
        }),
      })),
    ],
    skipped: [],
  };
}

export function explanation(o: { semantic: number | null; semanticP?: number | null; mantelP?: number | null; failureTag?: { name: string; estimate: number; p: number }; residual?: boolean }): ExplanationSection {
  const coefficients: ExplanationSection['coefficients'] = [];
  if (o.semantic !== null) coefficients.push({ name: 'semantic cosine', block: 'semantic', estimate: 0.4, p: o.semanticP ?? null });
  if (o.failureTag) coefficients.push({ name: o.failureTag.name, block: 'failure', estimate: o.failureTag.estimate, p: o.failureTag.p });
  coefficients.push({ name: '|p_i − p_j|', block: 'difficulty', estimate: -0.1, p: 0.2 });
  return {
    response: o.residual ? 'residual similarity (Q3)' : 'pearson performance similarity',
    responseKind: o.residual ? 'residual-similarity' : 'performance-similarity',
    performanceSimilarity: o.residual
      ? { response: 'pearson performance similarity', r2: 0.55, partialR2: { semantic: 0.02, failure: 0.04, difficulty: 0.5 }, mantel: { r: 0.2, p: 0.005 }, coefficients: [{ name: 'semantic cosine', block: 'semantic', estimate: 0.3, p: 0.01 }] }
      : null,
    pairs: { used: 4950, sampled: false },
    permutations: 199,
    r2: 0.21,
    partialR2: { semantic: o.semantic, failure: 0.05, difficulty: 0.01 },
    mantel: { r: o.semantic === null ? null : 0.3, p: o.semantic === null ? null : (o.mantelP ?? 0.005) },
    coefficients,
    excessOverNullB: null,
    tags: [],
    thresholds: { hardThreshold: 0.2 },
    semanticDeciles: [],
    nearestNeighbours: null,
    notes: [],
  };
}

export function benchmark(name: string, models = 10, prompts = 100): Report['benchmark'] {
  return { name, models, prompts, missingCells: 0, droppedPrompts: 0, format: 'test', binaryScores: true, promptsWithText: 0, hasAnswers: false, dropped: [], modelMeans: [] };
}

/** A whole report object around some sections (for the index page). */
export function reportOf(parts: { name: string; correlation?: CorrelationSection | null; reweighting?: ReweightingSection | null; explanation?: ExplanationSection | null; irt?: Report['irt']; verdict: Report['verdict'] }): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    covaryVersion: '0.0.0-test',
    benchmark: benchmark(parts.name),
    verdict: parts.verdict,
    stages: {},
    embedding: null,
    index: null,
    correlation: parts.correlation ?? null,
    clusters: null,
    reweighting: parts.reweighting ?? null,
    explanation: parts.explanation ?? null,
    irt: parts.irt ?? null,
    figures: [],
    methods: '',
    reproducibility: { covaryVersion: '0.0.0-test', seed: 1, commandLine: 'covary', datasetHash: 'x'.repeat(64), inputs: [], stageOptions: {} },
  };
}

/** A hand-made irt section: null C decided by `nullCp` (mean squared), the chosen dimension, convergence and residual groups. */
export function irtSection(o: { nullCp: number | null; dimension: number | null; converged?: boolean; groups?: { label: string; size: number; strength: number; cluster?: string }[]; stageFamilies?: NonNullable<Report['irt']>['stageFamilies'] }): NonNullable<Report['irt']> {
  const c = (observed: number, nullMean: number, nullSd: number, p: number) => ({ observed, nullMean, nullSd, z: (observed - nullMean) / nullSd, p });
  const dims = o.dimension ?? 1;
  const rows = [
    { k: 1, model: 'additive', loss: 0.52, se: 0.004 },
    { k: 1, model: '2pl', loss: dims === 1 ? 0.5 : 0.51, se: 0.004 },
    { k: 2, model: 'compensatory', loss: dims === 2 ? 0.49 : 0.502, se: 0.004 },
  ];
  const best = Math.min(...rows.map((r) => r.loss));
  return {
    model: '2pl',
    binary: true,
    models: 10,
    prompts: { total: 100, estimated: 100 },
    prior: { kind: 'default', logA: { mean: -0.1, sd: 0.4 }, b: { mean: 0, sd: 3 } },
    guessing: { mode: 'none', value: null, promptsWithGuessing: 0 },
    quadrature: { kind: 'adaptive', points: 11 },
    convergence: { converged: o.converged ?? true, iterations: o.converged === false ? 500 : 87, maxChange: o.converged === false ? 0.0031 : 8e-5, maxGradient: o.converged === false ? 0.25 : 0.0004 },
    logLik: -1234.5,
    dimension: o.dimension,
    crossValidationLoss: 'log-loss',
    crossValidation: o.dimension === null ? [] : rows.map((r) => ({ ...r, seVsBest: 0.003, lambda: 3, folds: 5, best: r.loss === best, withinOneSe: r.loss <= best + 0.003, chosen: r.k === dims && (r.model !== 'additive' || dims !== 1) && r.loss <= best + 0.003 })),
    nullC:
      o.nullCp === null
        ? null
        : { ...c(0.12, 0.115, 0.004, Math.max(o.nullCp, 0.3)), replicates: 199, method: 'parametric-bootstrap', meanSquared: c(0.09, 0.08, 0.003, o.nullCp), ks: { ...c(0.05, 0.04, 0.01, 0.2), D: 0.05 } },
    nullCDiscriminationBias: 0.05,
    q3: null,
    residualGroups: (o.groups ?? []).map((g, i) => ({ id: i + 1, size: g.size, strength: g.strength, label: g.label, examples: [`an example of ${g.label}`], composition: g.cluster ? [{ label: g.cluster, share: 0.8 }] : [], compositionSource: g.cluster ? 'semantic' : null, ids: [] })),
    items: [],
    abilities: [],
    itemsCsv: null,
    stageFamilies: o.stageFamilies ?? null,
    stageFamiliesReason: 'stage reason',
    notes: [],
  };
}
