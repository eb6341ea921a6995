/**
 * How many abilities does the benchmark measure? (METHOD §2b) Held-out cells, K folds: each
 * observed cell is in exactly one fold; models are fitted on the other folds' cells and scored on
 * the held-out ones (log-loss for 0/1 scores, mean squared error for graded ones).
 *
 * Every model is a regularised low-rank logistic model fitted by the same alternating Newton
 * (IRLS) sweeps, so that loss differences reflect the dimension, not the estimator:
 *   additive        η = α_k + c_i                    (Rasch: one strength, one difficulty)
 *   2PL (k = 1)     η = u_k v_i + c_i                (a_i = v_i, θ_k = u_k; joint, not marginal, fit)
 *   compensatory k  η = Σ_d u_kd v_id + c_i, d = 1…k
 * with an L2 penalty λ(‖u‖² + ‖v‖²), λ ∈ {1, 3, 10, 30}, chosen per model by inner validation: within the first
 * outer fold's training cells, a further 20% of cells is held out and the grid value with the lowest
 * loss there is used for all outer folds (choosing it again in every fold would multiply the cost by
 * the grid size for little change). The reported dimension is the smallest k whose mean held-out
 * loss is within one standard error of the best model's; since every model is scored on the same
 * held-out cells, that standard error is of the paired per-fold difference to the best (the
 * unpaired fold SE, also reported, is dominated by which cells fall in a fold and is common to all).
 */
import type { Rng } from '../core/rng.ts';

export interface DimensionOptions {
  folds: number;
  maxDim: number;
  /** Penalty grid for the inner validation. */
  lambdas: number[];
  sweeps: number;
  /**
   * Cross-validate on at most this many prompts (a seeded sample of those with any score) — the
   * number of abilities is a property of the benchmark that a few thousand prompts show as well as
   * twelve thousand, at a quarter of the cost; 0 = all.
   */
  maxPrompts: number;
  /**
   * And on at most this many cells (models × prompts): beyond it, a seeded sample of models as well,
   * both shrunk by the same factor (at least 200 of each). The cost grows with cells (~50 fits of
   * 40 sweeps each); every shared benchmark is below it. 0 = no limit.
   */
  maxCells: number;
}

// 54 fits of up to 40 sweeps: about 20 s per 1e5 cells here, so at most 1e5 cells (every shared benchmark has fewer: MMLU-Pro 87,000).
export const DEFAULT_DIMENSION: DimensionOptions = { folds: 5, maxDim: 5, lambdas: [1, 3, 10, 30], sweeps: 40, maxPrompts: 3000, maxCells: 100_000 };
const MIN_SAMPLED = 200;

export interface CvRow {
  k: number;
  model: 'additive' | '2pl' | 'compensatory';
  /** Mean held-out loss over folds (log-loss for 0/1 scores, MSE for graded). */
  loss: number;
  /** Standard error of the mean over folds (sd / √K). */
  se: number;
  /** Standard error of the per-fold difference from the best row (paired: all rows are scored on the same cells). */
  seVsBest: number;
  lambda: number;
  foldLosses: number[];
}

export interface DimensionResult {
  loss: 'log-loss' | 'mse';
  folds: number;
  /** Prompts the cross-validation used (all, or a seeded sample of maxPrompts). */
  prompts: number;
  /** Models it used (all, or a seeded sample when models × prompts exceed maxCells). */
  models: number;
  rows: CvRow[];
  /** Smallest k within one SE of the best row (additive and 2PL count as k = 1). */
  dimension: number;
  best: { k: number; model: string };
}

