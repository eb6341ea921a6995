/**
 * Pairwise regression with permutation inference that respects the pair structure.
 *
 * Model (weighted least squares over the sampled pairs, Horvitz–Thompson weights):
 *   y_ij = b0 + Σ_c b_c x_c(i, j) + e_ij
 * Inference: MRQAP with double semi-partialling (Dekker, Krackhardt & Snijders 2007). For each
 * focal predictor k: residualise x_k on the other predictors (E_k, a fixed linear function of the
 * per-prompt values, so it can be evaluated at any pair), residualise y on the other predictors
 * (r_k); the statistic is the weighted correlation T_k = corr(E_k, r_k), which at the identity is
 * the partial correlation of y and x_k given the rest (a monotone function of the t-statistic,
 * hence pivotal). Under a permutation π of prompt labels, E_k is evaluated at (π(i), π(j)) and
 * correlated with the same fixed r_k. Two-sided p = (1 + #{|T_k^π| ≥ |T_k|}) / (B + 1).
 * Mantel test (semantic cosine alone): T = corr(s, y), s evaluated at (π(i), π(j));
 * one-sided p = (1 + #{T^π ≥ T}) / (B + 1) (the hypothesis is a positive association), two-sided also given.
 * Ordinary least-squares standard errors are never computed: the pairs share prompts.
 */
import { createRng, type Rng } from '../core/rng.ts';
import { evalPredictors, isBinaryPredictor, type Block, type Embedding, type PredictorSpec } from './design.ts';
import { fitSubset, gram } from './lsq.ts';

export interface CoefficientResult {
  name: string;
  block: Block;
  /** Raw-unit coefficient (change in y per unit of the predictor, others held fixed). */
  estimate: number;
  /** Coefficient in standard-deviation units of predictor and response. */
  standardized: number;
  /** Partial correlation of y and the predictor given the others (the permutation statistic). */
  partialCorrelation: number;
  /** MRQAP (double semi-partialling) permutation p-value, two-sided; null without permutations. */
  p: number | null;
}

export interface DroppedPredictor {
  name: string;
  block: Block;
  reason: string;
}

export interface BlockR2 {
  semantic: number | null;
  failure: number | null;
  difficulty: number | null;
}

export interface MantelResult {
  /** Weighted Pearson correlation of semantic cosine and the response over the sampled pairs. */
  r: number;
  /** One-sided (greater) permutation p-value. */
  p: number | null;
  pTwoSided: number | null;
  /**
   * The same correlation computed exactly over every pair of eligible prompts (unweighted), when
   * there are at most 3 million such pairs; null above that (the weighted sample estimate `r` stands).
   */
  rAllPairs?: number | null;
  /** Pairs behind rAllPairs. */
  allPairs?: number | null;
  /**
   * Permutation p-values of rAllPairs (the Mantel permutation run over all pairs), when affordable
   * (pairs × permutations within a budget); null otherwise, and then `p` belongs to the sample's r only.
   */
  pAllPairs?: number | null;
  pAllPairsTwoSided?: number | null;
  /** Permutations behind pAllPairs (may be fewer than the sample test's, to bound the cost). */
  allPairsPermutations?: number | null;
}

export interface RegressionResult {
  r2: number;
  /** Partial R² per block: (R²_full − R²_without_block) / (1 − R²_without_block); null when the block has no predictor. */
  partialR2: BlockR2;
  /** Unique R² per block: R²_full − R²_without_block. */
  uniqueR2: BlockR2;
  intercept: number;
  coefficients: CoefficientResult[];
  mantel: MantelResult | null;
}

export interface MrqapInput {
  specs: PredictorSpec[];
  emb: Embedding | null;
  I: Int32Array;
  J: Int32Array;
  w: Float64Array;
  /** One or more responses over the same pairs (e.g. similarity and its excess over Null B). */
  responses: Float64Array[];
  /** Prompts whose labels are permuted (all prompts appearing in pairs must be in here). */
  universe: Int32Array;
  n: number;
  permutations: number;
  minTagPairs: number;
  rng: Rng;
  onPermutation?: () => void;
}

