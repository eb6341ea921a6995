/**
 * Local dependence after the unidimensional fit (METHOD §2b): Yen's Q3 and residual groups.
 *
 * Q3_ij is the Pearson correlation, over the models that have both, of the residuals
 * S[k,i] − P̂_i(θ̂_k) of prompts i and j. It is computed on the same prompt pairs as the
 * similarity statistics (all pairs, or correlate's seeded pair sample when there are more than
 * --pair-sample). Q3 is biased slightly negative (θ̂_k is estimated from the same cells), so it is
 * judged against its Null C distribution: each replicate draws a matrix from the fit (ParametricNull),
 * re-estimates every model's ability on it with the item parameters fixed, and computes Q3 on the
 * same pairs. Residual groups: prompts whose residuals co-vary, found by k-means (k by silhouette)
 * on the prompts' loadings on the leading principal components of the standardised residuals.
 */
import type { Rng } from '../core/rng.ts';
import type { NullComparison } from '../correlate/index.ts';
import { prepareColumns, pairSimilarity, upperGram } from '../correlate/similarity.ts';
import { evaluate, histSpec } from '../correlate/replicates.ts';
import { compare, quantileSorted } from '../correlate/stats.ts';
import { normalUpperTail } from '../core/stats.ts';
import { clusterPoints } from '../cluster/cluster.ts';
import { DEFAULT_KMEANS_OPTIONS } from '../cluster/cluster.ts';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { abilityMode, prob, refitItem, type IrtFit } from './fit.ts';
import { selectColumns } from '../correlate/nulls/types.ts';
import { generativeModel, ParametricNull, restrictModel, type GenerativeModel } from './null.ts';
import { runWorker, siblingModule } from '../core/worker-call.ts';

/**
 * Residuals S[k,i] − P̂_i(θ̂_k) as an m × n row-major matrix (NaN where the cell is missing or the
 * prompt was not estimated). Explain can regress Q3 = Pearson correlation of two columns on
 * semantic similarity from this.
 */
export function residualMatrix<T extends Float64Array | Float32Array = Float64Array>(scores: Float64Array, fit: Pick<IrtFit, 'm' | 'n' | 'a' | 'b' | 'c' | 'theta' | 'estimated'>, out?: T): T {
  const { m, n } = fit;
  // Written straight into `out` (the stage passes a Float32Array: no m × n Float64 copy at scale).
  out ??= new Float64Array(m * n) as T;
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < n; i++) {
      const x = scores[k * n + i];
      out[k * n + i] = x !== x || !fit.estimated[i] ? NaN : x - prob(fit.a[i], fit.b[i], fit.c[i], fit.theta[k]);
    }
  }
  return out;
}

/** Column-major residual columns of the chosen prompts (the layout prepareColumns takes). */
function residualColumns(scores: Float64Array, m: number, n: number, columns: Int32Array, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, theta: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let j = 0; j < columns.length; j++) {
    const i = columns[j];
    for (let k = 0; k < m; k++) {
      const x = scores[k * n + i];
      out[j * m + k] = x !== x ? NaN : x - prob(a[i], b[i], c[i], theta[k]);
    }
  }
  return out;
}

export interface Q3Summary {
  /** Prompt pairs Q3 was computed on, and whether that is every pair. */
  pairs: number;
  exact: boolean;
  observed: { mean: number; meanSquared: number; p99: number; max: number };
  /** Null C distribution of the mean and mean squared Q3 (R replicates). */
  nullC: {
    replicates: number;
    mean: NullComparison;
    meanSquared: NullComparison;
    /** One-sided p of the mean square's z under a normal approximation of its replicates (the families verdict's Q3 p). */
    meanSquaredNormalP: number | null;
    /** The variance of Q3 over pairs (mean square − mean²). */
    variance?: NullComparison;
    p99: number;
  };
  /** Observed pairs whose Q3 exceeds Null C's pooled 99th percentile, and how many 1% of pairs would be. */
  pairsAboveNullP99: number;
  expectedAboveNullP99: number;
}

export interface ResidualGroup {
  /** Dataset item indices. */
  prompts: number[];
  size: number;
  /** Mean Q3 over pairs within the group (all pairs up to 5,000, else a seeded sample). */
  strength: number;
}

/**
 * Q3 on the given pairs (indices into `columns`) against R Null C replicates. `columns` are the
 * prompts that vary (correlate's selection) and are estimated.
 */
export function q3Test(scores: Float64Array, m: number, n: number, fit: IrtFit, gen: IrtFit, binary: boolean, columns: Int32Array, pairs: Int32Array, exact: boolean, R: number, seed: number, refitRounds = 1): { summary: Q3Summary; values: Float64Array } {
  const { observed, task } = q3Setup(scores, m, n, fit, gen, binary, columns, pairs, R, seed, refitRounds);
  return q3Summarise(observed, task, q3Replicates(task, 0, R), exact);
}

