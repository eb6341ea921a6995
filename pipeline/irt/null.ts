/**
 * Null C, "one ability axis" (METHOD §2): a parametric bootstrap from the fitted unidimensional
 * model. Each replicate draws every model's ability from its (Laplace-approximated) posterior,
 * θ_k ~ N(θ̂_k, sd_k²), every prompt's (log a, b) from its Laplace posterior (under the empirical
 * Bayes prior; the sampling distribution without priors), then every observed cell from the item
 * response function; missing cells stay missing, the lower asymptote is respected. Drawing the
 * item parameters, not plugging in their modes, keeps the replicates' spread of discriminations
 * at the level the data support: plug-in estimates from tens of models are over-dispersed (without
 * shrinkage) or under-dispersed (with it), and the mean squared correlation follows that spread. The replicate then goes through exactly the
 * statistics of Null A/B (correlate's prompt selection, pair sample, `evaluate` and `nullTest`).
 *
 * Why posterior draws rather than fresh θ ~ N(0, 1): the statistics (mean correlation above all)
 * grow with the spread of the abilities of the models actually compared. Conditioning on those
 * models, as Null B does by keeping their totals, removes the between-replicate variation of the
 * ability spread among 30–100 models that the data do not have (it would only cost power), while
 * the posterior sd keeps the uncertainty about each model's ability.
 *
 * Graded scores: each cell is drawn from a Beta distribution with the fitted mean P and a
 * per-prompt precision φ_i matched to the observed residual variance, Var = P(1 − P)/(1 + φ_i).
 */
import { FastRng } from '../correlate/fast-rng.ts';
import type { NullSampler } from '../correlate/nulls/types.ts';
import type { IrtFit } from './fit.ts';
import type { NullTest, SimilarityMetric } from '../correlate/index.ts';
import { createRng } from '../core/rng.ts';
import { nullTest, replicateTable, selectPrompts } from '../correlate/analyze.ts';
import { chooseTestDesign, DEFAULT_MAX_TEST_CELLS } from '../correlate/pairs.ts';
import { prepareColumns, metricRange } from '../correlate/similarity.ts';
import { extractColumns, selectColumns } from '../correlate/nulls/types.ts';
import { evaluate, histSpec, runReplicates, type ReplicateBatch, type ReplicateSpec } from '../correlate/replicates.ts';
import { coarsen } from '../correlate/stats.ts';
import { runWorker } from '../core/worker-call.ts';
import { splitReplicates } from '../correlate/parallel.ts';

/** The parts of a fit a sampler needs (structured-clone friendly, for worker threads). */
export interface GenerativeModel {
  m: number;
  nTotal: number;
  a: Float64Array;
  b: Float64Array;
  c: Float64Array;
  estimated: Uint8Array;
  theta: Float64Array;
  thetaSd: Float64Array;
  /** Per item: var log a, cov, var b (NaN when unknown: the modes are used). */
  itemCov: Float64Array;
  /** Beta precision per prompt for graded scores; null for 0/1 data. */
  precision: Float64Array | null;
}

export function generativeModel(fit: IrtFit, scores: Float64Array, binary: boolean): GenerativeModel {
  const { m, n } = fit;
  let precision: Float64Array | null = null;
  if (!binary) {
    precision = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0, c = 0;
      for (let k = 0; k < m; k++) {
        const x = scores[k * n + i];
        if (x !== x || !fit.estimated[i]) continue;
        const P = prob(fit, k, i);
        const v = P * (1 - P);
        if (v < 1e-9) continue;
        s += ((x - P) ** 2) / v;
        c++;
      }
      const ratio = c ? s / c : 1;
      precision[i] = Math.min(1e4, Math.max(1e-3, 1 / Math.max(ratio, 1e-4) - 1));
    }
  }
  // Posterior draws need a prior: without one the sampling covariance would add its spread on top of
  // the estimates' own, so maximum-likelihood fits are plugged in (the textbook parametric bootstrap).
  const itemCov = fit.prior ? fit.itemCov : new Float64Array(3 * n).fill(NaN);
  return { m, nTotal: n, a: fit.a, b: fit.b, c: fit.c, estimated: fit.estimated, theta: fit.theta, thetaSd: fit.thetaSd, itemCov, precision };
}