export interface MrqapOutput {
  results: RegressionResult[];
  dropped: DroppedPredictor[];
  /** Predictors kept, in order. */
  kept: PredictorSpec[];
}

/**
 * Everything a permutation needs, as plain data (typed arrays and numbers), so that ranges of
 * permutations can run in worker threads. Permutation b draws its relabelling from
 * createRng(seed).fork(b): results do not depend on how the range is split.
 */
export interface PermutationState {
  /** Active predictors (kept and not collinear), evaluated at permuted pairs. */
  specs: PredictorSpec[];
  emb: Embedding | null;
  I: Int32Array;
  J: Int32Array;
  w: Float64Array;
  means: Float64Array;
  sds: Float64Array;
  /** Per focal predictor a (active order): coefficients over the active predictors of E_a. */
  gammas: Float64Array[];
  /** Observed (unpermuted) standardised active predictors, to residualise a permuted E_a on the others. */
  Xa: Float64Array[];
  /** Per focal a: Cholesky factor ((A−1)², row-major) of the weighted Gram of the other active predictors; empty when not positive definite. */
  othersChol: Float64Array[];
  /** resid[y][a]: response y residualised on the predictors other than a. */
  resid: Float64Array[][];
  /** Centred responses (for Mantel). */
  Y: Float64Array[];
  obsT: Float64Array[];
  mantelObs: Float64Array;
  /** Index of the semantic cosine among active predictors, -1 when absent. */
  semantic: number;
  universe: Int32Array;
  n: number;
  seed: number;
}

export interface PermutationCounts {
  /** coef[y][a]: permutations with |T| ≥ |T_obs|. */
  coef: Int32Array[];
  mantel: Int32Array;
  mantelTwoSided: Int32Array;
}

/** Runs permutations [from, to) of a state (in this thread or in workers). */
export type PermutationRunner = (state: PermutationState, B: number, tick: (n: number) => void) => Promise<PermutationCounts>;

export const inThreadPermutations: PermutationRunner = async (state, B, tick) => permutationCounts(state, 0, B, tick);

const BLOCKS: Block[] = ['semantic', 'failure', 'difficulty'];

export interface PreparedMrqap {
  results: RegressionResult[];
  dropped: DroppedPredictor[];
  kept: PredictorSpec[];
  state: PermutationState | null;
}