/**
 * Q3 with its replicates split over `workers` threads (q3-worker.ts; replicate r depends only on
 * the seed and r, so the summary is the same number for any split).
 */
export async function q3TestParallel(scores: Float64Array, m: number, n: number, fit: IrtFit, gen: IrtFit, binary: boolean, columns: Int32Array, pairs: Int32Array, exact: boolean, R: number, seed: number, workers: number, refitRounds = 1): Promise<{ summary: Q3Summary; values: Float64Array }> {
  const { observed, task } = q3Setup(scores, m, n, fit, gen, binary, columns, pairs, R, seed, refitRounds);
  const cut = Array.from({ length: workers + 1 }, (_, w) => Math.floor((R * w) / workers));
  const url = siblingModule('q3-worker', import.meta.url);
  const remote = cut.slice(1, -1).map((from, w) => runWorker<Q3ReplicateBatch>(url, { task, from, to: cut[w + 2] }, { label: 'irt q3' }));
  const first = q3Replicates(task, 0, cut[1]);
  const parts = [first, ...(await Promise.all(remote))];
  const merged: Q3ReplicateBatch = { means: parts.flatMap((x) => x.means), squares: parts.flatMap((x) => x.squares), pooled: parts.flatMap((x) => x.pooled) };
  return q3Summarise(observed, task, merged, exact);
}

/** Everything a Q3 replicate needs, on the compact m × nu matrix of the chosen prompts (structured-clone friendly). */
export interface Q3Task {
  m: number;
  nu: number;
  /** The generative model and the compact scores restricted to the chosen prompts. */
  model: GenerativeModel;
  sub: Float64Array;
  c: Float64Array;
  genA: Float64Array;
  genB: Float64Array;
  genTheta: Float64Array;
  prior: IrtFit['prior'];
  pairs: Int32Array;
  R: number;
  seed: number;
  refitRounds: number;
}

export interface Q3ReplicateBatch {
  means: number[];
  squares: number[];
  /** Thinned replicate Q3 values, in replicate order. */
  pooled: number[];
}

interface Q3Observed {
  values: Float64Array;
  mean: number;
  meanSquared: number;
}

/**
 * Joint refinement (items given abilities, then abilities given items), the same on the observed
 * matrix and on every replicate, so that both residuals come from the same estimator.
 */
function refine(S: Float64Array, m: number, nu: number, theta: Float64Array, ra: Float64Array, rb: Float64Array, c: Float64Array, prior: IrtFit['prior'], rounds: number): void {
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < nu; j++) {
      const [la, bi] = refitItem((k) => S[k * nu + j], theta, c[j], prior, Math.log(ra[j]), rb[j]);
      ra[j] = Math.exp(la);
      rb[j] = bi;
    }
    for (let k = 0; k < m; k++) theta[k] = abilityMode(S.subarray(k * nu, (k + 1) * nu), ra, rb, c, null, theta[k])[0];
  }
}

function q3Setup(scores: Float64Array, m: number, n: number, fit: IrtFit, gen: IrtFit, binary: boolean, columns: Int32Array, pairs: Int32Array, R: number, seed: number, refitRounds: number): { observed: Q3Observed; task: Q3Task } {
  const nu = columns.length;
  const P = pairs.length / 2;
  const hs = histSpec('pearson');
  // Everything below works on the chosen prompts only, as a compact m × nu matrix with their
  // parameters (local index j = columns[j]), so a replicate costs m × nu whatever the benchmark's size.
  const local = Int32Array.from({ length: nu }, (_, j) => j);
  const pick = (x: Float64Array) => Float64Array.from(columns, (i) => x[i]);
  const c = pick(fit.c);
  const ra = pick(fit.a);
  const rb = pick(fit.b);
  const theta = Float64Array.from(fit.theta);
  const { model, sub } = restrictModel(generativeModel(gen, scores, binary), scores, columns);
  refine(sub.scores, m, nu, theta, ra, rb, c, fit.prior, refitRounds);
  const cols = residualColumns(sub.scores, m, nu, local, ra, rb, c, theta, new Float64Array(nu * m));
  const values = new Float64Array(P);
  const prep = prepareColumns('pearson', cols, m, nu, 3, false);
  const obs = evaluate(prep, pairs, false, false, new Int32Array(hs.steps + 1), hs, values);
  const task: Q3Task = { m, nu, model, sub: sub.scores, c, genA: pick(gen.a), genB: pick(gen.b), genTheta: Float64Array.from(gen.theta), prior: fit.prior, pairs, R, seed, refitRounds };
  return { observed: { values, mean: obs.mean, meanSquared: obs.meanSquared }, task };
}

