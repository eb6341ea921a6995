/**
 * Public face of the irt stage (METHOD §2b): the unidimensional fit, Null C, the cross-validated
 * dimension, Yen's Q3, residual groups and the `families` verdict; `loadIrt` reads them back.
 */
import type { ArtifactStore } from '../core/store.ts';
import { CovaryError } from '../core/errors.ts';
import type { NullTest } from '../correlate/index.ts';
import type { Convergence } from './fit.ts';
import type { CvRow } from './dimension.ts';
import type { Q3Summary, ResidualGroup } from './q3.ts';

export type FamiliesVerdict = 'none' | 'discrimination-only' | 'families';

export interface IrtItem {
  id: string;
  /** b_i: the ability at which P = (1 + c_i)/2; null when not estimated (no variance and no prior, or no scores). */
  difficulty: number | null;
  /** a_i (for graded scores: the loading of the logit-link one-factor model). */
  discrimination: number | null;
  /** Fixed lower asymptote c_i, when one was used. */
  guessing?: number;
}

export interface IrtResult {
  /** '2pl', '3pl-fixed-guessing' (0/1 scores), or 'graded-one-factor' (scores in [0, 1]). */
  model: '2pl' | '3pl-fixed-guessing' | 'graded-one-factor';
  binary: boolean;
  models: number;
  prompts: { total: number; estimated: number };
  prior:
    | { kind: 'none' }
    | { kind: 'default'; logA: { mean: number; sd: number; estimated: true }; b: { mean: number; sd: number } };
  guessing: { mode: 'none' | 'auto' | 'fixed'; value: number | null; promptsWithGuessing: number };
  quadrature: { kind: 'fixed' | 'adaptive'; points: number };
  convergence: Convergence;
  /** Present when models × prompts exceed the fit's cell cap: the EM ran on this prompt sample (see fit-at-scale.ts). */
  fitSample?: { prompts: number; of: number; maxCells: number };
  /** Marginal log-likelihood at the estimates (prior terms excluded). */
  logLik: number;
  items: IrtItem[];
  abilities: { model: string; theta: number; sd: number }[];
  /** Null C, same shape as correlate's nullA/nullB (method 'parametric-bootstrap'); null when too few prompts vary. */
  nullC: NullTest | null;
  /** Shift of log a removed before generating Null C: −log s, s the common discrimination scale at which Null C reproduces the observed mean similarity. */
  nullCDiscriminationBias: number | null;
  /** Shares over equal bins of [lo, hi]: observed pair similarities and Null C pooled. */
  nullCHistograms: { lo: number; hi: number; bins: number; observed: number[]; nullC: number[] } | null;
  /** Chosen k (smallest within one SE of the best held-out loss); null when cross-validation was not run. */
  dimension: number | null;
  crossValidation: CvRow[];
  crossValidationLoss: 'log-loss' | 'mse' | null;
  q3: Q3Summary | null;
  residualGroups: (ResidualGroup & { ids: string[] })[];
  /** null when no verdict can be given (reason in familiesReason). */
  families: FamiliesVerdict | null;
  familiesReason: string;
  seed: number;
  notes: string[];
}

export interface IrtArtifact {
  result: IrtResult | null;
  skipReason?: string;
  /** m × n row-major residuals S − P̂ (NaN missing), for Q3 regressions; null when skipped. */
  residuals: Float32Array | null;
  /** B × 3: each Null C replicate's mean, mean squared similarity and KS D. */
  nullCReplicates: Float64Array | null;
}

/** The stored irt result (result null when the stage was skipped). Throws when it has not been run. */
export async function loadIrt(store: ArtifactStore, bench: string): Promise<IrtArtifact> {
  const a = await store.requireStage<IrtResult | null>(bench, 'irt', 'this step');
  if (a.status === 'skipped' || !a.result) return { result: null, skipReason: a.skipReason, residuals: null, nullCReplicates: null };
  const get = async (key: string) => {
    const ref = a.binaries[key];
    if (!ref) return null;
    return store.readBinary(bench, ref);
  };
  const residuals = (await get('residuals')) as Float32Array | null;
  if (!residuals) throw new CovaryError('irt result lacks its residuals array', { file: store.stagePath(bench, 'irt') }, `re-run covary irt --name ${bench} --force`);
  return { result: a.result, residuals, nullCReplicates: (await get('nullC-replicates')) as Float64Array | null };
}

