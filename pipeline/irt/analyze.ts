/**
 * The irt computation as a pure function of the dataset, options and a seed: fit, Null C, the
 * cross-validated dimension, Q3, residual groups and the families verdict.
 */
import type { Dataset, Item } from '../core/dataset.ts';
import { isBinary } from '../core/dataset.ts';
import { createRng } from '../core/rng.ts';
import { cappedSampleSize } from '../core/caps.ts';
import type { Reporter } from '../core/progress.ts';
import { silentReporter } from '../core/progress.ts';
import type { SimilarityMetric } from '../correlate/index.ts';
import { DEFAULT_FIT, DEFAULT_PRIOR, type FitOptions } from './fit.ts';
import { DEFAULT_MAX_FIT_CELLS, fitIrtAtScale, fitWorkers, inThreadScaleFit } from './fit-at-scale.ts';
import { inThreadNullC, scaledNullC, type NullCRunner } from './null.ts';
import { crossValidateDimension, DEFAULT_DIMENSION } from './dimension.ts';
import { q3Test, q3TestParallel, residualGroups, residualMatrix } from './q3.ts';
import { familiesVerdict, type IrtResult } from './index.ts';

export interface IrtOptions {
  prior: 'default' | 'none';
  /** 'none', 'auto' (1/#options where the items show their options) or a fixed c in [0, 1). */
  guessing: 'none' | 'auto' | number;
  /** Null C replicates. */
  permutationsC: number;
  /** Null C replicates used for the Q3 null (each also re-estimates the abilities). */
  q3Replicates: number;
  folds: number;
  maxDim: number;
  /** As the correlate stage used them, so Null C's statistics match Null A/B's. */
  metric: SimilarityMetric;
  pairSample: number;
  /** Correlate's --max-test-cells when it was given. */
  maxTestCells?: number;
  minCommonModels: number;
  /** Pairs × models per Q3 evaluation above which Q3 runs on a seeded pair sample (default Q3_MAX_PAIR_CELLS). */
  q3MaxPairCells?: number;
}

/** Pairs × models per Q3 evaluation above which Q3 runs on a pair sample (MMLU-Pro: 200,000 × 29 = 5.8e6). */
export const Q3_MAX_PAIR_CELLS = 2e8;

export const DEFAULT_IRT: IrtOptions = { prior: 'default', guessing: 'none', permutationsC: 199, q3Replicates: 39, folds: 5, maxDim: 5, metric: 'pearson', pairSample: 200_000, minCommonModels: 5 };

/** Why the stage cannot run on a benchmark (the stage writes a skipped result with this reason). */
export class IrtSkip extends Error {}

/** Number of answer options an item shows: a numeric metadata field, or lettered lines "A. …", "B. …" in its text. */
export function optionCount(item: Item): number | null {
  for (const key of ['num_options', 'n_options', 'options', 'choices']) {
    const v = item.metadata[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 2) return v;
  }
  if (!item.text) return null;
  let next = 0;
  for (const line of item.text.split('\n')) {
    const mt = /^\s*\(?([A-Z])[.)]\s/.exec(line);
    if (mt && mt[1].charCodeAt(0) - 65 === next) next++;
  }
  return next >= 2 ? next : null;
}

export interface IrtOutput {
  result: IrtResult;
  residuals: Float32Array;
  nullCReplicates: Float64Array | null;
}

