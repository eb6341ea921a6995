/**
 * The unidimensional fit at leaderboard scale (issue #15). The marginal EM costs about
 * models × prompts × quadrature points exponentials per cycle for its E-step and several times that
 * for its M-step, for tens of cycles: hours at 5,000 × 30,000. Above `maxCells` it runs instead as:
 *
 * 1. the full EM (fitIrt) on a seeded sample of prompts (a compact models × s matrix, s·models ≤
 *    maxCells): abilities' posteriors, the prior's hyperparameters and the scale;
 * 2. every prompt's (log a, b) given those posteriors: one penalised item fit each (items are
 *    independent given the abilities), its cells pooled by ability into fine bins (the posterior
 *    weight and weighted score of every model's adaptive node, binned over a common grid), so a
 *    prompt costs models × points additions and a fit over a few hundred bins;
 * 3. every model's ability mode given all prompts, and the marginal log-likelihood by the Laplace
 *    approximation at it (with thousands of prompts per model the posterior is close to normal);
 * 4. steps 2 and 3 twice more from those all-prompt posteriors, each followed by the PX-EM
 *    standardisation of the abilities (a model scored on few sampled prompts, e.g. run on one task
 *    only, would otherwise blur the prompts it answered: with a quarter of the models on 100 of 2,000
 *    prompts, those prompts' mean log a was −0.063 from the full EM's after step 3, −0.018 after).
 *
 * These are EM steps on all prompts from the sample fit, not the fixed point of the full EM; with
 * hundreds of prompts per model the abilities are known to a few hundredths, which is what the item
 * fits need. Below `maxCells` fitIrt runs unchanged.
 */
import type { Rng } from '../core/rng.ts';
import { cappedSampleSize } from '../core/caps.ts';
import { selectColumns } from '../correlate/nulls/types.ts';
import { abilityMode, fitIrt, fitItemCells, gaussHermite, prob, type FitOptions, type IrtFit } from './fit.ts';

export const DEFAULT_MAX_FIT_CELLS = 4_000_000;
/** The prompt sample never goes below this many prompts. */
const MIN_FIT_PROMPTS = 400;
/** Ability bins of the pooled item fits. */
const BINS = 512;
/** Rounds of item fits from all-prompt ability posteriors after the first one from the sample's. */
const ROUNDS = 2;

export interface ScaledFit {
  fit: IrtFit;
  /** Present when the fit ran on a prompt sample: its size, of all prompts. */
  sample: { prompts: number; of: number; maxCells: number } | null;
}

export function fitIrtAtScale(scores: Float64Array, m: number, n: number, options: Partial<FitOptions>, maxCells: number, rng: Rng): ScaledFit {
  const s = cappedSampleSize(n, m, maxCells, MIN_FIT_PROMPTS);
  if (s === null) return { fit: fitIrt(scores, m, n, options), sample: null };

  // 1. The full EM on a prompt sample.
  const picked = rng.fork('fit-prompts').sample(n, s).sort();
  const sub = selectColumns(scores, m, n, picked);
  const guess = options.guessing ?? null;
  const subFit = fitIrt(sub, m, s, { ...options, guessing: guess ? Float64Array.from(picked, (i) => guess[i]) : null });
  const prior = subFit.prior;
  const c = guess ? Float64Array.from(guess) : new Float64Array(n);

  // Every model's adaptive nodes and posterior weights given the sampled prompts.
  const Q = Math.max(3, Math.floor(options.quadPoints ?? 7));
  const gh = gaussHermite(Q);
  const nodes = new Float64Array(m * Q);
  const post = new Float64Array(m * Q);
  const lq = new Float64Array(Q);
  for (let k = 0; k < m; k++) {
    const mu = subFit.theta[k];
    const sd = subFit.thetaSd[k];
    for (let q = 0; q < Q; q++) {
      const t = mu + sd * gh.nodes[q];
      nodes[k * Q + q] = t;
      lq[q] = Math.log(gh.weights[q]) - 0.5 * t * t + 0.5 * gh.nodes[q] * gh.nodes[q];
    }
    for (let j = 0; j < s; j++) {
      const x = sub[k * s + j];
      if (x !== x || !subFit.estimated[j]) continue;
      for (let q = 0; q < Q; q++) {
        const P = clampP(prob(subFit.a[j], subFit.b[j], subFit.c[j], nodes[k * Q + q]));
        lq[q] += x * Math.log(P) + (1 - x) * Math.log(1 - P);
      }
    }
    let mx = -Infinity;
    for (let q = 0; q < Q; q++) mx = Math.max(mx, lq[q]);
    let tot = 0;
    for (let q = 0; q < Q; q++) tot += post[k * Q + q] = Math.exp(lq[q] - mx);
    for (let q = 0; q < Q; q++) post[k * Q + q] /= tot;
  }

  // Steps 2–3 from the sample's posteriors, then ROUNDS more from every model's posterior given all
  // prompts (N(θ̂, sd²) at the Gauss–Hermite nodes), so that a model scored on few of the sampled
  // prompts (a leaderboard model run on one task) does not blur the prompts it did answer.
  let items = fitItemsGiven(scores, m, n, nodes, post, Q, c, prior, subFit, picked);
  let abilities = abilitiesGiven(scores, m, n, items, c, subFit.theta);
  standardize(items, abilities);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < Q; q++) {
        nodes[k * Q + q] = abilities.theta[k] + abilities.thetaSd[k] * gh.nodes[q];
        post[k * Q + q] = gh.weights[q];
      }
    }
    items = fitItemsGiven(scores, m, n, nodes, post, Q, c, prior, subFit, picked);
    abilities = abilitiesGiven(scores, m, n, items, c, abilities.theta);
    standardize(items, abilities);
  }
  // Modes, sds and the Laplace log-likelihood at the final (standardised) item parameters.
  abilities = abilitiesGiven(scores, m, n, items, c, abilities.theta);
  const { a, b, estimated, itemCov } = items;
  const { theta, thetaSd, logLik } = abilities;
  const fit: IrtFit = { m, n, a, b, c, estimated, logLik, itemCov, prior, theta, thetaSd, convergence: subFit.convergence };
  return { fit, sample: { prompts: s, of: n, maxCells } };
}

