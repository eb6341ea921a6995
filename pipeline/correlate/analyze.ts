/**
 * The correlate computation (METHOD §1–2) as a pure function of a score matrix, options and a
 * seed: which prompts enter, observed pairwise-similarity statistics, Null A and Null B tests,
 * histograms for figures, per-prompt top-k neighbours and a small heatmap sample.
 */
import { createRng } from '../core/rng.ts';
import { isBinary } from '../core/dataset.ts';
import type { Reporter } from '../core/progress.ts';
import { silentReporter } from '../core/progress.ts';
import { CovaryError } from '../core/errors.ts';
import type { CorrelationResult, NullTest, SimilarityMetric, CurveballDiagnostics } from './index.ts';
import { prepareColumns, closedFormMeans, pairSimilarity, metricRange, type PreparedColumns } from './similarity.ts';
import { chooseTestDesign, DEFAULT_MAX_TEST_CELLS } from './pairs.ts';
import { compare, ksDistance, coarsen, quantileSorted } from './stats.ts';
import { extractColumns, selectColumns } from './nulls/types.ts';
import { CurveballNull, diagnoseCurveball, encodeBinary } from './nulls/curveball.ts';
import { evaluate, histSpec, runReplicates, type ReplicateBatch, type ReplicateSpec } from './replicates.ts';
import { topKSimilar, type TopK } from './topk.ts';
import { FastRng } from './fast-rng.ts';

export interface CorrelateOptions {
  metric: SimilarityMetric;
  /** Replicates of Null A. */
  permutations: number;
  /** Replicates of Null B. */
  permutationsB: number;
  /** Pairs for distribution statistics; all pairs when n(n−1)/2 is at most this. */
  pairSample: number;
  topK: number;
  minCommonModels: number;
  histogramBins?: number;
  heatmapSize?: number;
  /** Above m × used prompts cells, tests run on a prompt sample (see chooseTestDesign). */
  maxTestCells?: number;
}

export const DEFAULT_OPTIONS: CorrelateOptions = {
  metric: 'pearson',
  permutations: 999,
  permutationsB: 199,
  pairSample: 200_000,
  topK: 10,
  minCommonModels: 5,
  histogramBins: 40,
  heatmapSize: 100,
  maxTestCells: DEFAULT_MAX_TEST_CELLS,
};

export interface ScoreMatrix {
  scores: Float64Array;
  m: number;
  n: number;
}

/** Runs replicates [0, B) of a null; the default runs in this thread, the stage may use workers. */
export type ReplicateRunner = (spec: ReplicateSpec, B: number, tick: (n: number) => void) => Promise<ReplicateBatch>;

export const inThreadRunner: ReplicateRunner = async (spec, B, tick) => runReplicates(spec, 0, B, () => tick(1));

/** Where the heavy loops run (the stage passes worker-thread versions for large inputs). */
export interface Executors {
  replicates: ReplicateRunner;
  topK: (p: PreparedColumns, k: number, tick: (rows: number) => void) => Promise<TopK>;
}

export const inThread: Executors = {
  replicates: inThreadRunner,
  topK: async (p, k, tick) => topKSimilar(p, k, { tick, update() {}, stop() {} }),
};

export interface CorrelateOutput {
  result: CorrelationResult;
  topK: { k: number; indices: Int32Array; values: Float32Array };
  heatmap: { items: Int32Array; values: Float32Array };
  /** B × 3 per null: mean, mean squared, KS D of each replicate. */
  replicatesA: Float64Array;
  replicatesB: Float64Array;
}

/** Why a benchmark cannot be analysed (the stage writes a skipped result with this reason). */
export class CorrelateSkip extends Error {}

