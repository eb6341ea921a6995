/**
 * Unidimensional item response fit (METHOD §2b) by marginal maximum likelihood, EM over
 * Gauss–Hermite quadrature with abilities θ ~ N(0, 1).
 *
 *   P(S[k,i] = 1) = c_i + (1 − c_i) σ(a_i (θ_k − b_i))
 *
 * Rows of the score matrix (models) are the "examinees", columns (prompts) the items. Missing
 * cells are skipped. c_i (lower asymptote) is fixed, never estimated: 0 for the 2PL, 1/#options
 * for multiple choice when asked for. Optional Bayes-modal priors keep estimates finite when a
 * prompt is answered by only tens of models: b ~ N(0, 3²), and log a ~ N(μ, τ²) with μ and τ
 * estimated from all items (empirical Bayes). With tens of models the maximum-likelihood
 * discriminations are noisy and biased away from equality (on Rasch data with 40 models the spread
 * of log â is ~0.6 where the truth is 0); a fixed weak prior leaves much of that, and a null
 * generated from such estimates overstates the correlation a single axis produces.
 *
 * Graded scores x ∈ [0, 1] use the same model as a fractional-response (quasi-binomial) one-factor
 * model: the likelihood term x log P + (1 − x) log(1 − P), i.e. a logit-link factor model whose
 * prompt-specific loading is a_i and whose intercept is −a_i b_i. With 0/1 data it is the 2PL.
 *
 * Quadrature: `fixed` uses the same nodes for every model (as R's ltm); `adaptive` centres and
 * scales them on each model's posterior mode and curvature (Schilling & Bock 2005). With hundreds
 * of prompts per model the posterior is far narrower than the fixed node spacing, and fixed nodes
 * would quantise the abilities (biasing the discriminations down), so adaptive is the default;
 * 7 adaptive points agree with 21 to 1e-6 in log a and b on 30 × 1,000 and 100 × 300 matrices.
 *
 * Identification and speed: every EM cycle re-standardises the abilities of the models compared to
 * posterior mean 0 and second moment 1 (PX-EM, see `standardize`); SQUAREM extrapolation on top.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface PriorSpec {
  /** Prior mean and sd of log a (starting values when `estimateLogA`). */
  logAMean: number;
  logASd: number;
  /**
   * Empirical Bayes: re-estimate the mean and sd of log a from the items in every EM cycle
   * (the random-effects EM update, sd floored at 0.05), so that discriminations are shrunk as much
   * as their spread across items warrants and no more.
   */
  estimateLogA: boolean;
  /** Prior mean and sd of b. */
  bMean: number;
  bSd: number;
}

export const DEFAULT_PRIOR: PriorSpec = { logAMean: 0, logASd: 1, estimateLogA: true, bMean: 0, bSd: 3 };
const LOG_A_SD_FLOOR = 0.05;

export interface FitOptions {
  /** null = maximum likelihood (no priors). */
  prior: PriorSpec | null;
  /** Lower asymptote per item (length n), or null for none. */
  guessing: Float64Array | null;
  quadrature: 'fixed' | 'adaptive';
  quadPoints: number;
  maxIter: number;
  /** Converged when no parameter (log a or b) moves more than this in an EM cycle. */
  tol: number;
  /** Fisher-scoring (Newton, with a lower asymptote: see itemObjective) steps per item in each M-step (a generalised EM: each step only has to raise the objective). */
  mSteps: number;
  /** SQUAREM acceleration of the EM map (same fixed point; off = plain EM). */
  accelerate: boolean;
  /** Standardise the abilities of the models compared to mean 0, sd 1 in every cycle (PX-EM); see emCycle. */
  standardize: boolean;
}

export const DEFAULT_FIT: FitOptions = { prior: DEFAULT_PRIOR, guessing: null, quadrature: 'adaptive', quadPoints: 7, maxIter: 500, tol: 1e-4, mSteps: 3, accelerate: true, standardize: true };

export interface Convergence {
  converged: boolean;
  iterations: number;
  /** Largest change of any log a or b in the last EM cycle. */
  maxChange: number;
  /** Largest absolute gradient of the (penalised) marginal log-likelihood over all item parameters at the end. */
  maxGradient: number;
}