interface Cells {
  k: Int32Array;
  i: Int32Array;
  x: Float64Array;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Fit a rank-`rank` logistic model (rank 0 = additive) on `train` cells; returns a predictor. */
export function fitLowRank(m: number, n: number, train: Cells, rank: number, lambda: number, sweeps: number, rng: Rng): (k: number, i: number) => number {
  const R = Math.max(rank, 1);
  const U = new Float64Array(m * R);
  const V = new Float64Array(n * R);
  const c = new Float64Array(n);
  const N = train.x.length;
  // Cells grouped by model and by prompt.
  const byRow = group(train.k, m);
  const byCol = group(train.i, n);
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  for (let q = 0; q < N; q++) {
    sum[train.i[q]] += train.x[q];
    cnt[train.i[q]]++;
  }
  for (let i = 0; i < n; i++) {
    const p = cnt[i] ? Math.min(0.95, Math.max(0.05, sum[i] / cnt[i])) : 0.5;
    c[i] = Math.log(p / (1 - p));
  }
  if (rank === 0) {
    // Additive: one column of U is the model strength, V fixed at 1 (unpenalised V).
    for (let i = 0; i < n; i++) V[i] = 1;
  } else {
    for (let q = 0; q < m * R; q++) U[q] = 0.1 * rng.normal();
    for (let q = 0; q < n * R; q++) V[q] = 0.1 * rng.normal();
  }
  const eta = (k: number, i: number) => {
    let s = c[i];
    for (let d = 0; d < R; d++) s += U[k * R + d] * V[i * R + d];
    return s;
  };
  const H = new Float64Array((R + 1) * (R + 1));
  const g = new Float64Array(R + 1);
  const feat = new Float64Array(R + 1);
  const step = new Float64Array(R + 1);
  const work = solveWork(R + 1);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let moved = 0;
    // Rows: Newton step on u_k (penalised; the additive strength is lightly penalised too).
    for (let k = 0; k < m; k++) {
      H.fill(0);
      g.fill(0);
      const cells = byRow[k];
      for (let a = 0; a < cells.length; a++) {
        const q = cells[a];
        const i = train.i[q];
        let z = c[i];
        for (let d = 0; d < R; d++) z += U[k * R + d] * V[i * R + d];
        const p = 1 / (1 + Math.exp(-z));
        const w = Math.max(p * (1 - p), 1e-6);
        const r = train.x[q] - p;
        for (let d = 0; d < R; d++) {
          g[d] += r * V[i * R + d];
          for (let e = 0; e <= d; e++) H[d * R + e] += w * V[i * R + d] * V[i * R + e];
        }
      }
      for (let d = 0; d < R; d++) {
        g[d] -= lambda * U[k * R + d];
        H[d * R + d] += lambda;
      }
      moved = Math.max(moved, solveInto(H, g, R, U, k * R, work));
    }
    // Prompts: Newton step on (v_i, c_i); c_i unpenalised (a tiny ridge keeps floor/ceiling prompts finite).
    for (let i = 0; i < n; i++) {
      const S = rank === 0 ? 1 : R + 1;
      H.fill(0);
      g.fill(0);
      const cells = byCol[i];
      for (let a = 0; a < cells.length; a++) {
        const q = cells[a];
        const k = train.k[q];
        let z = c[i];
        for (let d = 0; d < R; d++) z += U[k * R + d] * V[i * R + d];
        const p = 1 / (1 + Math.exp(-z));
        const w = Math.max(p * (1 - p), 1e-6);
        const r = train.x[q] - p;
        feat[0] = 1;
        if (rank > 0) for (let d = 0; d < R; d++) feat[d + 1] = U[k * R + d];
        for (let d = 0; d < S; d++) {
          g[d] += r * feat[d];
          for (let e = 0; e <= d; e++) H[d * S + e] += w * feat[d] * feat[e];
        }
      }
      g[0] -= 0.01 * c[i];
      H[0] += 0.01;
      for (let d = 1; d < S; d++) {
        g[d] -= lambda * V[i * R + d - 1];
        H[d * S + d] += lambda;
      }
      step.fill(0);
      solveInto(H, g, S, step, 0, work);
      c[i] += step[0];
      for (let d = 1; d < S; d++) V[i * R + d - 1] += step[d];
      for (let d = 0; d < S; d++) moved = Math.max(moved, Math.abs(step[d]));
    }
    // Parameter moves below 1e-3 change held-out losses far less than their standard errors (~1e-3).
    if (moved < 1e-3) break;
  }
  return (k, i) => sigmoid(eta(k, i));
}