function clampP(p: number): number {
  return p < 1e-12 ? 1e-12 : p > 1 - 1e-12 ? 1 - 1e-12 : p;
}

interface ItemFits {
  a: Float64Array;
  b: Float64Array;
  estimated: Uint8Array;
  itemCov: Float64Array;
}

/**
 * Every prompt's (log a, b) given each model's quadrature nodes and posterior weights: cells pooled
 * into BINS ability bins over a common grid (a bin stands at the posterior-weighted mean of its
 * nodes), then one penalised fit per prompt, started from the sample fit where the prompt was in it.
 */
function fitItemsGiven(scores: Float64Array, m: number, n: number, nodes: Float64Array, post: Float64Array, Q: number, c: Float64Array, prior: IrtFit['prior'], subFit: IrtFit, picked: Int32Array): ItemFits {
  let lo = Infinity, hi = -Infinity;
  for (const t of nodes) (lo = Math.min(lo, t)), (hi = Math.max(hi, t));
  const width = (hi - lo) / BINS || 1;
  const binOf = new Int32Array(m * Q);
  const centreW = new Float64Array(BINS);
  const centreT = new Float64Array(BINS);
  for (let z = 0; z < m * Q; z++) {
    const g = Math.min(BINS - 1, Math.floor((nodes[z] - lo) / width));
    binOf[z] = g;
    centreW[g] += post[z];
    centreT[g] += post[z] * nodes[z];
  }
  for (let g = 0; g < BINS; g++) centreT[g] = centreW[g] > 0 ? centreT[g] / centreW[g] : lo + (g + 0.5) * width;

  // Pooled cells of every prompt (model-major pass over the matrix: rows are read in order).
  const wSum = new Float64Array(n * BINS);
  const xSum = new Float64Array(n * BINS);
  const lowS = new Float64Array(n).fill(Infinity);
  const highS = new Float64Array(n).fill(-Infinity);
  const count = new Int32Array(n);
  for (let k = 0; k < m; k++) {
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const x = scores[row + i];
      if (x !== x) continue;
      count[i]++;
      if (x < lowS[i]) lowS[i] = x;
      if (x > highS[i]) highS[i] = x;
      const o = i * BINS;
      for (let q = 0; q < Q; q++) {
        const w = post[k * Q + q];
        const g = o + binOf[k * Q + q];
        wSum[g] += w;
        xSum[g] += w * x;
      }
    }
  }
  const a = new Float64Array(n).fill(NaN);
  const b = new Float64Array(n).fill(NaN);
  const estimated = new Uint8Array(n);
  const itemCov = new Float64Array(3 * n).fill(NaN);
  const where = new Int32Array(n).fill(-1);
  picked.forEach((i, j) => (where[i] = j));
  const xs = new Float64Array(BINS), ts = new Float64Array(BINS), ws = new Float64Array(BINS);
  const info = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    if (count[i] === 0 || (!prior && highS[i] - lowS[i] <= 1e-12)) continue;
    let len = 0;
    for (let g = 0; g < BINS; g++) {
      const w = wSum[i * BINS + g];
      if (w < 1e-14) continue;
      xs[len] = xSum[i * BINS + g] / w;
      ts[len] = centreT[g];
      ws[len++] = w;
    }
    // Start from the sample fit where the prompt was in it, else from its mean score.
    const j = where[i];
    let la0 = prior ? prior.logAMean : 0;
    let b0: number;
    if (j >= 0 && subFit.estimated[j]) {
      la0 = Math.log(subFit.a[j]);
      b0 = subFit.b[j];
    } else {
      let mean = 0;
      for (let q = 0; q < len; q++) mean += ws[q] * xs[q];
      const tw = ws.subarray(0, len).reduce((u, v) => u + v, 0);
      const p = Math.min(0.98, Math.max(0.02, (mean / tw - c[i]) / (1 - c[i])));
      b0 = -Math.log(p / (1 - p));
    }
    const [la, bi] = fitItemCells(xs, ts, ws, len, c[i], prior, la0, b0, 50, info);
    a[i] = Math.exp(la);
    b[i] = bi;
    estimated[i] = 1;
    const det = info[0] * info[2] - info[1] * info[1];
    if (det > 0) {
      itemCov[3 * i] = info[2] / det;
      itemCov[3 * i + 1] = -info[1] / det;
      itemCov[3 * i + 2] = info[0] / det;
    }
  }

  return { a, b, estimated, itemCov };
}