/** Observed fit, block R², partial correlations, and the permutation state. */
export function prepareMrqap(inp: Omit<MrqapInput, 'permutations' | 'rng' | 'onPermutation'>, seed: number): PreparedMrqap {
  const P = inp.I.length;
  const w = inp.w;
  const dropped: DroppedPredictor[] = [];
  // Observed predictor values.
  const all = inp.specs.map(() => new Float64Array(P));
  evalPredictors(inp.specs, inp.emb, inp.I, inp.J, null, all);
  let W = 0;
  for (let p = 0; p < P; p++) W += w[p];

  // Drop constants and rare binary predictors.
  const keptIdx: number[] = [];
  const means: number[] = [];
  const sds: number[] = [];
  inp.specs.forEach((s, c) => {
    const x = all[c];
    let sx = 0;
    let ones = 0;
    for (let p = 0; p < P; p++) {
      sx += w[p] * x[p];
      if (x[p] === 1) ones++;
    }
    const mean = sx / W;
    let v = 0;
    for (let p = 0; p < P; p++) v += w[p] * (x[p] - mean) * (x[p] - mean);
    const sd = Math.sqrt(v / W);
    if (!(sd > 1e-12)) return void dropped.push({ name: s.name, block: s.block, reason: 'constant over the sampled pairs' });
    if (isBinaryPredictor(s) && ones < inp.minTagPairs) return void dropped.push({ name: s.name, block: s.block, reason: `only ${ones} sampled pair(s) have it (< ${inp.minTagPairs})` });
    keptIdx.push(c);
    means.push(mean);
    sds.push(sd);
  });
  const kept = keptIdx.map((c) => inp.specs[c]);
  const q = kept.length;
  const R = inp.responses.length;

  // Standardised predictors and centred responses; Gram matrix of [X | Y].
  const X = keptIdx.map((c, t) => {
    const x = all[c];
    const o = new Float64Array(P);
    for (let p = 0; p < P; p++) o[p] = (x[p] - means[t]) / sds[t];
    return o;
  });
  const yMeans: number[] = [];
  const ySds: number[] = [];
  const Y = inp.responses.map((y) => {
    let s = 0;
    for (let p = 0; p < P; p++) s += w[p] * y[p];
    const mean = s / W;
    const o = new Float64Array(P);
    let v = 0;
    for (let p = 0; p < P; p++) {
      o[p] = y[p] - mean;
      v += w[p] * o[p] * o[p];
    }
    yMeans.push(mean);
    ySds.push(Math.sqrt(v / W));
    return o;
  });
  const cols = [...X, ...Y];
  const r = cols.length;
  const G = gram(cols, w);
  const xIdx = Array.from({ length: q }, (_, t) => t);

  // Collinear predictors: drop them once, for every response alike.
  const probe = fitSubset(G, r, xIdx, q);
  const collinear = new Set(probe.dropped);
  for (const t of probe.dropped) dropped.push({ name: kept[t].name, block: kept[t].block, reason: 'collinear with earlier predictors' });
  const active = xIdx.filter((t) => !collinear.has(t));
  const A = active.length;

  // Focal residualisations (shared by all responses): E_k = x_k − Σ γ x_others (standardised units),
  // as coefficients over the active predictors.
  const gammas: Float64Array[] = active.map((k) => {
    const others = active.filter((t) => t !== k);
    const f = fitSubset(G, r, others, k);
    const g = new Float64Array(A);
    g[active.indexOf(k)] = 1;
    f.used.forEach((t, u) => (g[active.indexOf(t)] = -f.beta[u]));
    return g;
  });
  const Xa = active.map((t) => X[t]);
  const othersChol = active.map((k) => choleskyOf(G, r, active.filter((t) => t !== k)));

  // Per response: full fit, block fits, response residuals r_k per focal, observed statistics.
  const semantic = active.findIndex((t) => kept[t].kind === 'cosine');
  const results: RegressionResult[] = [];
  const resid: Float64Array[][] = [];
  const obsT: Float64Array[] = [];
  const mantelObs = new Float64Array(R);
  for (let y = 0; y < R; y++) {
    const yCol = q + y;
    const sst = G[yCol * r + yCol];
    const full = fitSubset(G, r, active, yCol);
    const r2 = sst > 0 ? 1 - full.sse / sst : NaN;
    const partial: BlockR2 = { semantic: null, failure: null, difficulty: null };
    const unique: BlockR2 = { semantic: null, failure: null, difficulty: null };
    for (const b of BLOCKS) {
      if (!active.some((t) => kept[t].block === b)) continue;
      const red = fitSubset(G, r, active.filter((t) => kept[t].block !== b), yCol);
      const r2red = sst > 0 ? 1 - red.sse / sst : NaN;
      unique[b] = r2 - r2red;
      partial[b] = 1 - r2red > 0 ? (r2 - r2red) / (1 - r2red) : 0;
    }
    const coefs: CoefficientResult[] = [];
    let intercept = yMeans[y];
    const rs: Float64Array[] = [];
    const ts = new Float64Array(A);
    active.forEach((k, a) => {
      const u = full.used.indexOf(k);
      const bStd = u >= 0 ? full.beta[u] : 0; // per 1 sd of x_k
      const est = bStd / sds[k];
      intercept -= est * means[k];
      // r_k: y residualised on the others.
      const others = active.filter((t) => t !== k);
      const f = fitSubset(G, r, others, yCol);
      const rk = new Float64Array(P);
      const yc = Y[y];
      for (let p = 0; p < P; p++) {
        let s = yc[p];
        for (let v = 0; v < f.used.length; v++) s -= f.beta[v] * X[f.used[v]][p];
        rk[p] = s;
      }
      rs.push(rk);
      const T = corrWithCombo(Xa, gammas[a], rk, w, P);
      ts[a] = T;
      coefs.push({ name: kept[k].name, block: kept[k].block, estimate: est, standardized: ySds[y] > 0 ? bStd / ySds[y] : NaN, partialCorrelation: T, p: null });
    });
    resid.push(rs);
    obsT.push(ts);
    mantelObs[y] = semantic >= 0 ? corrPlain(Xa[semantic], Y[y], w, P) : NaN;
    results.push({ r2, partialR2: partial, uniqueR2: unique, intercept, coefficients: coefs, mantel: semantic >= 0 ? { r: mantelObs[y], p: null, pTwoSided: null } : null });
  }
  const state: PermutationState | null = A
    ? {
        specs: active.map((t) => kept[t]),
        emb: semantic >= 0 ? inp.emb : null,
        I: inp.I,
        J: inp.J,
        w,
        means: Float64Array.from(active, (t) => means[t]),
        sds: Float64Array.from(active, (t) => sds[t]),
        gammas,
        Xa,
        othersChol,
        resid,
        Y,
        obsT,
        mantelObs,
        semantic,
        universe: inp.universe,
        n: inp.n,
        seed,
      }
    : null;
  return { results, dropped, kept, state };
}

