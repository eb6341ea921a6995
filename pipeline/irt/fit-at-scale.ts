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
import { runWorker, siblingModule } from '../core/worker-call.ts';

/** The marginal EM costs about 1 µs per cell per cycle here (39 s on 5,000 × 800): above 2e6 cells it runs on a prompt sample. */
export const DEFAULT_MAX_FIT_CELLS = 2_000_000;
/** The prompt sample never goes below this many prompts. */
const MIN_FIT_PROMPTS = 400;
/** Ability bins of the pooled item fits. */
const BINS = 512;
/** Prompts pooled per pass over the models: 2 × 32 × BINS doubles (256 kB) stay in cache. */
const POOL_BLOCK = 32;
/** Rounds of item fits from all-prompt ability posteriors after the first one from the sample's. */
const ROUNDS = 2;

export interface ScaledFit {
  fit: IrtFit;
  /** Present when the fit ran on a prompt sample: its size, of all prompts. */
  sample: { prompts: number; of: number; maxCells: number } | null;
}

/**
 * Runs the per-prompt item fits and the per-model ability fits of one pass, in this thread by
 * default; `fitWorkers` (fit-worker.ts) splits them over threads that share the score matrix. Each
 * prompt and each model is fitted on its own, so the split does not change a single number.
 */
export interface ScaleFitRunner {
  items(task: ItemTask): Promise<ItemFits>;
  abilities(task: AbilityTask): Promise<AbilityFits>;
}

export const inThreadScaleFit: ScaleFitRunner = {
  items: async (t) => itemsRange(t, 0, t.n),
  abilities: async (t) => abilitiesRange(t, 0, t.m),
};

export async function fitIrtAtScale(scores: Float64Array, m: number, n: number, options: Partial<FitOptions>, maxCells: number, rng: Rng, runner: ScaleFitRunner = inThreadScaleFit): Promise<ScaledFit> {
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
  const itemTask = (previous: ItemFits | null): ItemTask => ({ scores, m, n, nodes, post, Q, c, prior, ...itemStarts(n, subFit, picked, previous) });
  const abilityTask = (items: ItemFits, start: Float64Array): AbilityTask => ({ scores, m, n, a: items.a, b: items.b, estimated: items.estimated, c, start });
  let items = await runner.items(itemTask(null));
  let abilities = summed(await runner.abilities(abilityTask(items, subFit.theta)));
  standardize(items, abilities);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < Q; q++) {
        nodes[k * Q + q] = abilities.theta[k] + abilities.thetaSd[k] * gh.nodes[q];
        post[k * Q + q] = gh.weights[q];
      }
    }
    items = await runner.items(itemTask(items));
    abilities = summed(await runner.abilities(abilityTask(items, abilities.theta)));
    standardize(items, abilities);
  }
  // Modes, sds and the Laplace log-likelihood at the final (standardised) item parameters.
  abilities = summed(await runner.abilities(abilityTask(items, abilities.theta)));
  const { a, b, estimated, itemCov } = items;
  const { theta, thetaSd, logLik } = abilities;
  const fit: IrtFit = { m, n, a, b, c, estimated, logLik, itemCov, prior, theta, thetaSd, convergence: subFit.convergence };
  return { fit, sample: { prompts: s, of: n, maxCells } };
}

function clampP(p: number): number {
  return p < 1e-12 ? 1e-12 : p > 1 - 1e-12 ? 1 - 1e-12 : p;
}

export interface ItemFits {
  a: Float64Array;
  b: Float64Array;
  estimated: Uint8Array;
  itemCov: Float64Array;
}

/** One pass of item fits: every prompt's (log a, b) given each model's quadrature nodes and posterior weights. */
export interface ItemTask {
  scores: Float64Array;
  m: number;
  n: number;
  nodes: Float64Array;
  post: Float64Array;
  Q: number;
  c: Float64Array;
  prior: IrtFit['prior'];
  /** Per prompt, the start of its fit (NaN: from its mean score). */
  startLogA: Float64Array;
  startB: Float64Array;
}

/**
 * Where each prompt's fit starts: the previous round's estimate (standardised with the abilities),
 * else the sample fit where the prompt was in it, else (NaN) its mean score.
 */