const pText = (p: number) => (p < 1e-4 ? '< 0.0001' : `= ${p.toPrecision(3)}`);

/**
 * Q3 decides at z > 3.5 (normal p < 2.3e-4), not at the nominal alpha/2: on unidimensional 2PL
 * matrices (30 × 600) the observed Q3 mean square sits +1.07 ± 0.6 of its Null C sds above the
 * replicates (the replicates' re-estimation does not fully reproduce the observed fit's), so a
 * nominal 0.025 would reject ~7% of the time. Families give z of 20–45, so the stricter line costs
 * little power; the calibration bench measures the combined rate.
 */
export const Q3_Z_THRESHOLD = 3.5;
export const Q3_P_THRESHOLD = 2.326e-4;

/**
 * The verdict on "families" (issue 11). Two tests of "one ability axis": Null C on the mean squared
 * similarity (the statistic Null A/B use) at alpha/2, and Yen's Q3 mean square against its Null C
 * distribution (p from the replicates' normal approximation, as tens of replicates cannot give a
 * small empirical p) at z > Q3_Z_THRESHOLD, stricter than alpha/2 (see there). Q3 is the sensitive one: a family
 * signal in raw similarities is ~c²(1 − ρ)²/4 against replicate noise, while in residuals it is
 * the whole within-family co-variation. 'families' when either rejects or the cross-validated
 * dimension is ≥ 2; otherwise 'discrimination-only' when Null B was rejected, else 'none'.
 * No verdict without convergence, or without Null B when it would decide.
 */
export function familiesVerdict(input: { converged: boolean; nullCp: number | null; q3p?: number | null; dimension: number | null; nullBp: number | null }, alpha = 0.05): { families: FamiliesVerdict | null; reason: string } {
  if (!input.converged) return { families: null, reason: 'the unidimensional fit did not converge, so no verdict rests on it' };
  const each = alpha / 2;
  const q3p = input.q3p ?? null;
  const cRejected = input.nullCp !== null && input.nullCp < each;
  const qRejected = q3p !== null && q3p < Q3_P_THRESHOLD;
  const multi = input.dimension !== null && input.dimension >= 2;
  if (cRejected || qRejected || multi) {
    const why = [
      cRejected ? `Null C rejected (mean squared similarity p ${pText(input.nullCp!)} < ${each})` : '',
      qRejected ? `residual co-variation beyond Null C (Q3 mean square p ${pText(q3p!)}, z > ${Q3_Z_THRESHOLD})` : '',
      multi ? `cross-validated dimension ${input.dimension}` : '',
    ].filter(Boolean).join(' and ');
    return { families: 'families', reason: `${why}: co-variation beyond one ability axis` };
  }
  if (input.nullCp === null) return { families: null, reason: 'Null C could not be computed (too few prompts vary)' };
  if (input.dimension === null) return { families: null, reason: 'the dimension was not cross-validated' };
  if (input.nullBp === null) return { families: null, reason: 'Null C and Q3 not rejected and dimension 1, but Null B is unknown (run covary correlate first) to tell "none" from "discrimination-only"' };
  return input.nullBp < alpha
    ? { families: 'discrimination-only', reason: 'Null B rejected but neither Null C nor Q3, dimension 1: prompts differ in how sharply they separate models; no families beyond one axis' }
    : { families: 'none', reason: 'Null C and Q3 not rejected and dimension 1: consistent with one ability axis; prompts differ in difficulty (and discrimination) only' };
}

export { fitIrt, gaussHermite, prob, DEFAULT_FIT, DEFAULT_PRIOR, type IrtFit, type FitOptions, type PriorSpec, type Convergence } from './fit.ts';
export { nullC, ParametricNull, generativeModel, matchDiscriminationScale, scaledNullC, type NullCOptions, type NullCOutput } from './null.ts';
export { crossValidateDimension, DEFAULT_DIMENSION, type CvRow, type DimensionResult, type DimensionOptions } from './dimension.ts';
export { residualMatrix, q3Test, residualGroups, type Q3Summary, type ResidualGroup } from './q3.ts';
export { analyzeIrt, IrtSkip, type IrtOptions } from './analyze.ts';