export interface IrtFit {
  m: number;
  n: number;
  a: Float64Array;
  b: Float64Array;
  c: Float64Array;
  /** 1 when item i's parameters were estimated; 0 when it has no observed cell, or no variance and no prior. */
  estimated: Uint8Array;
  /** Marginal log-likelihood at the estimates (without the prior terms). */
  logLik: number;
  /** Posterior (or sampling, without priors) covariance of each item's (log a, b): var log a, cov, var b. */
  itemCov: Float64Array;
  /** The prior actually used (with the estimated log a mean and sd), or null. */
  prior: PriorSpec | null;
  /** Posterior mode of each model's ability and its sd (Laplace approximation). */
  theta: Float64Array;
  thetaSd: Float64Array;
  convergence: Convergence;
}

const LOG_A_MIN = Math.log(1e-3);
const LOG_A_MAX = Math.log(50);
const B_MAX = 40;
/** Item steps (in log a or b) below this are taken without a line search (see emCycle). */
const SMALL_STEP = 0.05;

/** Gauss–Hermite rule for a standard normal density (Golub–Welsch): nodes and weights summing to 1. */
export function gaussHermite(Q: number): { nodes: Float64Array; weights: Float64Array } {
  const J = new Matrix(Q, Q);
  for (let k = 1; k < Q; k++) {
    J.set(k - 1, k, Math.sqrt(k));
    J.set(k, k - 1, Math.sqrt(k));
  }
  const e = new EigenvalueDecomposition(J, { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const V = e.eigenvectorMatrix;
  const order = vals.map((_, i) => i).sort((x, y) => vals[x] - vals[y]);
  const nodes = Float64Array.from(order, (i) => vals[i]);
  const weights = Float64Array.from(order, (i) => V.get(0, i) ** 2);
  const s = weights.reduce((x, y) => x + y, 0);
  for (let q = 0; q < Q; q++) weights[q] /= s;
  return { nodes, weights };
}

const clampP = (p: number) => (p < 1e-12 ? 1e-12 : p > 1 - 1e-12 ? 1 - 1e-12 : p);

/**
 * One item's (penalised) log-likelihood over weighted (score, ability) cells, P = c + (1 − c)σ(a(θ − b)),
 * with its gradient and information in (log a, b) written to out = [gA, gB, iAA, iAB, iBB].
 *
 * The information is Fisher's (expected) for c = 0. With a lower asymptote it is the observed one
 * (minus the Hessian, prior included) wherever that is positive definite: near the asymptote the expected
 * information is of order σ² while the curvature is of order σ, so Fisher steps on a hard
 * multiple-choice prompt (observed rate below c) overshoot by a growing factor and the EM cycles
 * between two points instead of converging (3PL fits at 50–120 × 500–2,000 stopped at 500 cycles
 * with a few such prompts moving ±0.05 every cycle).
 */
export function itemObjective(xs: Float64Array, ts: Float64Array, ws: Float64Array, len: number, la: number, bi: number, ci: number, prior: PriorSpec | null, out: Float64Array | null): number {
  const ai = Math.exp(la);
  let f = 0, gA = 0, gB = 0, iAA = 0, iAB = 0, iBB = 0;
  // Minus the observed Hessian of the likelihood part in (log a, b), for c > 0.
  let hAA = 0, hAB = 0, hBB = 0;
  const observed = ci > 0 && out !== null;
  for (let j = 0; j < len; j++) {
    const x = xs[j], w = ws[j];
    const z = ai * (ts[j] - bi);
    const s = 1 / (1 + Math.exp(-z));
    const P = clampP(ci + (1 - ci) * s);
    f += w * (x === 1 ? Math.log(P) : x === 0 ? Math.log(1 - P) : x * Math.log(P) + (1 - x) * Math.log(1 - P));
    if (!out) continue;
    const dP = (1 - ci) * s * (1 - s);
    const q = P * (1 - P);
    const gz = (w * (x - P) * dP) / q;
    const iz = (w * dP * dP) / q;
    gA += gz * z;
    gB -= gz * ai;
    iAA += iz * z * z;
    iAB -= iz * z * ai;
    iBB += iz * ai * ai;
    if (observed) {
      // d²ℓ/dz² = h'(P) P'² + h(P) P'' with h(P) = (x − P) / (P(1 − P)); z = a(θ − b), so
      // ∂z/∂log a = z, ∂²z/∂log a² = z, ∂z/∂b = −a, ∂²z/∂log a ∂b = −a, ∂²z/∂b² = 0.
      const hPrime = (-q - (x - P) * (1 - 2 * P)) / (q * q);
      const lzz = w * (hPrime * dP * dP + ((x - P) / q) * dP * (1 - 2 * s));
      hAA -= lzz * z * z + gz * z;
      hAB += lzz * z * ai + gz * ai;
      hBB -= lzz * ai * ai;
    }
  }
  if (prior) {
    f -= ((la - prior.logAMean) ** 2) / (2 * prior.logASd ** 2) + ((bi - prior.bMean) ** 2) / (2 * prior.bSd ** 2);
    gA -= (la - prior.logAMean) / prior.logASd ** 2;
    gB -= (bi - prior.bMean) / prior.bSd ** 2;
    iAA += 1 / prior.logASd ** 2;
    iBB += 1 / prior.bSd ** 2;
    hAA += 1 / prior.logASd ** 2;
    hBB += 1 / prior.bSd ** 2;
  }
  // Positive definite with the prior included, so that at a penalised mode (where it is, by the
  // second-order condition) the observed information is used and the choice does not flip.
  if (observed && hAA > 0 && hAA * hBB - hAB * hAB > 0) {
    iAA = hAA;
    iAB = hAB;
    iBB = hBB;
  }
  if (out) {
    out[0] = gA;
    out[1] = gB;
    out[2] = iAA;
    out[3] = iAB;
    out[4] = iBB;
  }
  return f;
}

/**
 * The Fisher-scoring step in (log a, b) from g = [gA, gB, iAA, iAB, iBB], scaled down to at most 1 in
 * either coordinate, into out = [dA, dB, largest unscaled |step|]; false when the information is singular.
 */
function fisherDirection(g: Float64Array, out: Float64Array): boolean {
  const det = g[2] * g[4] - g[3] * g[3];
  if (!(det > 1e-300)) return false;
  let dA = (g[4] * g[0] - g[3] * g[1]) / det;
  let dB = (g[2] * g[1] - g[3] * g[0]) / det;
  const big = Math.max(Math.abs(dA), Math.abs(dB));
  if (big > 1) {
    dA /= big;
    dB /= big;
  }
  out[0] = dA;
  out[1] = dB;
  out[2] = big;
  return true;
}

/** Response probability of the fitted model. */
export function prob(a: number, b: number, c: number, theta: number): number {
  return c + (1 - c) / (1 + Math.exp(-a * (theta - b)));
}

/**
 * Mode and curvature of one model's ability posterior (N(0,1) prior) given item parameters.
 * Returns [mode, sd]. `row` is that model's scores (length n, NaN = missing).
 */
export function abilityMode(row: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, use: Uint8Array | null, start = 0): [number, number] {
  let t = start;
  let info = 1;
  for (let it = 0; it < 50; it++) {
    let g = -t;
    info = 1;
    for (let i = 0; i < row.length; i++) {
      const x = row[i];
      if (x !== x || (use && !use[i])) continue;
      const s = 1 / (1 + Math.exp(-a[i] * (t - b[i])));
      const P = clampP(c[i] + (1 - c[i]) * s);
      const dP = (1 - c[i]) * a[i] * s * (1 - s);
      g += ((x - P) * dP) / (P * (1 - P));
      info += (dP * dP) / (P * (1 - P));
    }
    let step = g / info;
    if (step > 2) step = 2;
    else if (step < -2) step = -2;
    t += step;
    if (Math.abs(step) < 1e-8) break;
  }
  return [t, 1 / Math.sqrt(info)];
}

/** Fit the model to an m × n row-major score matrix (NaN = missing, values in [0, 1]). */
export function fitIrt(scores: Float64Array, m: number, n: number, options: Partial<FitOptions> = {}): IrtFit {
  const o: FitOptions = { ...DEFAULT_FIT, ...options };
  if (scores.length !== m * n) throw new Error(`scores has ${scores.length} cells, expected ${m} × ${n}`);
  const Q = Math.max(3, Math.floor(o.quadPoints));
  const gh = gaussHermite(Q);
  const prior = o.prior ? { ...o.prior } : null;
  const c = o.guessing ? Float64Array.from(o.guessing) : new Float64Array(n);

  // Which items are estimated, and starting values from their mean scores.
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  const lo = new Float64Array(n).fill(Infinity);
  const hi = new Float64Array(n).fill(-Infinity);
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < n; i++) {
      const v = scores[k * n + i];
      if (v !== v) continue;
      sum[i] += v;
      cnt[i]++;
      if (v < lo[i]) lo[i] = v;
      if (v > hi[i]) hi[i] = v;
    }
  }
  const estimated = new Uint8Array(n);
  const logA = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (cnt[i] === 0) continue;
    if (!prior && hi[i] - lo[i] <= 1e-12) continue;
    estimated[i] = 1;
    const p = Math.min(0.98, Math.max(0.02, (sum[i] / cnt[i] - c[i]) / (1 - c[i])));
    b[i] = -Math.log(p / (1 - p));
  }
  const a = new Float64Array(n).fill(1);

  // Per-model quadrature nodes (θ values) and log weights of the N(0,1) integral.
  const nodes = new Float64Array(m * Q);
  const logW = new Float64Array(m * Q);
  const post = new Float64Array(m * Q);
  const theta = new Float64Array(m);
  const thetaSd = new Float64Array(m).fill(1);
  const logPhi = (x: number) => -0.5 * x * x;
  const setNodes = () => {
    for (let k = 0; k < m; k++) {
      let mu = 0, sd = 1;
      if (o.quadrature === 'adaptive') {
        [mu, sd] = abilityMode(scores.subarray(k * n, (k + 1) * n), a, b, c, estimated, theta[k]);
        theta[k] = mu;
        thetaSd[k] = sd;
      }
      for (let q = 0; q < Q; q++) {
        const t = mu + sd * gh.nodes[q];
        nodes[k * Q + q] = t;
        logW[k * Q + q] = Math.log(gh.weights[q]) + logPhi(t) - logPhi(gh.nodes[q]) + Math.log(sd);
      }
    }
  };

  /** E-step: posterior weights of each model's nodes; returns the marginal log-likelihood. */
  const eStep = (): number => {
    let ll = 0;
    const lq = new Float64Array(Q);
    for (let k = 0; k < m; k++) {
      const row = k * n;
      const nb = k * Q;
      for (let q = 0; q < Q; q++) lq[q] = logW[nb + q];
      for (let i = 0; i < n; i++) {
        const x = scores[row + i];
        if (x !== x || !estimated[i]) continue;
        const ai = a[i], bi = b[i], ci = c[i];
        for (let q = 0; q < Q; q++) {
          const P = clampP(ci + (1 - ci) / (1 + Math.exp(-ai * (nodes[nb + q] - bi))));
          lq[q] += x === 1 ? Math.log(P) : x === 0 ? Math.log(1 - P) : x * Math.log(P) + (1 - x) * Math.log(1 - P);
        }
      }
      let mx = -Infinity;
      for (let q = 0; q < Q; q++) if (lq[q] > mx) mx = lq[q];
      let s = 0;
      for (let q = 0; q < Q; q++) {
        const e = Math.exp(lq[q] - mx);
        post[nb + q] = e;
        s += e;
      }
      for (let q = 0; q < Q; q++) post[nb + q] /= s;
      ll += mx + Math.log(s);
    }
    return ll;
  };

  /** Gradient and information (itemObjective) of item i's expected complete-data log-likelihood (+ prior) in (log a, b). */
  // One item's cells with their quadrature points and posterior weights, gathered once per item
  // and cycle so that every evaluation of its objective is one tight loop (itemObjective).
  const cellX = new Float64Array(m * Q);
  const cellT = new Float64Array(m * Q);
  const cellW = new Float64Array(m * Q);
  let cells = 0;
  const gatherItem = (i: number) => {
    cells = 0;
    for (let k = 0; k < m; k++) {
      const x = scores[k * n + i];
      if (x !== x) continue;
      for (let q = 0; q < Q; q++) {
        const w = post[k * Q + q];
        if (w < 1e-14) continue;
        cellX[cells] = x;
        cellT[cells] = nodes[k * Q + q];
        cellW[cells++] = w;
      }
    }
  };
  /** Item i's expected complete-data log-likelihood (+ prior), gradient and information (after gatherItem(i)). */
  const itemScore = (i: number, la: number, bi: number, out: Float64Array): number => itemObjective(cellX, cellT, cellW, cells, la, bi, c[i], prior, out);

  const g = new Float64Array(5);
  const g2 = new Float64Array(5);
  const dir = new Float64Array(3);
  const postVarLogA = new Float64Array(n);

  // The EM map works on one state vector: [log a (n), b (n), prior mean of log a, prior sd of log a].
  const dim = 2 * n + 2;
  const load = (x: Float64Array) => {
    for (let i = 0; i < n; i++) {
      logA[i] = x[i];
      a[i] = Math.exp(x[i]);
      b[i] = x[n + i];
    }
    if (prior) {
      prior.logAMean = x[2 * n];
      prior.logASd = x[2 * n + 1];
    }
  };
  const store = (out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      out[i] = logA[i];
      out[n + i] = b[i];
    }
    out[2 * n] = prior ? prior.logAMean : 0;
    out[2 * n + 1] = prior ? prior.logASd : 1;
  };
  /** Penalised objective at the loaded parameters (log prior incl. the normalising sd of the estimated log a prior). */
  const logPrior = (): number => {
    if (!prior) return 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (!estimated[i]) continue;
      s -= ((logA[i] - prior.logAMean) ** 2) / (2 * prior.logASd ** 2) + Math.log(prior.logASd) + ((b[i] - prior.bMean) ** 2) / (2 * prior.bSd ** 2);
    }
    return s;
  };

  /** One EM cycle from state x into out; returns the objective and largest gradient at x. */
  const emCycle = (x: Float64Array, out: Float64Array): { ll: number; merit: number; maxGradient: number } => {
    load(x);
    setNodes();
    const ll = eStep();
    const merit = ll + logPrior();
    let maxGrad = 0;
    for (let i = 0; i < n; i++) {
      if (!estimated[i]) continue;
      let la = logA[i], bi = b[i];
      gatherItem(i);
      // Fisher scoring (Newton with a lower asymptote) with step halving; the first gradient is the marginal one (Fisher's identity).
      let f0 = itemScore(i, la, bi, g);
      maxGrad = Math.max(maxGrad, Math.abs(g[0]), Math.abs(g[1]));
      for (let s = 0; s < o.mSteps; s++) {
        if (!fisherDirection(g, dir)) break;
        const [dA, dB, big] = dir;
        if (s === o.mSteps - 1 && big < SMALL_STEP) {
          // A small last step is taken unchecked: near its optimum an item's expected complete-data
          // log-likelihood is close to quadratic, so the step raises it, and checking would cost
          // another pass over the item's cells. The curvature at the start serves the prior update.
          la = Math.min(LOG_A_MAX, Math.max(LOG_A_MIN, la + dA));
          bi = Math.min(B_MAX, Math.max(-B_MAX, bi + dB));
          break;
        }
        let t = 1, nla = la, nbi = bi, f1 = f0, accepted = false;
        for (let h = 0; h < 20; h++) {
          nla = Math.min(LOG_A_MAX, Math.max(LOG_A_MIN, la + t * dA));
          nbi = Math.min(B_MAX, Math.max(-B_MAX, bi + t * dB));
          f1 = itemScore(i, nla, nbi, g2);
          if (f1 >= f0 - 1e-12) {
            accepted = true;
            break;
          }
          t /= 2;
        }
        if (!accepted) break;
        const moved = Math.max(Math.abs(nla - la), Math.abs(nbi - bi));
        la = nla;
        bi = nbi;
        f0 = f1;
        g.set(g2);
        // The M-step need not be exact: EM converges as long as each step raises the objective.
        if (moved < o.tol * 0.1) break;
      }
      const det = g[2] * g[4] - g[3] * g[3];
      postVarLogA[i] = det > 0 ? g[4] / det : 0;
      logA[i] = la;
      b[i] = bi;
      a[i] = Math.exp(la);
    }
    if (prior?.estimateLogA) {
      // Random-effects EM update of the log a prior: mean, and mean of squared deviation + posterior variance.
      let s1 = 0, cnt = 0;
      for (let i = 0; i < n; i++) if (estimated[i]) { s1 += logA[i]; cnt++; }
      if (cnt >= 3) {
        const mu = s1 / cnt;
        let s2 = 0;
        for (let i = 0; i < n; i++) if (estimated[i]) s2 += (logA[i] - mu) ** 2 + postVarLogA[i];
        prior.logAMean = mu;
        prior.logASd = Math.max(LOG_A_SD_FLOOR, Math.sqrt(s2 / cnt));
      }
    }
    if (o.standardize) {
      // Parameter expansion (PX-EM, Liu, Rubin & Wu 1998): the M-step also estimates the ability
      // population's mean and sd from the posterior moments, then maps back to N(0, 1). Without
      // priors the fixed point is unchanged (at the MML estimate those moments are exactly 0 and 1);
      // with them it pins the ability scale to the models compared, where otherwise n weak priors on
      // b (one per prompt) outweigh the m model abilities' N(0, 1) and shrink the scale (with 40 × 1,200
      // the abilities' sd drifted to 0.35 and every discrimination grew by e^1.2).
      let s1 = 0, s2 = 0;
      for (let k = 0; k < m; k++) {
        let e1 = 0, e2 = 0;
        for (let q = 0; q < Q; q++) {
          const w = post[k * Q + q], t = nodes[k * Q + q];
          e1 += w * t;
          e2 += w * t * t;
        }
        s1 += e1;
        s2 += e2;
      }
      const mu = s1 / m;
      const sd = Math.sqrt(Math.max(1e-12, s2 / m - mu * mu));
      for (let i = 0; i < n; i++) {
        if (!estimated[i]) continue;
        b[i] = Math.min(B_MAX, Math.max(-B_MAX, (b[i] - mu) / sd));
        logA[i] = Math.min(LOG_A_MAX, Math.max(LOG_A_MIN, logA[i] + Math.log(sd)));
        a[i] = Math.exp(logA[i]);
      }
      if (prior?.estimateLogA) prior.logAMean += Math.log(sd);
      for (let k = 0; k < m; k++) theta[k] = (theta[k] - mu) / sd;
    }
    store(out);
    return { ll, merit, maxGradient: maxGrad };
  };

  const maxAbsDiff = (u: Float64Array, v: Float64Array) => {
    let d = 0;
    for (let j = 0; j < dim; j++) d = Math.max(d, Math.abs(u[j] - v[j]));
    return d;
  };
  const project = (x: Float64Array) => {
    for (let i = 0; i < n; i++) {
      x[i] = Math.min(LOG_A_MAX, Math.max(LOG_A_MIN, x[i]));
      x[n + i] = Math.min(B_MAX, Math.max(-B_MAX, x[n + i]));
    }
    x[2 * n + 1] = Math.max(LOG_A_SD_FLOOR, x[2 * n + 1]);
  };

  // EM converges slowly along the joint location/scale of abilities and items (with hundreds of
  // prompts per model the abilities are nearly known, so the N(0, 1) population pins that direction
  // only weakly): hundreds of cycles without acceleration. SQUAREM (Varadhan & Roland 2008, scheme
  // S3) extrapolates along the last two EM steps and keeps the same fixed point; an extrapolation
  // that lowers the penalised objective is replaced by the plain EM step.
  let x = new Float64Array(dim);
  store(x);
  const x1 = new Float64Array(dim), x2 = new Float64Array(dim), xp = new Float64Array(dim), x3 = new Float64Array(dim);
  let iterations = 0, maxChange = Infinity, maxGradient = NaN, converged = false;
  let stepMax = 1;
  while (iterations < o.maxIter) {
    const r1 = emCycle(x, x1);
    iterations++;
    maxGradient = r1.maxGradient;
    maxChange = maxAbsDiff(x1, x);
    if (maxChange < o.tol || iterations >= o.maxIter || !o.accelerate) {
      x.set(x1);
      if (maxChange < o.tol) {
        converged = true;
        break;
      }
      continue;
    }
    emCycle(x1, x2);
    iterations++;
    let vv = 0, rr = 0;
    for (let j = 0; j < dim; j++) {
      const r = x1[j] - x[j];
      const v = x2[j] - 2 * x1[j] + x[j];
      rr += r * r;
      vv += v * v;
    }
    let alpha = vv > 0 ? -Math.sqrt(rr / vv) : -1;
    if (!Number.isFinite(alpha)) alpha = -1;
    alpha = Math.max(-stepMax, Math.min(-1, alpha));
    if (alpha === -1 || iterations >= o.maxIter) {
      // α = −1 is exactly the second EM step; the allowed step grows (SQUAREM's step.max0 = 1, mstep = 4).
      x.set(x2);
      if (alpha === -stepMax) stepMax *= 4;
      continue;
    }
    for (let j = 0; j < dim; j++) xp[j] = x[j] - 2 * alpha * (x1[j] - x[j]) + alpha * alpha * (x2[j] - 2 * x1[j] + x[j]);
    project(xp);
    const r3 = emCycle(xp, x3);
    iterations++;
    // Safeguard on the fixed-point residual (the standardised map maximises no single objective):
    // keep the extrapolation when the EM step from it is no larger than the one from x.
    if (Number.isFinite(r3.merit) && maxAbsDiff(x3, xp) <= maxChange) {
      x.set(x3);
      if (alpha === -stepMax) stepMax *= 4;
    } else {
      x.set(x2);
      stepMax = Math.max(1, stepMax / 4);
    }
  }
  load(x);
  // Final E-step at the returned parameters: log-likelihood, gradient, abilities.
  setNodes();
  const logLik = eStep();
  maxGradient = 0;
  const itemCov = new Float64Array(3 * n).fill(NaN);
  for (let i = 0; i < n; i++) {
    if (!estimated[i]) continue;
    gatherItem(i);
    itemScore(i, logA[i], b[i], g);
    maxGradient = Math.max(maxGradient, Math.abs(g[0]), Math.abs(g[1]));
    const det = g[2] * g[4] - g[3] * g[3];
    if (det > 0) {
      itemCov[3 * i] = g[4] / det;
      itemCov[3 * i + 1] = -g[3] / det;
      itemCov[3 * i + 2] = g[2] / det;
    }
  }
  for (let k = 0; k < m; k++) {
    [theta[k], thetaSd[k]] = abilityMode(scores.subarray(k * n, (k + 1) * n), a, b, c, estimated, theta[k]);
  }
  for (let i = 0; i < n; i++) {
    if (!estimated[i]) {
      a[i] = NaN;
      b[i] = NaN;
    }
  }
  return { m, n, a, b, c, estimated, logLik, itemCov, prior, theta, thetaSd, convergence: { converged, iterations, maxChange, maxGradient } };
}