/** Null C replicates [from, to) of Q3. */
export function q3Replicates(t: Q3Task, from: number, to: number): Q3ReplicateBatch {
  const { m, nu, c, genA, genB, genTheta, prior, pairs, R } = t;
  const P = pairs.length / 2;
  const hs = histSpec('pearson');
  const local = Int32Array.from({ length: nu }, (_, j) => j);
  const sampler = new ParametricNull(t.model, t.sub, local, t.seed);
  const ra = new Float64Array(nu);
  const rb = new Float64Array(nu);
  const theta = new Float64Array(m);
  const draw = new Float64Array(nu * m);
  const full = new Float64Array(m * nu);
  const repValues = new Float64Array(P);
  const out: Q3ReplicateBatch = { means: [], squares: [], pooled: [] };
  // Keep a thinned pool of replicate Q3 values for the null's 99th percentile.
  const step = Math.max(1, Math.floor((P * R) / 200_000));
  let rprep;
  for (let r = from; r < to; r++) {
    sampler.draw(r, draw);
    for (let j = 0; j < nu; j++) for (let k = 0; k < m; k++) full[k * nu + j] = draw[j * m + k];
    // The replicate goes through the observed residuals' estimation: abilities, then every prompt's
    // (log a, b) given them, then the abilities again (one joint-maximisation round from the truth).
    ra.set(genA);
    rb.set(genB);
    for (let k = 0; k < m; k++) theta[k] = abilityMode(full.subarray(k * nu, (k + 1) * nu), ra, rb, c, null, genTheta[k])[0];
    refine(full, m, nu, theta, ra, rb, c, prior, t.refitRounds);
    residualColumns(full, m, nu, local, ra, rb, c, theta, draw);
    rprep = prepareColumns('pearson', draw, m, nu, 3, false, rprep);
    const st = evaluate(rprep, pairs, false, false, new Int32Array(hs.steps + 1), hs, repValues);
    out.means.push(st.mean);
    out.squares.push(st.meanSquared);
    for (let q = r % step; q < P; q += step) if (repValues[q] === repValues[q]) out.pooled.push(repValues[q]);
  }
  return out;
}