function itemStarts(n: number, subFit: IrtFit, picked: Int32Array, previous: ItemFits | null): { startLogA: Float64Array; startB: Float64Array } {
  const startLogA = new Float64Array(n).fill(NaN);
  const startB = new Float64Array(n).fill(NaN);
  picked.forEach((i, j) => {
    if (!subFit.estimated[j]) return;
    startLogA[i] = Math.log(subFit.a[j]);
    startB[i] = subFit.b[j];
  });
  if (previous) {
    for (let i = 0; i < n; i++) {
      if (!previous.estimated[i]) continue;
      startLogA[i] = Math.log(previous.a[i]);
      startB[i] = previous.b[i];
    }
  }
  return { startLogA, startB };
}

/**
 * Prompts [i0, i1) of an item pass: cells pooled into BINS ability bins over a common grid (a bin
 * stands at the posterior-weighted mean of its nodes), then one penalised fit per prompt. Returns
 * arrays of length i1 − i0.
 */
export function itemsRange(t: ItemTask, i0: number, i1: number): ItemFits {
  const { scores, m, n, nodes, post, Q, c, prior, startLogA, startB } = t;
  let lo = Infinity, hi = -Infinity;
  for (const v of nodes) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
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

  const len1 = i1 - i0;
  const a = new Float64Array(len1).fill(NaN);
  const b = new Float64Array(len1).fill(NaN);
  const estimated = new Uint8Array(len1);
  const itemCov = new Float64Array(3 * len1).fill(NaN);
  // Pooled cells, a block of prompts at a time so that their bins stay in cache (the sums of each
  // bin still run over models in order, so they do not depend on the block or the split).
  const wSum = new Float64Array(POOL_BLOCK * BINS);
  const xSum = new Float64Array(POOL_BLOCK * BINS);
  const lowS = new Float64Array(POOL_BLOCK);
  const highS = new Float64Array(POOL_BLOCK);
  const count = new Int32Array(POOL_BLOCK);
  const xs = new Float64Array(BINS), ts = new Float64Array(BINS), ws = new Float64Array(BINS);
  const info = new Float64Array(3);
  for (let b0i = i0; b0i < i1; b0i += POOL_BLOCK) {
    const b1i = Math.min(i1, b0i + POOL_BLOCK);
    wSum.fill(0);
    xSum.fill(0);
    lowS.fill(Infinity);
    highS.fill(-Infinity);
    count.fill(0);
    for (let k = 0; k < m; k++) {
      const row = k * n;
      const kq = k * Q;
      for (let i = b0i; i < b1i; i++) {
        const x = scores[row + i];
        if (x !== x) continue;
        const l = i - b0i;
        count[l]++;
        if (x < lowS[l]) lowS[l] = x;
        if (x > highS[l]) highS[l] = x;
        const o = l * BINS;
        for (let q = 0; q < Q; q++) {
          const w = post[kq + q];
          const g = o + binOf[kq + q];
          wSum[g] += w;
          xSum[g] += w * x;
        }
      }
    }
    for (let i = b0i; i < b1i; i++) {
      const l = i - b0i;
      if (count[l] === 0 || (!prior && highS[l] - lowS[l] <= 1e-12)) continue;
      let len = 0;
      for (let g = 0; g < BINS; g++) {
        const w = wSum[l * BINS + g];
        if (w < 1e-14) continue;
        xs[len] = xSum[l * BINS + g] / w;
        ts[len] = centreT[g];
        ws[len++] = w;
      }
      let la0 = startLogA[i];
      let b0 = startB[i];
      if (la0 !== la0) {
        la0 = prior ? prior.logAMean : 0;
        let mean = 0;
        for (let q = 0; q < len; q++) mean += ws[q] * xs[q];
        const tw = ws.subarray(0, len).reduce((u, v) => u + v, 0);
        const p = Math.min(0.98, Math.max(0.02, (mean / tw - c[i]) / (1 - c[i])));
        b0 = -Math.log(p / (1 - p));
      }
      const [la, bi] = fitItemCells(xs, ts, ws, len, c[i], prior, la0, b0, 50, info);
      const r = i - i0;
      a[r] = Math.exp(la);
      b[r] = bi;
      estimated[r] = 1;
      const det = info[0] * info[2] - info[1] * info[1];
      if (det > 0) {
        itemCov[3 * r] = info[2] / det;
        itemCov[3 * r + 1] = -info[1] / det;
        itemCov[3 * r + 2] = info[0] / det;
      }
    }
  }
  return { a, b, estimated, itemCov };
}