/** Permutations [from, to) of the state: how often each statistic reaches the observed one. */
export function permutationCounts(st: PermutationState, from: number, to: number, tick?: (n: number) => void): PermutationCounts {
  const P = st.I.length;
  const A = st.specs.length;
  const R = st.Y.length;
  const w = st.w;
  const coef = st.obsT.map(() => new Int32Array(A));
  const mantel = new Int32Array(R);
  const mantelTwoSided = new Int32Array(R);
  const map = new Int32Array(st.n);
  for (let i = 0; i < st.n; i++) map[i] = i;
  const uni = st.universe;
  const perm = new Int32Array(uni.length);
  const Xp = st.specs.map(() => new Float64Array(P));
  const e = new Float64Array(P);
  const z = new Float64Array(Math.max(0, A - 1));
  let W = 0;
  for (let p = 0; p < P; p++) W += w[p];
  const EPS = 1e-12;
  const base = createRng(st.seed);
  for (let b = from; b < to; b++) {
    perm.set(uni);
    base.fork(b).shuffle(perm);
    for (let t = 0; t < uni.length; t++) map[uni[t]] = perm[t];
    evalPredictors(st.specs, st.emb, st.I, st.J, map, Xp);
    for (let t = 0; t < A; t++) {
      const o = Xp[t];
      const mu = st.means[t];
      const inv = 1 / st.sds[t];
      for (let p = 0; p < P; p++) o[p] = (o[p] - mu) * inv;
    }
    for (let a = 0; a < A; a++) {
      const g = st.gammas[a];
      e.fill(0);
      for (let t = 0; t < A; t++) {
        const gt = g[t];
        if (gt === 0) continue;
        const xt = Xp[t];
        for (let p = 0; p < P; p++) e[p] += gt * xt[p];
      }
      const f = partialFactor(e, a, st.Xa, st.othersChol[a], w, W, z);
      for (let y = 0; y < R; y++) {
        const T = corrPlain(e, st.resid[y][a], w, P) * f;
        if (Math.abs(T) >= Math.abs(st.obsT[y][a]) - EPS) coef[y][a]++;
      }
    }
    if (st.semantic >= 0) {
      for (let y = 0; y < R; y++) {
        const T = corrPlain(Xp[st.semantic], st.Y[y], w, P);
        if (T >= st.mantelObs[y] - EPS) mantel[y]++;
        if (Math.abs(T) >= Math.abs(st.mantelObs[y]) - EPS) mantelTwoSided[y]++;
      }
    }
    tick?.(1);
  }
  return { coef, mantel, mantelTwoSided };
}

/**
 * Dekker et al.'s statistic is the *partial* correlation of the permuted focal residual E_a^π
 * with the response given the other (unpermuted) predictors. The response residual r_a is already
 * orthogonal to the others, so only E_a^π's norm changes: the factor is
 * sqrt(SS(E_a^π) / SS(E_a^π residualised on the others)), with SS weighted and centred.
 * At the observed labels E_a is already orthogonal to the others and the factor is 1.
 */
