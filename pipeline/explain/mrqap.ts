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
import type { Rng } from '../core/rng.ts';
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

const BLOCKS: Block[] = ['semantic', 'failure', 'difficulty'];

export function mrqap(inp: MrqapInput): MrqapOutput {
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

  // Focal residualisations (shared by all responses): E_k = x_k − Σ γ x_others (standardised units).
  const gammas = new Map<number, Float64Array>(); // full-length q vector: coefficient per predictor (1 at k)
  for (const k of active) {
    const others = active.filter((t) => t !== k);
    const f = fitSubset(G, r, others, k);
    const g = new Float64Array(q);
    g[k] = 1;
    f.used.forEach((t, u) => (g[t] = -f.beta[u]));
    gammas.set(k, g);
  }

  // Per response: full fit, block fits, response residuals r_k per focal, observed statistics.
  const semanticIdx = kept.findIndex((s) => s.kind === 'cosine');
  const results: RegressionResult[] = [];
  const resid: Float64Array[][] = []; // [response][active order]
  const obsT: number[][] = [];
  const mantelObs: number[] = [];
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
    const ts: number[] = [];
    active.forEach((k) => {
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
      const T = corrWithCombo(X, gammas.get(k)!, rk, w, P);
      ts.push(T);
      coefs.push({ name: kept[k].name, block: kept[k].block, estimate: est, standardized: ySds[y] > 0 ? bStd / ySds[y] : NaN, partialCorrelation: T, p: null });
    });
    resid.push(rs);
    obsT.push(ts);
    mantelObs.push(semanticIdx >= 0 ? corrPlain(X[semanticIdx], Y[y], w, P) : NaN);
    results.push({ r2, partialR2: partial, uniqueR2: unique, intercept, coefficients: coefs, mantel: semanticIdx >= 0 ? { r: mantelObs[y], p: null, pTwoSided: null } : null });
  }

  const B = inp.permutations;
  if (B > 0 && active.length > 0) {
    const countCoef = obsT.map((ts) => new Int32Array(ts.length));
    const countMantel = new Int32Array(R);
    const countMantel2 = new Int32Array(R);
    const map = new Int32Array(inp.n);
    for (let i = 0; i < inp.n; i++) map[i] = i;
    const uni = Int32Array.from(inp.universe);
    const perm = new Int32Array(uni.length);
    const raw = kept.map(() => new Float64Array(P));
    const Xp = kept.map(() => new Float64Array(P));
    const activeSpecs = active.map((t) => kept[t]);
    const activeRaw = active.map((t) => raw[t]);
    const e = new Float64Array(P);
    const EPS = 1e-12;
    for (let b = 0; b < B; b++) {
      perm.set(uni);
      inp.rng.shuffle(perm);
      for (let t = 0; t < uni.length; t++) map[uni[t]] = perm[t];
      evalPredictors(activeSpecs, inp.emb, inp.I, inp.J, map, activeRaw);
      for (const t of active) {
        const x = raw[t];
        const o = Xp[t];
        const mu = means[t];
        const inv = 1 / sds[t];
        for (let p = 0; p < P; p++) o[p] = (x[p] - mu) * inv;
      }
      active.forEach((k, a) => {
        const g = gammas.get(k)!;
        e.fill(0);
        for (const t of active) {
          const gt = g[t];
          if (gt === 0) continue;
          const xt = Xp[t];
          for (let p = 0; p < P; p++) e[p] += gt * xt[p];
        }
        for (let y = 0; y < R; y++) {
          const T = corrPlain(e, resid[y][a], w, P);
          if (Math.abs(T) >= Math.abs(obsT[y][a]) - EPS) countCoef[y][a]++;
        }
      });
      if (semanticIdx >= 0 && !collinear.has(semanticIdx)) {
        for (let y = 0; y < R; y++) {
          const T = corrPlain(Xp[semanticIdx], Y[y], w, P);
          if (T >= mantelObs[y] - EPS) countMantel[y]++;
          if (Math.abs(T) >= Math.abs(mantelObs[y]) - EPS) countMantel2[y]++;
        }
      }
      inp.onPermutation?.();
    }
    for (let y = 0; y < R; y++) {
      results[y].coefficients.forEach((c, a) => (c.p = (1 + countCoef[y][a]) / (B + 1)));
      const mt = results[y].mantel;
      if (mt && semanticIdx >= 0 && !collinear.has(semanticIdx)) {
        mt.p = (1 + countMantel[y]) / (B + 1);
        mt.pTwoSided = (1 + countMantel2[y]) / (B + 1);
      }
    }
  }
  return { results, dropped, kept };
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