function q3Summarise(observed: Q3Observed, task: Q3Task, reps: Q3ReplicateBatch, exact: boolean): { summary: Q3Summary; values: Float64Array } {
  const { values } = observed;
  const sorted = Array.from(values).filter((v) => v === v).sort((x, y) => x - y);
  const pooled = reps.pooled.slice().sort((x, y) => x - y);
  const { means, squares } = reps;
  const msq = compare(observed.meanSquared, squares);
  const spread = compare(observed.meanSquared - observed.mean * observed.mean, squares.map((q, r) => q - means[r] * means[r]));
  const p99 = quantileSorted(pooled, 0.99);
  let above = 0;
  for (const v of sorted) if (v > p99) above++;
  return {
    summary: {
      pairs: task.pairs.length / 2,
      exact,
      observed: { mean: observed.mean, meanSquared: observed.meanSquared, p99: quantileSorted(sorted, 0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN },
      nullC: { replicates: task.R, mean: compare(observed.mean, means), meanSquared: msq, meanSquaredNormalP: Number.isFinite(msq.z) ? normalUpperTail(msq.z) : null, variance: spread, p99 },
      pairsAboveNullP99: above,
      expectedAboveNullP99: 0.01 * sorted.length,
    },
    values,
  };
}

/**
 * Groups of prompts with high mutual residual co-variation: k-means (k from 2 to 8 by silhouette)
 * on each prompt's loadings on the top `components` principal components of the standardised
 * residuals (computed through the m × m Gram matrix, as METHOD §1 does for similarities).
 * Groups of fewer than 3 prompts are dropped; the rest are sorted by strength (mean within Q3).
 */
export function residualGroups(scores: Float64Array, m: number, n: number, fit: IrtFit, columns: Int32Array, components: number, rng: Rng): ResidualGroup[] {
  const nu = columns.length;
  if (nu < 6 || m < 4) return [];
  const cols = residualColumns(scores, m, n, columns, fit.a, fit.b, fit.c, fit.theta, new Float64Array(nu * m));
  // Standardise each column over its observed models; missing → 0 (the column mean).
  for (let j = 0; j < nu; j++) {
    let s = 0, ss = 0, c = 0;
    for (let k = 0; k < m; k++) {
      const v = cols[j * m + k];
      if (v === v) {
        s += v;
        ss += v * v;
        c++;
      }
    }
    const mu = c ? s / c : 0;
    const sd = c > 1 ? Math.sqrt(Math.max(ss / c - mu * mu, 0)) : 0;
    for (let k = 0; k < m; k++) {
      const v = cols[j * m + k];
      cols[j * m + k] = v === v && sd > 1e-12 ? (v - mu) / sd / Math.sqrt(m) : 0;
    }
  }
  const coords = leadingComponentScores(cols, m, nu, Math.max(1, Math.min(components, m - 1)));
  const d = coords.length / nu;
  const chosen = clusterPoints(coords, nu, d, { ...DEFAULT_KMEANS_OPTIONS, kMin: 2, kMax: 8, restarts: 3 }, rng);
  const labels = chosen.assignments;
  const prep = prepareColumns('pearson', residualColumns(scores, m, n, columns, fit.a, fit.b, fit.c, fit.theta, new Float64Array(nu * m)), m, nu, 3, false);
  const groups: ResidualGroup[] = [];
  for (let g = 0; g < chosen.k; g++) {
    const members: number[] = [];
    for (let j = 0; j < nu; j++) if (labels[j] === g) members.push(j);
    if (members.length < 3) continue;
    let s = 0, c = 0;
    const pairsWithin = (members.length * (members.length - 1)) / 2;
    const sample = pairsWithin <= 5000;
    const gr = rng.fork(`strength-${g}`);
    for (let t = 0; t < (sample ? pairsWithin : 5000); t++) {
      let x: number, y: number;
      if (sample) {
        // Enumerate all pairs in order.
        let q = t, a = 0;
        while (q >= members.length - 1 - a) {
          q -= members.length - 1 - a;
          a++;
        }
        x = members[a];
        y = members[a + 1 + q];
      } else {
        x = members[gr.int(members.length)];
        do y = members[gr.int(members.length)];
        while (y === x);
      }
      const v = pairSimilarity(prep, x, y);
      if (v === v) {
        s += v;
        c++;
      }
    }
    groups.push({ prompts: members.map((j) => columns[j]), size: members.length, strength: c ? s / c : NaN });
  }
  groups.sort((x, y) => y.strength - x.strength);
  return groups;
}

/** Models from which residual groups may go through the prompts × prompts Gram matrix (below, exactly the previous numbers). */
const PROMPT_GRAM_FROM_MODELS = 1000;

/**
 * Each column's scores on the leading `d` principal components of the column-major nu × m matrix
 * `cols` (nu × d, row-major). Through the m × m Gram matrix, or, with thousands of models and fewer
 * columns, the nu × nu one (the same non-zero eigenvalues; a column's score is √λ times its entry of
 * the eigenvector), so the cost stays min(m, nu)² · max(m, nu).
 */
export function leadingComponentScores(cols: Float64Array, m: number, nu: number, d: number, via: 'models' | 'prompts' = m > PROMPT_GRAM_FROM_MODELS && nu < m ? 'prompts' : 'models'): Float64Array {
  const coords = new Float64Array(nu * d);
  if (via === 'models') {
    const g = upperGram(cols, m, nu);
    const G = new Matrix(m, m);
    for (let k = 0; k < m; k++) for (let l = 0; l <= k; l++) (G.set(k, l, g[l * m + k]), G.set(l, k, g[l * m + k]));
    const e = new EigenvalueDecomposition(G, { assumeSymmetric: true });
    const vals = e.realEigenvalues;
    const order = vals.map((_, i) => i).sort((x, y) => vals[y] - vals[x]);
    for (let t = 0; t < d; t++) {
      const vec = e.eigenvectorMatrix.getColumn(order[t]);
      for (let j = 0; j < nu; j++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += cols[j * m + k] * vec[k];
        coords[j * d + t] = s;
      }
    }
    return coords;
  }
  const K = new Matrix(nu, nu);
  for (let i = 0; i < nu; i++) {
    const oi = i * m;
    for (let j = 0; j <= i; j++) {
      const oj = j * m;
      let s = 0;
      for (let k = 0; k < m; k++) s += cols[oi + k] * cols[oj + k];
      K.set(i, j, s);
      K.set(j, i, s);
    }
  }
  const e = new EigenvalueDecomposition(K, { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const order = vals.map((_, i) => i).sort((x, y) => vals[y] - vals[x]);
  for (let t = 0; t < d; t++) {
    const vec = e.eigenvectorMatrix.getColumn(order[t]);
    const root = Math.sqrt(Math.max(0, vals[order[t]]));
    for (let j = 0; j < nu; j++) coords[j * d + t] = root * vec[j];
  }
  return coords;
}