/** One pass of ability fits: every model's mode and sd given the item parameters. */
export interface AbilityTask {
  scores: Float64Array;
  m: number;
  n: number;
  a: Float64Array;
  b: Float64Array;
  estimated: Uint8Array;
  c: Float64Array;
  start: Float64Array;
}

export interface AbilityFits {
  theta: Float64Array;
  thetaSd: Float64Array;
  /** Each model's term of the Laplace log-likelihood (summed in model order by the caller). */
  logLik: Float64Array;
}

/** Models [k0, k1): ability modes and sds given all prompts, and their Laplace log-likelihood terms. */
export function abilitiesRange(t: AbilityTask, k0: number, k1: number): AbilityFits {
  const { scores, n, a, b, estimated, c, start } = t;
  const theta = new Float64Array(k1 - k0);
  const thetaSd = new Float64Array(k1 - k0);
  const logLik = new Float64Array(k1 - k0);
  const aUse = Float64Array.from(a, (v) => (v === v ? v : 0));
  const bUse = Float64Array.from(b, (v) => (v === v ? v : 0));
  for (let k = k0; k < k1; k++) {
    const row = scores.subarray(k * n, (k + 1) * n);
    const [th, sd] = abilityMode(row, aUse, bUse, c, estimated, start[k]);
    theta[k - k0] = th;
    thetaSd[k - k0] = sd;
    let ll = -0.5 * th * th + Math.log(sd);
    for (let i = 0; i < n; i++) {
      const x = row[i];
      if (x !== x || !estimated[i]) continue;
      const P = clampP(prob(aUse[i], bUse[i], c[i], th));
      ll += x * Math.log(P) + (1 - x) * Math.log(1 - P);
    }
    logLik[k - k0] = ll;
  }
  return { theta, thetaSd, logLik };
}

function summed(f: AbilityFits): { theta: Float64Array; thetaSd: Float64Array; logLik: number } {
  let logLik = 0;
  for (const v of f.logLik) logLik += v;
  return { theta: f.theta, thetaSd: f.thetaSd, logLik };
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

/** Half-open ranges splitting [0, total) into `parts` nearly equal pieces. */
function ranges(total: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < parts; p++) out.push([Math.floor((total * p) / parts), Math.floor((total * (p + 1)) / parts)]);
  return out;
}

function concat<T extends Float64Array | Uint8Array>(parts: T[]): T {
  const out = new (parts[0].constructor as { new (len: number): T })(parts.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of parts) (out.set(x, o), (o += x.length));
  return out;
}

/**
 * A ScaleFitRunner over `workers` threads: the score matrix is copied once into shared memory, the
 * first range runs in this thread while the others run in fit-worker.ts threads.
 */
export function fitWorkers(scores: Float64Array, workers: number): ScaleFitRunner {
  const shared = new Float64Array(new SharedArrayBuffer(scores.byteLength));
  shared.set(scores);
  const url = siblingModule('fit-worker', import.meta.url);
  type Arrays = Record<string, Float64Array | Uint8Array>;
  const split = async (kind: 'items' | 'abilities', task: ItemTask | AbilityTask, total: number, here: (from: number, to: number) => Arrays): Promise<Arrays> => {
    const parts = ranges(total, workers);
    const remote = parts.slice(1).map(([from, to]) => runWorker<Arrays>(url, { kind, task: { ...task, scores: shared }, from, to }, { label: 'irt fit' }));
    const first = here(parts[0][0], parts[0][1]);
    const all = [first, ...(await Promise.all(remote))];
    const out: Arrays = {};
    for (const key of Object.keys(first)) out[key] = concat(all.map((r) => r[key]));
    return out;
  };
  return {
    items: async (t) => (await split('items', t, t.n, (from, to) => ({ ...itemsRange(t, from, to) }))) as unknown as ItemFits,
    abilities: async (t) => (await split('abilities', t, t.m, (from, to) => ({ ...abilitiesRange(t, from, to) }))) as unknown as AbilityFits,
  };
}