export async function analyzeIrt(dataset: Pick<Dataset, 'models' | 'items' | 'scores'>, o: IrtOptions, seed: number, nullBp: number | null, reporter: Reporter = silentReporter, runner: NullCRunner = inThreadNullC, workers = 1): Promise<IrtOutput> {
  const m = dataset.models.length;
  const n = dataset.items.length;
  const scores = dataset.scores;
  if (m < 5) throw new IrtSkip(`only ${m} models: an item response fit needs at least 5`);
  let varying = 0;
  for (let i = 0; i < n && varying === 0; i++) {
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < m; k++) {
      const v = scores[k * n + i];
      if (v === v) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (hi - lo > 1e-12) varying++;
  }
  if (varying === 0) throw new IrtSkip('every prompt is at floor or ceiling (or constant): there is nothing to fit');
  const binary = isBinary(scores);
  const rng = createRng(seed).fork('irt');
  const notes: string[] = [];

  // Guessing.
  let guessing: Float64Array | null = null;
  let withGuessing = 0;
  if (o.guessing !== 'none') {
    if (!binary) notes.push('A lower asymptote applies to 0/1 scores only; it was not used for these graded scores.');
    else {
      guessing = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = o.guessing === 'auto' ? (optionCount(dataset.items[i]) ? 1 / optionCount(dataset.items[i])! : 0) : o.guessing;
        guessing[i] = c;
        if (c > 0) withGuessing++;
      }
      if (withGuessing === 0) guessing = null;
      if (o.guessing === 'auto') notes.push(`--guessing auto: ${withGuessing} of ${n} prompts show their answer options, and get c = 1/#options; the others none.`);
    }
  }

  // 1. Fit.
  const fitOpts: Partial<FitOptions> = { prior: o.prior === 'none' ? null : DEFAULT_PRIOR, guessing, quadrature: 'adaptive', quadPoints: DEFAULT_FIT.quadPoints, tol: 1e-4, maxIter: 500 };
  reporter.info(`irt: fitting a unidimensional model to ${m} models × ${n} prompts`);
  // Above the cap the per-prompt and per-model passes of the fit use both cores (fitWorkers copies the scores into shared memory once).
  const scaleRunner = workers > 1 && m * n > DEFAULT_MAX_FIT_CELLS ? fitWorkers(scores, workers) : inThreadScaleFit;
  const { fit, sample: fitSample } = await fitIrtAtScale(scores, m, n, fitOpts, DEFAULT_MAX_FIT_CELLS, rng.fork('fit'), scaleRunner);
  if (fitSample) {
    notes.push(
      `${m} models × ${n} prompts exceed ${fitSample.maxCells} cells, so the marginal EM ran on a seeded sample of ${fitSample.prompts} prompts; every prompt's difficulty and discrimination were then fitted given the models' ability posteriors from it (cells pooled into fine ability bins), every model's ability given all prompts, and both twice more from those all-prompt posteriors (abilities re-standardised each time); the log-likelihood is the Laplace approximation at the final abilities. The convergence reported is the sample fit's.`,
    );
  }
  const cv = fit.convergence;
  if (!cv.converged) notes.push(`The fit did not converge in ${cv.iterations} EM cycles (largest last change ${cv.maxChange.toExponential(2)}, largest gradient ${cv.maxGradient.toExponential(2)}): no verdict rests on it.`);
  let estimated = 0;
  for (let i = 0; i < n; i++) estimated += fit.estimated[i];
  if (!binary) notes.push('Graded scores: the model is a one-factor model with a logit link, E[S] = σ(a_i(θ_k − b_i)), fitted by Bernoulli quasi-likelihood (fractional responses); a_i is the prompt\u2019s loading, b_i the ability at which the expected score is 0.5. Null C draws graded cells from a Beta distribution with that mean and a per-prompt precision matched to the residual variance.');
  if (o.prior === 'none' && estimated < n) notes.push(`${n - estimated} prompts have no variance (or no scores) and are not estimated without priors; they keep their observed values in Null C.`);

  const items = dataset.items.map((it, i) => ({
    id: it.id,
    difficulty: fit.estimated[i] ? fit.b[i] : null,
    discrimination: fit.estimated[i] ? fit.a[i] : null,
    ...(guessing ? { guessing: guessing[i] } : {}),
  }));

  // 2. Null C, generated at the discrimination scale that reproduces the observed mean similarity.
  const bar = reporter.bar('Null C (parametric bootstrap)', o.permutationsC, 'replicates');
  const scaled = await scaledNullC(scores, m, n, fit, binary, { metric: o.metric, pairSample: o.pairSample, maxTestCells: o.maxTestCells, minCommonModels: o.minCommonModels, B: o.permutationsC }, seed, runner, (k) => bar.tick(k));
  bar.stop();
  const nc = scaled.result;
  const genFit = scaled.fit;
  const bias = -scaled.scale.logScale;
  if (nc && !scaled.scale.matched) notes.push(`No common discrimination scale within e^±2 reproduces the observed mean similarity; Null C is generated at log scale ${scaled.scale.logScale.toFixed(2)}, so its mean row is a test, not a match.`);
  if (!nc) notes.push('Fewer than 3 prompts vary across models: Null C was not computed.');

  // 3. Dimension by cross-validation.
  reporter.info('irt: cross-validating the dimension');
  const dim = crossValidateDimension(scores, m, n, binary, { ...DEFAULT_DIMENSION, folds: o.folds, maxDim: o.maxDim }, rng.fork('dimension'));
  if (dim.models < m) notes.push(`The dimension was cross-validated on a seeded sample of ${dim.models} of the ${m} models and ${dim.prompts} of the ${n} prompts (at most ${DEFAULT_DIMENSION.maxCells} cells).`);
  else if (dim.prompts < n) notes.push(`The dimension was cross-validated on a seeded sample of ${dim.prompts} of the ${n} prompts.`);

  // 4. Q3 and residual groups.
  let q3 = null;
  let groups: IrtResult['residualGroups'] = [];
  if (nc) {
    // Each Q3 evaluation costs pairs × models (40 of them): above Q3_MAX_PAIR_CELLS, a seeded sample of Null C's pairs.
    const P = nc.pairs.length / 2;
    const cap = o.q3MaxPairCells ?? Q3_MAX_PAIR_CELLS;
    const keep = cappedSampleSize(P, m, cap, 1000);
    let q3Pairs = nc.pairs;
    if (keep !== null) {
      q3Pairs = new Int32Array(2 * keep);
      rng.fork('q3-pairs').sample(P, keep).sort().forEach((q, j) => ((q3Pairs[2 * j] = nc.pairs[2 * q]), (q3Pairs[2 * j + 1] = nc.pairs[2 * q + 1])));
      notes.push(`Q3 uses a seeded sample of ${keep} of Null C's ${P} prompt pairs (pairs × models above ${cap.toExponential(0)} per evaluation); its test is exactly the test on those pairs.`);
    }
    const R = Math.max(1, o.q3Replicates);
    const q3Seed = rng.fork('q3').int(0x7fffffff);
    const q3Exact = nc.exactPairs && keep === null;
    // Replicates on two threads when each is worth a worker's start-up (about a second from the sources).
    q3 = (workers > 1 && m * nc.columns.length * R > 4e7
      ? await q3TestParallel(scores, m, n, fit, genFit, binary, nc.columns, q3Pairs, q3Exact, R, q3Seed, workers)
      : q3Test(scores, m, n, fit, genFit, binary, nc.columns, q3Pairs, q3Exact, R, q3Seed)
    ).summary;
    const comps = Math.max(1, Math.min(4, dim.dimension - 1));
    groups = residualGroups(scores, m, n, fit, nc.columns, comps, rng.fork('groups')).map((g) => ({ ...g, ids: g.prompts.map((i) => dataset.items[i].id) }));
    if (nc.promptSample) notes.push(`Null C, Q3 and the residual groups use correlate's seeded sample of ${nc.promptSample.sampled} of the ${nc.promptSample.of} prompts (models × prompts above --max-test-cells); the item parameters cover every prompt.`);
  }

  const verdict = familiesVerdict({ converged: cv.converged, nullCp: nc ? nc.test.meanSquared.p : null, q3p: q3 ? q3.nullC.meanSquaredNormalP : null, dimension: dim.dimension, nullBp });
  const prior: IrtResult['prior'] = fit.prior ? { kind: 'default', logA: { mean: fit.prior.logAMean, sd: fit.prior.logASd, estimated: true }, b: { mean: fit.prior.bMean, sd: fit.prior.bSd } } : { kind: 'none' };
  notes.push(
    'Null C draws each model\u2019s ability from its posterior (conditioning on the models compared, as Null B keeps their totals) and each prompt\u2019s (log a, b) from its posterior, then every observed cell; missing cells stay missing. Every discrimination is multiplied by one common factor chosen so that Null C reproduces the observed mean similarity (small-sample estimates of a are biased upwards), so the mean row is matched, not tested. Its statistics are exactly those of Null A/B, on the same prompts and pairs. Families are claimed when Null C (mean squared similarity) rejects at 0.025, or Q3 (mean square of residual correlations, each replicate re-estimated as the observed residuals were) at z > 3.5, or the cross-validated dimension is 2 or more.',
  );
  const result: IrtResult = {
    model: binary ? (guessing ? '3pl-fixed-guessing' : '2pl') : 'graded-one-factor',
    binary,
    models: m,
    prompts: { total: n, estimated },
    prior,
    guessing: { mode: o.guessing === 'none' ? 'none' : o.guessing === 'auto' ? 'auto' : 'fixed', value: typeof o.guessing === 'number' ? o.guessing : null, promptsWithGuessing: withGuessing },
    quadrature: { kind: 'adaptive', points: DEFAULT_FIT.quadPoints },
    convergence: cv,
    ...(fitSample ? { fitSample } : {}),
    logLik: fit.logLik,
    items,
    abilities: dataset.models.map((name, k) => ({ model: name, theta: fit.theta[k], sd: fit.thetaSd[k] })),
    nullC: nc ? nc.test : null,
    nullCDiscriminationBias: bias,
    nullCHistograms: nc ? nc.histograms : null,
    dimension: dim.dimension,
    crossValidation: dim.rows,
    crossValidationLoss: dim.loss,
    q3,
    residualGroups: groups,
    families: verdict.families,
    familiesReason: verdict.reason,
    seed,
    notes,
  };
  return { result, residuals: residualMatrix(scores, fit, new Float32Array(m * n)), nullCReplicates: nc ? nc.replicates : null };
}