export async function correlate(input: ScoreMatrix, opts: CorrelateOptions, seed: number, reporter: Reporter = silentReporter, exec: Executors = inThread): Promise<CorrelateOutput> {
  const runner = exec.replicates;
  const { scores, m, n } = input;
  const o = { ...DEFAULT_OPTIONS, ...opts };
  const metric = o.metric;
  if (scores.length !== m * n) throw new Error(`scores has ${scores.length} cells, expected ${m} × ${n}`);
  const binary = isBinary(scores);
  if (metric === 'jaccard' && !binary) {
    throw new CovaryError('the Jaccard similarity needs 0/1 scores, and this benchmark has graded scores', { field: '--metric' }, 'use --metric pearson, cosine or hamming');
  }
  const minCommon = Math.max(metric === 'pearson' ? 3 : 2, Math.floor(o.minCommonModels));
  const rng = createRng(seed).fork('correlate');
  const notes: string[] = [];

  // 1. Which prompts enter the similarity statistics.
  const { used, allCorrect, allWrong, constant, tooFew, missingCells } = selectPrompts(scores, m, n, minCommon);
  if (m < minCommon) throw new CorrelateSkip(`only ${m} models: similarity needs at least ${minCommon} models with both scores`);
  if (used.length < 3) {
    // Say which condition bites: prompts that vary but have too few models scored are not "not varying".
    const few = tooFew ? `, and ${tooFew} prompt${tooFew === 1 ? ' has' : 's have'} fewer than ${minCommon} models with a score` : '';
    throw new CorrelateSkip(`only ${used.length} prompts vary across at least ${minCommon} scored models${few}: nothing to correlate`);
  }
  const columns = used;
  const nu = columns.length;
  const obsCols = extractColumns(scores, m, n, columns);
  const maxTestCells = o.maxTestCells ?? DEFAULT_MAX_TEST_CELLS;
  const design = chooseTestDesign(nu, m, o.pairSample, maxTestCells, rng);
  // All prompts' columns serve top-k and the heatmap; with 0/1 data those use only the packed bits,
  // so the standardised copy is needed only when these columns also carry the tests.
  const prep = prepareColumns(metric, obsCols, m, nu, minCommon, binary, undefined, !(binary && design.sampled));
  let incompleteUsed = 0;
  for (let i = 0; i < nu; i++) if (!prep.complete[i]) incompleteUsed++;

  // 2. The prompts and pairs the statistics and nulls use, and which estimator the tests use.
  const pairSet = design.pairSet;
  const P = pairSet.pairs.length / 2;
  // With a prompt sample the nulls redraw a compact m × s matrix of the sampled prompts only.
  const test = design.sampled ? promptSampleMatrix(scores, m, n, columns, design.prompts) : { scores, n, columns };
  const testPrep = design.sampled ? prepareColumns(metric, extractColumns(test.scores, m, test.n, test.columns), m, test.n, minCommon, binary) : prep;
  let incompleteTest = 0;
  for (let i = 0; i < testPrep.n; i++) if (!testPrep.complete[i]) incompleteTest++;
  const closedMean = incompleteTest === 0 && (metric === 'pearson' || metric === 'cosine');
  // The m × m Gram matrix costs n·m²/2 per replicate against P·m for the pairs: use it when not dearer.
  const closedSquared = closedMean && testPrep.n * m <= 4 * P;
  const onSample = design.sampled ? '-on-prompt-sample' : '';
  const estimators = {
    mean: (closedMean ? 'closed-form' : pairSet.exact ? 'all-pairs' : 'pair-sample') + onSample,
    meanSquared: (closedSquared ? 'closed-form' : pairSet.exact ? 'all-pairs' : 'pair-sample') + onSample,
    distribution: (pairSet.exact ? 'all-pairs' : 'pair-sample') + onSample,
  } as const;
  if (design.sampled) {
    notes.push(
      `${m} models × ${nu} prompts exceed ${maxTestCells} cells, so the statistics and all nulls use a seeded sample of ${test.n} of the ${nu} prompts (${pairSet.exact ? 'all' : `a seeded sample of ${P} of the`} ${pairSet.total} pairs among them): every replicate then costs ${m} × ${test.n} cells, not ${m} × ${nu}. ` +
        'The tests stay exact for that sample (observed and null statistics are computed on the same prompts and pairs); their power is that of the sample. Null B keeps the margins of the sampled submatrix. The per-prompt top-k neighbours still use every pair. Raise --max-test-cells to test on more prompts.',
    );
  }
  if (!closedMean && incompleteTest > 0 && (metric === 'pearson' || metric === 'cosine')) {
    notes.push(`${incompleteTest} of ${testPrep.n} prompts lack some models' scores, so the closed forms do not apply: mean and mean squared similarity are pairwise-complete averages over ${pairSet.exact ? 'all pairs' : `a seeded sample of ${P} pairs`}${design.sampled ? ' among the sampled prompts' : ''}.`);
  }

  // 3. Observed statistics.
  const hs = histSpec(metric);
  const bins = hs.steps + 1;
  const obsHist = new Int32Array(bins);
  const obsValues = new Float64Array(P);
  const obs = evaluate(testPrep, pairSet.pairs, closedMean, closedSquared, obsHist, hs, obsValues);
  const exact = closedMean ? closedFormMeans(testPrep, true) : null;
  const defined = Array.from(obsValues).filter((v) => v === v).sort((a, b) => a - b);
  let sdSum = 0;
  for (const v of defined) sdSum += (v - obs.pairMean) ** 2;

  // 4. Null A.
  const baseSpec = { metric, minCommon, binary, m, nTotal: test.n, scores: test.scores, columns: test.columns, pairs: pairSet.pairs, closedMean, closedSquared } as const;
  const B_A = Math.max(1, Math.floor(o.permutations));
  const specA: ReplicateSpec = { ...baseSpec, kind: 'A', seed: rng.fork('nullA').int(0x7fffffff), trades: 0 };
  const barA = reporter.bar('Null A (column permutations)', B_A, 'replicates');
  const batchA = await runner(specA, B_A, (k) => barA.tick(k));
  barA.stop();

  // 5. Null B: curveball for 0/1 data, residual permutation for graded scores.
  const B_B = Math.max(1, Math.floor(o.permutationsB));
  const seedB = rng.fork('nullB').int(0x7fffffff);
  let specB: ReplicateSpec;
  let diagnostics: CurveballDiagnostics | null = null;
  if (binary) {
    const chain = encodeBinary(test.scores, m, test.n);
    const mixing = diagnoseCurveball(chain, FastRng.forReplicate(seedB, 'nullB-diagnose', 0));
    specB = { ...baseSpec, kind: 'B-curveball', seed: seedB, trades: mixing.tradesPerReplicate };
    diagnostics = { ...mixing, ...chainAutocorrelation(specB, prep.metric, 30) };
    if (!mixing.plateauReached) notes.push(`Curveball mixing: the share of cells changed had not clearly levelled off after ${mixing.traceTrades} trades; ${mixing.tradesPerReplicate} trades per replicate were used (p-values stay valid under the parallel scheme, power may be lower).`);
  } else {
    specB = { ...baseSpec, kind: 'B-residual', seed: seedB, trades: 0 };
  }
  const barB = reporter.bar(`Null B (${binary ? 'curveball' : 'residual permutation'})`, B_B, 'replicates');
  const batchB = await runner(specB, B_B, (k) => barB.tick(k));
  barB.stop();

  // 6. Tests.
  const testA = nullTest(methodOf(specA.kind), B_A, obs.mean, obs.meanSquared, obsHist, batchA, bins);
  const testB = nullTest(methodOf(specB.kind), B_B, obs.mean, obs.meanSquared, obsHist, batchB, bins);
  if (diagnostics) testB.mixing = diagnostics;
  if (binary) {
    notes.push('Null B keeps every model\u2019s and every prompt\u2019s total, i.e. it draws from the matrices a Rasch model (one strength per model, one difficulty per prompt, equal discrimination) makes equally likely. Structure beyond it comes from prompt families that specific models are good or bad at, or from prompts that separate strong from weak models more sharply than others (unequal discrimination).');
    if (missingCells > 0) notes.push('Missing cells stay missing under both nulls: Null A permutes each prompt\u2019s observed scores among its observed models; curveball trades only touch prompts both models have, so totals over observed cells are kept exactly.');
  } else {
    notes.push('Null B for graded scores: residual permutation of the additive model (model effect + prompt effect), re-centred so every model\u2019s and prompt\u2019s total is kept exactly.');
  }
  if (binary && incompleteTest === 0 && metric === 'pearson') {
    notes.push('With complete 0/1 data the margins Null B keeps fix the sum of all pairwise covariances, so the mean correlation barely moves under Null B; its mean squared correlation and KS distance carry the evidence of structure beyond model strength.');
  }

  // 7. Histograms for figures.
  const hb = Math.max(2, Math.floor(o.histogramBins ?? 40));
  const [lo, hi] = metricRange(metric);

  // 8. Top-k neighbours (all pairs, observed data) and a heatmap sample.
  const barK = reporter.bar('Top-k neighbours', nu, 'prompts');
  const tk = await exec.topK(prep, o.topK, (r) => barK.tick(r));
  barK.stop();
  const k = tk.k;
  const topIdx = new Int32Array(n * k).fill(-1);
  const topVal = new Float32Array(n * k).fill(NaN);
  for (let r = 0; r < nu; r++) {
    for (let a = 0; a < k; a++) {
      const j = tk.indices[r * k + a];
      if (j < 0) continue;
      topIdx[columns[r] * k + a] = columns[j];
      topVal[columns[r] * k + a] = tk.values[r * k + a];
    }
  }
  const h = Math.min(nu, Math.max(0, Math.floor(o.heatmapSize ?? 100)));
  const pick = Array.from(rng.fork('heatmap').sample(nu, h)).sort((a, b) => a - b);
  const heatItems = Int32Array.from(pick, (i) => columns[i]);
  const heatVals = new Float32Array(h * h);
  for (let a = 0; a < h; a++) {
    heatVals[a * h + a] = 1;
    for (let b = a + 1; b < h; b++) {
      const v = pairSimilarity(prep, pick[a], pick[b]);
      heatVals[a * h + b] = v;
      heatVals[b * h + a] = v;
    }
  }

  const result: CorrelationResult = {
    metric,
    minCommonModels: minCommon,
    binary,
    models: m,
    prompts: {
      total: n,
      used: nu,
      dropped: n - nu,
      zeroVariance: { allCorrect, allWrong, constant, total: allCorrect + allWrong + constant },
      tooFewModels: tooFew,
    },
    missing: { cells: missingCells, share: missingCells / (m * n), incompletePromptsUsed: incompleteUsed },
    pairs: {
      total: (nu * (nu - 1)) / 2,
      exact: pairSet.exact && !design.sampled,
      sampled: P,
      undefinedInSample: obs.undefinedPairs,
      allPairs: { visited: tk.pairs, lackingCommonModels: tk.lackingCommonModels, undefinedOther: tk.undefinedOther },
    },
    estimators,
    ...(design.sampled ? { testPrompts: { sampled: test.n, of: nu, pairsAmong: pairSet.total, maxTestCells } } : {}),
    observed: {
      mean: obs.mean,
      meanSquared: obs.meanSquared,
      pairMean: obs.pairMean,
      pairMeanSquared: obs.pairMeanSquared,
      sd: defined.length > 1 ? Math.sqrt(sdSum / (defined.length - 1)) : NaN,
      quantiles: {
        p01: quantileSorted(defined, 0.01),
        p05: quantileSorted(defined, 0.05),
        p25: quantileSorted(defined, 0.25),
        p50: quantileSorted(defined, 0.5),
        p75: quantileSorted(defined, 0.75),
        p95: quantileSorted(defined, 0.95),
        p99: quantileSorted(defined, 0.99),
      },
      closedForm: exact,
    },
    nullA: testA,
    nullB: testB,
    histograms: {
      lo,
      hi,
      bins: hb,
      observed: coarsen(obsHist, hs, hb),
      nullA: coarsen(testA.pooled, hs, hb),
      nullB: coarsen(testB.pooled, hs, hb),
    },
    topK: { k },
    heatmap: { size: h },
    seed,
    notes,
  };
  return {
    result,
    topK: { k, indices: topIdx, values: topVal },
    heatmap: { items: heatItems, values: heatVals },
    replicatesA: replicateTable(batchA, testA.ksReplicates),
    replicatesB: replicateTable(batchB, testB.ksReplicates),
  };
}