export function partialFactor(e: Float64Array, a: number, Xa: Float64Array[], L: Float64Array, w: Float64Array, W: number, z: Float64Array): number {
  const m = Xa.length - 1;
  if (m === 0 || L.length === 0) return 1;
  const P = e.length;
  let se = 0;
  for (let p = 0; p < P; p++) se += w[p] * e[p];
  const mean = se / W;
  let ss = 0;
  for (let p = 0; p < P; p++) {
    const d = e[p] - mean;
    ss += w[p] * d * d;
  }
  // c = X_o' W e (the X columns are weighted-centred, so centring e changes nothing here).
  let j = 0;
  for (let t = 0; t < Xa.length; t++) {
    if (t === a) continue;
    const xt = Xa[t];
    let c = 0;
    for (let p = 0; p < P; p++) c += w[p] * e[p] * xt[p];
    z[j++] = c;
  }
  // Forward substitution L z = c, then c' G⁻¹ c = z'z.
  let q = 0;
  for (let i = 0; i < m; i++) {
    let v = z[i];
    for (let k = 0; k < i; k++) v -= L[i * m + k] * z[k];
    v /= L[i * m + i];
    z[i] = v;
    q += v * v;
  }
  const res = ss - q;
  return res > 1e-12 * ss && ss > 0 ? Math.sqrt(ss / res) : 1;
}

/** Cholesky factor of G[idx, idx] (row-major, lower), or an empty array when not positive definite. */
export function choleskyOf(G: Float64Array, r: number, idx: number[]): Float64Array {
  const m = idx.length;
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[idx[i] * r + idx[j]];
      for (let k = 0; k < j; k++) s -= L[i * m + k] * L[j * m + k];
      if (i === j) {
        if (!(s > 1e-12 * Math.max(1, G[idx[i] * r + idx[i]]))) return new Float64Array(0);
        L[i * m + i] = Math.sqrt(s);
      } else L[i * m + j] = s / L[j * m + j];
    }
  }
  return L;
}

/** Add permutation p-values to the prepared results. */
export function finishMrqap(prep: PreparedMrqap, counts: PermutationCounts | null, B: number): MrqapOutput {
  if (counts && B > 0 && prep.state) {
    prep.results.forEach((res, y) => {
      res.coefficients.forEach((c, a) => (c.p = (1 + counts.coef[y][a]) / (B + 1)));
      if (res.mantel && prep.state!.semantic >= 0) {
        res.mantel.p = (1 + counts.mantel[y]) / (B + 1);
        res.mantel.pTwoSided = (1 + counts.mantelTwoSided[y]) / (B + 1);
      }
    });
  }
  return { results: prep.results, dropped: prep.dropped, kept: prep.kept };
}

/** The whole test in this thread (synchronous). */
export function mrqap(inp: MrqapInput): MrqapOutput {
  const prep = prepareMrqap(inp, inp.rng.int(0x7fffffff));
  const B = inp.permutations;
  const counts = B > 0 && prep.state ? permutationCounts(prep.state, 0, B, inp.onPermutation ? () => inp.onPermutation!() : undefined) : null;
  return finishMrqap(prep, counts, B);
}

/** Weighted correlation of (Σ_t g_t X_t) with r. */
function corrWithCombo(X: Float64Array[], g: Float64Array, r: Float64Array, w: Float64Array, P: number): number {
  const e = new Float64Array(P);
  for (let t = 0; t < X.length; t++) {
    const gt = g[t];
    if (gt === 0) continue;
    const xt = X[t];
    for (let p = 0; p < P; p++) e[p] += gt * xt[p];
  }
  return corrPlain(e, r, w, P);
}

/** Weighted Pearson correlation in one pass. */
export function corrPlain(a: Float64Array, b: Float64Array, w: Float64Array, P: number): number {
  let W = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let p = 0; p < P; p++) {
    const wp = w[p];
    const x = a[p];
    const y = b[p];
    W += wp;
    sa += wp * x;
    sb += wp * y;
    saa += wp * x * x;
    sbb += wp * y * y;
    sab += wp * x * y;
  }
  const va = saa - (sa * sa) / W;
  const vb = sbb - (sb * sb) / W;
  if (!(va > 0) || !(vb > 0)) return 0;
  return (sab - (sa * sb) / W) / Math.sqrt(va * vb);
}