function prob(fit: Pick<IrtFit, 'a' | 'b' | 'c' | 'theta'>, k: number, i: number): number {
  return fit.c[i] + (1 - fit.c[i]) / (1 + Math.exp(-fit.a[i] * (fit.theta[k] - fit.b[i])));
}

/** The generative model and score matrix restricted to `columns` (a compact m × columns.length matrix; the same draws). */
export function restrictModel(g: GenerativeModel, scores: Float64Array, columns: Int32Array): { model: GenerativeModel; sub: { scores: Float64Array; n: number; columns: Int32Array } } {
  const s = columns.length;
  const pick = <T extends Float64Array | Uint8Array>(x: T, per = 1): T => {
    const out = new (x.constructor as { new (len: number): T })(s * per);
    for (let j = 0; j < s; j++) for (let u = 0; u < per; u++) out[j * per + u] = x[columns[j] * per + u];
    return out;
  };
  const sub = selectColumns(scores, g.m, g.nTotal, columns);
  const model: GenerativeModel = { ...g, nTotal: s, a: pick(g.a), b: pick(g.b), c: pick(g.c), estimated: pick(g.estimated), itemCov: pick(g.itemCov, 3), precision: g.precision ? pick(g.precision) : null };
  return { model, sub: { scores: sub, n: s, columns: Int32Array.from({ length: s }, (_, j) => j) } };
}

export class ParametricNull implements NullSampler {
  readonly method = 'parametric-bootstrap';
  readonly m: number;
  readonly n: number;
  private readonly g: GenerativeModel;
  private readonly scores: Float64Array;
  private readonly columns: Int32Array;
  private readonly seed: number;

  constructor(g: GenerativeModel, scores: Float64Array, columns: Int32Array, seed: number) {
    this.g = g;
    this.m = g.m;
    this.n = columns.length;
    this.scores = scores;
    this.columns = columns;
    this.seed = seed;
  }

  draw(rep: number, out: Float64Array): void {
    const { m, nTotal, a, b, c, estimated, theta, thetaSd, itemCov, precision } = this.g;
    const rng = FastRng.forReplicate(this.seed, 'nullC', rep);
    const th = new Float64Array(m);
    for (let k = 0; k < m; k++) th[k] = theta[k] + thetaSd[k] * normal(rng);
    for (let j = 0; j < this.n; j++) {
      const i = this.columns[j];
      const o = j * m;
      let ai = a[i], bi = b[i];
      const vA = itemCov[3 * i], cAB = itemCov[3 * i + 1], vB = itemCov[3 * i + 2];
      if (estimated[i] && vA > 0 && vB > 0) {
        const dA = Math.sqrt(vA) * normal(rng);
        ai = a[i] * Math.exp(dA);
        bi = b[i] + (cAB / vA) * dA + Math.sqrt(Math.max(0, vB - (cAB * cAB) / vA)) * normal(rng);
      }
      for (let k = 0; k < m; k++) {
        const x = this.scores[k * nTotal + i];
        if (x !== x) {
          out[o + k] = NaN;
          continue;
        }
        if (!estimated[i]) {
          out[o + k] = x;
          continue;
        }
        const P = c[i] + (1 - c[i]) / (1 + Math.exp(-ai * (th[k] - bi)));
        out[o + k] = precision ? beta(rng, P * precision[i], (1 - P) * precision[i]) : rng.next() < P ? 1 : 0;
      }
    }
  }
}