/** One null's test from its replicates: the three statistics against the observed ones (used by irt's Null C too). */
export function nullTest(method: string, B: number, mean: number, meanSquared: number, oHist: Int32Array, batch: ReplicateBatch, nb: number): NullTest & { ksReplicates: Float64Array; pooled: Float64Array } {
  const pooledH = pooledHistogram(batch, nb);
  const D = ksDistance(oHist, pooledH);
  const ds = ksLeaveOneOut(batch.hists, pooledH, B, nb);
  const means = new Float64Array(B);
  const sq = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    means[b] = batch.stats[3 * b];
    sq[b] = batch.stats[3 * b + 1];
  }
  const ks = compare(D, ds);
  const t: NullTest & { ksReplicates: Float64Array; pooled: Float64Array } = {
    method,
    B,
    ...compare(mean, means),
    meanSquared: compare(meanSquared, sq),
    ks: { D, ...ks },
    ksReplicates: ds,
    pooled: pooledH,
  };
  Object.defineProperty(t, 'ksReplicates', { enumerable: false });
  Object.defineProperty(t, 'pooled', { enumerable: false });
  return t;
}

function methodOf(kind: ReplicateSpec['kind']): string {
  return kind === 'A' ? 'column-permutation' : kind === 'B-curveball' ? 'curveball' : 'residual-permutation';
}