function group(idx: Int32Array, size: number): Int32Array[] {
  const counts = new Int32Array(size);
  for (let q = 0; q < idx.length; q++) counts[idx[q]]++;
  const out = Array.from({ length: size }, (_, r) => new Int32Array(counts[r]));
  const fill = new Int32Array(size);
  for (let q = 0; q < idx.length; q++) out[idx[q]][fill[idx[q]]++] = q;
  return out;
}

/**
 * Solve the S × S system H step = g (H lower triangle filled, symmetric positive definite) by
 * Cholesky; add the step to target[offset…] (clamped to ±3 per coordinate); returns the largest |step|.
 */
function solveWork(S: number): { L: Float64Array; y: Float64Array } {
  return { L: new Float64Array(S * S), y: new Float64Array(S) };
}

function solveInto(H: Float64Array, g: Float64Array, S: number, target: Float64Array, offset: number, work: { L: Float64Array; y: Float64Array } = solveWork(S)): number {
  // Every entry of L and y that is read is written first, so the buffers are reused as they are.
  const { L, y } = work;
  for (let d = 0; d < S; d++) {
    for (let e = 0; e <= d; e++) {
      let s = H[d * S + e];
      for (let f = 0; f < e; f++) s -= L[d * S + f] * L[e * S + f];
      if (d === e) L[d * S + d] = Math.sqrt(Math.max(s, 1e-12));
      else L[d * S + e] = s / L[e * S + e];
    }
  }
  for (let d = 0; d < S; d++) {
    let s = g[d];
    for (let f = 0; f < d; f++) s -= L[d * S + f] * y[f];
    y[d] = s / L[d * S + d];
  }
  let big = 0;
  for (let d = S - 1; d >= 0; d--) {
    let s = y[d];
    for (let f = d + 1; f < S; f++) s -= L[f * S + d] * y[f];
    y[d] = s / L[d * S + d];
  }
  for (let d = 0; d < S; d++) {
    const st = Math.max(-3, Math.min(3, y[d]));
    target[offset + d] += st;
    big = Math.max(big, Math.abs(st));
  }
  return big;
}

function lossOf(pred: (k: number, i: number) => number, test: Cells, binary: boolean): number {
  let s = 0;
  for (let q = 0; q < test.x.length; q++) {
    const p = Math.min(1 - 1e-9, Math.max(1e-9, pred(test.k[q], test.i[q])));
    const x = test.x[q];
    s += binary ? -(x * Math.log(p) + (1 - x) * Math.log(1 - p)) : (x - p) ** 2;
  }
  return s / Math.max(1, test.x.length);
}

function subset(all: Cells, pick: (q: number) => boolean): Cells {
  const idx: number[] = [];
  for (let q = 0; q < all.x.length; q++) if (pick(q)) idx.push(q);
  return { k: Int32Array.from(idx, (q) => all.k[q]), i: Int32Array.from(idx, (q) => all.i[q]), x: Float64Array.from(idx, (q) => all.x[q]) };
}