/**
 * Re-estimate one prompt's (log a, b) with the abilities held fixed (a penalised logistic
 * regression on θ; Fisher scoring with step halving, from a start). Used by the Q3 null, whose
 * replicates must go through the same item estimation as the observed residuals did: with tens of
 * models per prompt, fitting two parameters per prompt visibly lowers the residual co-variation.
 * `x(k)` is the prompt's score for model k (NaN = missing). Returns [log a, b].
 */
export function refitItem(x: (k: number) => number, theta: ArrayLike<number>, c: number, prior: PriorSpec | null, la0: number, b0: number, steps = 4): [number, number] {
  const m = theta.length;
  const xs = new Float64Array(m), ts = new Float64Array(m), ws = new Float64Array(m);
  let len = 0;
  for (let k = 0; k < m; k++) {
    const v = x(k);
    if (v !== v) continue;
    xs[len] = v;
    ts[len] = theta[k];
    ws[len++] = 1;
  }
  return fitItemCells(xs, ts, ws, len, c, prior, la0, b0, steps);
}

/**
 * One prompt's penalised (log a, b) from weighted (score, ability) cells: Fisher scoring with step
 * halving, at most `steps` steps, from (la0, b0). With `info`, the information at the result
 * goes there as [iAA, iAB, iBB] (the observed information for c > 0, see itemObjective). Returns [log a, b].
 */