/** Every model's ability mode and sd given all prompts, and the Laplace marginal log-likelihood at them. */
function abilitiesGiven(scores: Float64Array, m: number, n: number, items: ItemFits, c: Float64Array, start: Float64Array): { theta: Float64Array; thetaSd: Float64Array; logLik: number } {
  const { a, b, estimated } = items;
  const theta = new Float64Array(m);
  const thetaSd = new Float64Array(m);
  const aUse = Float64Array.from(a, (v) => (v === v ? v : 0));
  const bUse = Float64Array.from(b, (v) => (v === v ? v : 0));
  let logLik = 0;
  for (let k = 0; k < m; k++) {
    const row = scores.subarray(k * n, (k + 1) * n);
    const [t, sd] = abilityMode(row, aUse, bUse, c, estimated, start[k]);
    theta[k] = t;
    thetaSd[k] = sd;
    let ll = -0.5 * t * t + Math.log(sd);
    for (let i = 0; i < n; i++) {
      const x = row[i];
      if (x !== x || !estimated[i]) continue;
      const P = clampP(prob(aUse[i], bUse[i], c[i], t));
      ll += x * Math.log(P) + (1 - x) * Math.log(1 - P);
    }
    logLik += ll;
  }
  return { theta, thetaSd, logLik };
}

/**
 * Map the abilities' posterior moments (mean of θ̂, mean of θ̂² + sd²) back to N(0, 1), moving b and
 * a with them, as the full EM does every cycle (PX-EM): alternating item and ability fits without it
 * drifts in scale (the joint-maximum-likelihood inflation of discriminations).
 */
function standardize(items: ItemFits, abilities: { theta: Float64Array; thetaSd: Float64Array }): void {
  const { theta, thetaSd } = abilities;
  const m = theta.length;
  let s1 = 0, s2 = 0;
  for (let k = 0; k < m; k++) {
    s1 += theta[k];
    s2 += theta[k] * theta[k] + thetaSd[k] * thetaSd[k];
  }
  const mu = s1 / m;
  const sd = Math.sqrt(Math.max(1e-12, s2 / m - mu * mu));
  for (let k = 0; k < m; k++) {
    theta[k] = (theta[k] - mu) / sd;
    thetaSd[k] /= sd;
  }
  const { a, b, itemCov } = items;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== a[i]) continue;
    a[i] *= sd;
    b[i] = (b[i] - mu) / sd;
    itemCov[3 * i + 1] /= sd;
    itemCov[3 * i + 2] /= sd * sd;
  }
}