export function normal(rng: FastRng): number {
  let u = 0;
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), with the shape < 1 boost. */
function gamma(rng: FastRng, shape: number): number {
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = rng.next();
    return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const cc = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x, v;
    do {
      x = normal(rng);
      v = 1 + cc * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function beta(rng: FastRng, alpha: number, betaParam: number): number {
  if (!(alpha > 1e-9)) return 0;
  if (!(betaParam > 1e-9)) return 1;
  const x = gamma(rng, alpha);
  const y = gamma(rng, betaParam);
  return x + y > 0 ? x / (x + y) : alpha / (alpha + betaParam);
}

export interface NullCOptions {
  metric: SimilarityMetric;
  /** Pairs for the distribution statistics (as correlate's --pair-sample). */
  pairSample: number;
  /** As correlate's --max-test-cells: above it, a prompt sample (the same one correlate used). */
  maxTestCells?: number;
  minCommonModels: number;
  /** Replicates. */
  B: number;
}

export interface NullCOutput {
  test: NullTest;
  /** B × 3: each replicate's mean, mean squared similarity and KS D. */
  replicates: Float64Array;
  /** Coarse histograms (shares) of the observed pair similarities and the pooled Null C ones. */
  histograms: { lo: number; hi: number; bins: number; observed: number[]; nullC: number[] };
  /** The prompts (dataset columns) and pairs (indices into them) the statistics use. */
  columns: Int32Array;
  pairs: Int32Array;
  exactPairs: boolean;
  /** Present when the prompts are correlate's prompt sample (models × used prompts above --max-test-cells). */
  promptSample?: { sampled: number; of: number };
}

/** Runs replicates [0, B) of Null C (in this thread by default; the stage may pass worker threads). */
export type NullCRunner = (model: GenerativeModel, spec: ReplicateSpec, B: number, tick: (k: number) => void) => Promise<ReplicateBatch>;

export const inThreadNullC: NullCRunner = async (model, spec, B, tick) => runReplicates(spec, 0, B, () => tick(1), new ParametricNull(model, spec.scores, spec.columns, spec.seed));

/**
 * Null C's test: observed statistics on the same prompts and pairs as correlate (same selection,
 * same seeded pair sample for the same seed and options), against B replicates from the fit.
 * Null when fewer than 3 prompts vary.
 */
export async function nullC(scores: Float64Array, m: number, n: number, fit: IrtFit, binary: boolean, o: NullCOptions, seed: number, runner: NullCRunner = inThreadNullC, tick: (k: number) => void = () => {}): Promise<NullCOutput | null> {
  const minCommon = Math.max(o.metric === 'pearson' ? 3 : 2, Math.floor(o.minCommonModels));
  const { used } = selectPrompts(scores, m, n, minCommon);
  const nu = used.length;
  if (nu < 3 || m < minCommon) return null;
  // The correlate stage's prompts and pair sample for this seed: the observed column matches correlate.json.
  const design = chooseTestDesign(nu, m, o.pairSample, o.maxTestCells ?? DEFAULT_MAX_TEST_CELLS, createRng(seed).fork('correlate'));
  const pairSet = design.pairSet;
  const columns = design.sampled ? Int32Array.from(design.prompts, (i) => used[i]) : used;
  const nt = columns.length;
  const prep = prepareColumns(o.metric, extractColumns(scores, m, n, columns), m, nt, minCommon, binary);
  let incomplete = 0;
  for (let i = 0; i < nt; i++) if (!prep.complete[i]) incomplete++;
  const closedMean = incomplete === 0 && (o.metric === 'pearson' || o.metric === 'cosine');
  const closedSquared = closedMean && nt * m <= 2 * pairSet.pairs.length;
  const hs = histSpec(o.metric);
  const bins = hs.steps + 1;
  const obsHist = new Int32Array(bins);
  const obs = evaluate(prep, pairSet.pairs, closedMean, closedSquared, obsHist, hs);
  const B = Math.max(1, Math.floor(o.B));
  // `kind` is unused here: the replicates come from the ParametricNull the runner builds.
  // With a prompt sample, replicates (and worker threads) get only its columns and their parameters.
  const full = generativeModel(fit, scores, binary);
  const { model, sub } = design.sampled ? restrictModel(full, scores, columns) : { model: full, sub: { scores, n, columns } };
  const spec: ReplicateSpec = { metric: o.metric, minCommon, binary, m, nTotal: sub.n, scores: sub.scores, columns: sub.columns, pairs: pairSet.pairs, closedMean, closedSquared, kind: 'A', seed: createRng(seed).fork('irt').fork('nullC').int(0x7fffffff), trades: 0 };
  const batch = await runner(model, spec, B, tick);
  const test = nullTest('parametric-bootstrap', B, obs.mean, obs.meanSquared, obsHist, batch, bins);
  const [lo, hi] = metricRange(o.metric);
  return {
    test,
    replicates: replicateTable(batch, test.ksReplicates),
    histograms: { lo, hi, bins: 40, observed: coarsen(obsHist, hs, 40), nullC: coarsen(test.pooled, hs, 40) },
    columns,
    pairs: pairSet.pairs,
    exactPairs: pairSet.exact && !design.sampled,
    ...(design.sampled ? { promptSample: { sampled: nt, of: nu } } : {}),
  };
}

/**
 * The discrimination scale Null C is generated at. With tens of models per prompt the estimated
 * discriminations are biased upwards (as logistic-regression slopes are in small samples: +0.15 in
 * log a at 30 models, most of it in the steepest prompts), so a null generated from them produces
 * more co-variation than one ability axis does, and the test loses its power (mean z −3 to −4 on
 * 30 × 1,000 2PL matrices). A single bootstrap refit underestimates that bias several-fold (it is
 * far from constant in a), so the scale is matched by the method of moments instead: the common
 * factor s on every a at which the null's mean similarity equals the observed one (secant on log s,
 * `replicates` replicates per evaluation with common random numbers). The mean similarity is then
 * matched, not tested; the mean squared similarity and the KS distance test the shape of the
 * distribution beyond it. Returns log s (the log a shift is −log s).
 */
export async function matchDiscriminationScale(scores: Float64Array, m: number, n: number, fit: IrtFit, binary: boolean, o: NullCOptions, seed: number, runner: NullCRunner = inThreadNullC, replicates = 10): Promise<{ logScale: number; evaluations: number; matched: boolean }> {
  const scaled = (ls: number): IrtFit => ({ ...fit, a: fit.a.map((a) => a * Math.exp(ls)) });
  let evaluations = 0;
  const gap = async (ls: number): Promise<number> => {
    evaluations++;
    const r = await nullC(scores, m, n, scaled(ls), binary, { ...o, B: replicates }, seed, runner);
    return r ? r.test.nullMean - r.test.observed : NaN;
  };
  const LIMIT = 2;
  let x0 = 0;
  let f0 = await gap(0);
  if (!Number.isFinite(f0)) return { logScale: 0, evaluations, matched: false };
  // Bracket the root: more discrimination, more co-variation (the gap grows with log s).
  let x1 = f0 > 0 ? -0.25 : 0.25;
  let f1 = await gap(x1);
  while (Math.sign(f1) === Math.sign(f0) && Math.abs(x1) < LIMIT) {
    x0 = x1;
    f0 = f1;
    x1 = Math.max(-LIMIT, Math.min(LIMIT, x1 * 2));
    f1 = await gap(x1);
  }
  if (Math.sign(f1) === Math.sign(f0)) return { logScale: Math.abs(f1) < Math.abs(f0) ? x1 : x0, evaluations, matched: false };
  // Illinois regula falsi inside the bracket [x0, x1].
  let side = 0;
  for (let it = 0; it < 12; it++) {
    const x = x1 - (f1 * (x1 - x0)) / (f1 - f0);
    const f = await gap(x);
    if (Math.abs(f) < 1e-5 || Math.abs(x1 - x0) < 1e-3) return { logScale: x, evaluations, matched: true };
    if (Math.sign(f) === Math.sign(f1)) {
      x1 = x;
      f1 = f;
      if (side === -1) f0 /= 2;
      side = -1;
    } else {
      x0 = x1;
      f0 = f1;
      x1 = x;
      f1 = f;
      side = 1;
    }
  }
  return { logScale: Math.abs(f0) < Math.abs(f1) ? x0 : x1, evaluations, matched: true };
}

/** Null C at the matched discrimination scale (`matchDiscriminationScale`, then `nullC`). */
export async function scaledNullC(scores: Float64Array, m: number, n: number, fit: IrtFit, binary: boolean, o: NullCOptions, seed: number, runner: NullCRunner = inThreadNullC, tick: (k: number) => void = () => {}): Promise<{ scale: { logScale: number; evaluations: number; matched: boolean }; fit: IrtFit; result: NullCOutput | null }> {
  const scale = await matchDiscriminationScale(scores, m, n, fit, binary, o, seed, runner);
  const scaled = { ...fit, a: fit.a.map((a) => a * Math.exp(scale.logScale)) };
  return { scale, fit: scaled, result: await nullC(scores, m, n, scaled, binary, o, seed, runner, tick) };
}

/** A NullCRunner over `workers` threads (contiguous replicate ranges; results do not depend on the split). */
export function workerNullC(workers: number): NullCRunner {
  return (model, spec, B, tick) =>
    splitReplicates(spec.metric, B, workers, (from, to) => runWorker<ReplicateBatch>(new URL('./worker.ts', import.meta.url), { model, spec, from, to }, { label: 'irt', onTick: tick }));
}