/** The sampled prompts as a compact row-major m × s matrix (columns 0 … s−1), for the nulls to redraw. */
function promptSampleMatrix(scores: Float64Array, m: number, n: number, used: Int32Array, prompts: Int32Array): { scores: Float64Array; n: number; columns: Int32Array } {
  const s = prompts.length;
  return { scores: selectColumns(scores, m, n, Int32Array.from(prompts, (i) => used[i])), n: s, columns: Int32Array.from({ length: s }, (_, i) => i) };
}

export interface PromptSelection {
  /** Dataset columns that enter the similarity statistics (observed by enough models, not constant). */
  used: Int32Array;
  allCorrect: number;
  allWrong: number;
  constant: number;
  tooFew: number;
  missingCells: number;
}

/** Which prompts enter the similarity statistics (shared with irt's Null C so both use the same prompts). */
export function selectPrompts(scores: Float64Array, m: number, n: number, minCommon: number): PromptSelection {
  let allCorrect = 0, allWrong = 0, constant = 0, tooFew = 0, missingCells = 0;
  const used: number[] = [];
  for (let i = 0; i < n; i++) {
    let c = 0, lo = Infinity, hi = -Infinity;
    for (let k = 0; k < m; k++) {
      const v = scores[k * n + i];
      if (v !== v) {
        missingCells++;
        continue;
      }
      c++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (c < minCommon) tooFew++;
    else if (hi - lo <= 1e-12) {
      if (lo === 1) allCorrect++;
      else if (lo === 0) allWrong++;
      else constant++;
    } else used.push(i);
  }
  return { used: Int32Array.from(used), allCorrect, allWrong, constant, tooFew, missingCells };
}

function pooledHistogram(batch: ReplicateBatch, nb: number): Float64Array {
  const h = new Float64Array(nb);
  const B = batch.hists.length / nb;
  for (let b = 0; b < B; b++) {
    const o = b * nb;
    for (let q = 0; q < nb; q++) h[q] += batch.hists[o + q];
  }
  return h;
}

/** KS distance of every replicate's histogram against the pooled histogram of the other replicates. */
function ksLeaveOneOut(hists: Int32Array, pooled: Float64Array, B: number, nb: number): Float64Array {
  const ds = new Float64Array(B).fill(NaN);
  if (B < 2) return ds;
  // Both CDFs only change at bins where the pooled histogram has mass.
  const nzList: number[] = [];
  let total = 0;
  for (let q = 0; q < nb; q++) {
    if (pooled[q] > 0) {
      nzList.push(q);
      total += pooled[q];
    }
  }
  const nz = Int32Array.from(nzList);
  for (let b = 0; b < B; b++) {
    const o = b * nb;
    let own = 0;
    for (let a = 0; a < nz.length; a++) own += hists[o + nz[a]];
    const rest = total - own;
    if (own === 0 || rest === 0) continue;
    let cOwn = 0, cAll = 0, d = 0;
    for (let a = 0; a < nz.length; a++) {
      const q = nz[a];
      cOwn += hists[o + q];
      cAll += pooled[q];
      const x = Math.abs(cOwn / own - (cAll - cOwn) / rest);
      if (x > d) d = x;
    }
    ds[b] = d;
  }
  return ds;
}

export function replicateTable(batch: ReplicateBatch, ks: Float64Array): Float64Array {
  const B = ks.length;
  const out = new Float64Array(B * 3);
  for (let b = 0; b < B; b++) {
    out[3 * b] = batch.stats[3 * b];
    out[3 * b + 1] = batch.stats[3 * b + 1];
    out[3 * b + 2] = ks[b];
  }
  return out;
}

/**
 * Autocorrelation of the test statistics along one curveball chain sampled every K trades
 * (starting at the hub): near 0 means successive replicates are close to independent.
 */
function chainAutocorrelation(spec: ReplicateSpec, metric: SimilarityMetric, points: number): { autocorrelation: { lag: number; mean: number; meanSquared: number; points: number } } {
  const s = new CurveballNull(spec.scores, spec.m, spec.nTotal, spec.columns, spec.seed, spec.trades);
  const mat = s.hubCopy();
  const rng = FastRng.forReplicate(spec.seed, 'nullB-autocorrelation', 0);
  const buf = new Float64Array(s.n * s.m);
  const hs = histSpec(metric);
  const hist = new Int32Array(hs.steps + 1);
  const means: number[] = [];
  const sqs: number[] = [];
  let prep;
  // Keep the diagnostic cheap: at most 20,000 pairs.
  const pairs = stridedPairs(spec.pairs, 20_000);
  for (let t = 0; t < points; t++) {
    s.step(mat, spec.trades, rng);
    s.toColumns(mat, buf);
    prep = prepareColumns(metric, buf, spec.m, s.n, spec.minCommon, spec.binary, prep);
    const st = evaluate(prep, pairs, spec.closedMean, spec.closedSquared, hist, hs);
    means.push(st.mean);
    sqs.push(st.meanSquared);
  }
  return { autocorrelation: { lag: spec.trades, mean: lag1(means), meanSquared: lag1(sqs), points } };
}

function lag1(x: number[]): number {
  const n = x.length;
  if (n < 3) return NaN;
  const mu = x.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    den += (x[i] - mu) ** 2;
    if (i > 0) num += (x[i] - mu) * (x[i - 1] - mu);
  }
  return den > 0 ? num / den : NaN;
}

/** Every k-th pair so that at most `max` remain (spread over all prompts, unlike a prefix). */
function stridedPairs(pairs: Int32Array, max: number): Int32Array {
  const P = pairs.length / 2;
  if (P <= max) return pairs;
  const step = Math.ceil(P / max);
  const out = new Int32Array(2 * Math.ceil(P / step));
  let c = 0;
  for (let q = 0; q < P; q += step) {
    out[c++] = pairs[2 * q];
    out[c++] = pairs[2 * q + 1];
  }
  return out.subarray(0, c);
}