/** Cross-validated held-out loss of the additive model, the 2PL and k = 2…maxDim compensatory models. */
export function crossValidateDimension(scores: Float64Array, m: number, n: number, binary: boolean, o: DimensionOptions, rng: Rng): DimensionResult {
  const ks: number[] = [];
  const is: number[] = [];
  const xs: number[] = [];
  let keep: Uint8Array | null = null;
  let prompts = o.maxPrompts > 0 ? Math.min(n, o.maxPrompts) : n;
  let models = m;
  if (o.maxCells > 0 && m * prompts > o.maxCells) {
    const f = Math.sqrt(o.maxCells / (m * prompts));
    models = Math.min(m, Math.max(MIN_SAMPLED, Math.round(m * f)));
    prompts = Math.min(prompts, Math.max(Math.min(n, MIN_SAMPLED), Math.floor(o.maxCells / models)));
  }
  if (prompts < n) {
    const order = rng.fork('prompts').shuffle(Int32Array.from({ length: n }, (_, i) => i));
    keep = new Uint8Array(n);
    for (let a = 0; a < prompts; a++) keep[order[a]] = 1;
  }
  let keepModel: Uint8Array | null = null;
  if (models < m) {
    const order = rng.fork('models').shuffle(Int32Array.from({ length: m }, (_, k) => k));
    keepModel = new Uint8Array(m);
    for (let a = 0; a < models; a++) keepModel[order[a]] = 1;
  }
  for (let k = 0; k < m; k++) {
    if (keepModel && !keepModel[k]) continue;
    for (let i = 0; i < n; i++) {
      if (keep && !keep[i]) continue;
      const v = scores[k * n + i];
      if (v === v) {
        ks.push(k);
        is.push(i);
        xs.push(v);
      }
    }
  }
  const all: Cells = { k: Int32Array.from(ks), i: Int32Array.from(is), x: Float64Array.from(xs) };
  const K = Math.max(2, Math.floor(o.folds));
  const fold = new Int32Array(all.x.length);
  const perm = rng.fork('folds').shuffle(Int32Array.from({ length: all.x.length }, (_, q) => q));
  for (let a = 0; a < perm.length; a++) fold[perm[a]] = a % K;
  const innerRng = rng.fork('inner');
  const inner = Float64Array.from({ length: all.x.length }, () => innerRng.next());
  const rows: CvRow[] = [];
  // Inner validation on the first outer fold's training cells; the same cells for every rank.
  const trainInner = subset(all, (q) => fold[q] !== 0 && inner[q] >= 0.2);
  const validInner = subset(all, (q) => fold[q] !== 0 && inner[q] < 0.2);
  const trainFold = Array.from({ length: K }, (_, f) => subset(all, (q) => fold[q] !== f));
  const testFold = Array.from({ length: K }, (_, f) => subset(all, (q) => fold[q] === f));
  for (let rank = 0; rank <= Math.max(1, o.maxDim); rank++) {
    const fitRng = rng.fork(`rank-${rank}`);
    let lambda = o.lambdas[0];
    let bestInner = Infinity;
    for (const l of o.lambdas) {
      const loss = lossOf(fitLowRank(m, n, trainInner, rank, l, o.sweeps, fitRng.fork(`inner-${l}`)), validInner, binary);
      if (loss < bestInner) {
        bestInner = loss;
        lambda = l;
      }
    }
    const foldLosses: number[] = [];
    for (let f = 0; f < K; f++) {
      const pred = fitLowRank(m, n, trainFold[f], rank, lambda, o.sweeps, fitRng.fork(`fold-${f}`));
      foldLosses.push(lossOf(pred, testFold[f], binary));
    }
    const mean = foldLosses.reduce((s, x) => s + x, 0) / K;
    const sd = Math.sqrt(foldLosses.reduce((s, x) => s + (x - mean) ** 2, 0) / (K - 1));
    rows.push({ k: Math.max(1, rank), model: rank === 0 ? 'additive' : rank === 1 ? '2pl' : 'compensatory', loss: mean, se: sd / Math.sqrt(K), seVsBest: 0, lambda, foldLosses });
  }
  let best = rows[0];
  for (const r of rows) if (r.loss < best.loss) best = r;
  for (const r of rows) {
    const d = r.foldLosses.map((x, f) => x - best.foldLosses[f]);
    const md = d.reduce((s, x) => s + x, 0) / K;
    r.seVsBest = Math.sqrt(d.reduce((s, x) => s + (x - md) ** 2, 0) / (K - 1) / K);
  }
  const within = rows.filter((r) => r.loss <= best.loss + r.seVsBest);
  const dimension = Math.min(...within.map((r) => r.k));
  return { loss: binary ? 'log-loss' : 'mse', folds: K, prompts, models, rows, dimension, best: { k: best.k, model: best.model } };
}