export function fitItemCells(xs: Float64Array, ts: Float64Array, ws: Float64Array, len: number, c: number, prior: PriorSpec | null, la0: number, b0: number, steps: number, info?: Float64Array): [number, number] {
  const objective = (la: number, b: number, out: Float64Array | null) => itemObjective(xs, ts, ws, len, la, b, c, prior, out);
  let g = new Float64Array(5);
  // Trial points carry their gradient, so an accepted step needs no second pass (same numbers).
  let trial = new Float64Array(5);
  const dir = new Float64Array(3);
  let la = la0, b = b0;
  let f0 = objective(la, b, g);
  for (let s = 0; s < steps; s++) {
    if (!fisherDirection(g, dir)) break;
    const [dA, dB] = dir;
    let t = 1, moved = false;
    for (let h = 0; h < 20; h++) {
      const nla = Math.min(LOG_A_MAX, Math.max(LOG_A_MIN, la + t * dA));
      const nb = Math.min(B_MAX, Math.max(-B_MAX, b + t * dB));
      const f1 = objective(nla, nb, trial);
      if (f1 >= f0 - 1e-12) {
        moved = Math.abs(nla - la) + Math.abs(nb - b) > 1e-8;
        la = nla;
        b = nb;
        f0 = f1;
        [g, trial] = [trial, g];
        break;
      }
      t /= 2;
    }
    if (!moved) break;
  }
  if (info) {
    info[0] = g[2];
    info[1] = g[3];
    info[2] = g[4];
  }
  return [la, b];
}
