/**
 * Wild cluster bootstrap-t intervals of every model of a scheme at once (bootstrap.ts has the
 * method and wildInterval, the one-contrast form): the interval of μ_s,k and, against a reference
 * scheme r, of μ_s,k − μ_r,k, for all k.
 *
 * Exact form (below the size threshold): the same operations in the same order as wildInterval, so
 * the same numbers to the last bit, in loops over contiguous blocks of models instead of one call
 * per model and contrast. It costs B × C × m × ~16 flops per scheme, too much for 5,000 models and
 * 200 clusters.
 *
 * Fast form (setup.fast, at and above the threshold): for a replicate with cluster draws v, writing
 * d = Σ_c v_c e_c, the studentising sum of squares Σ_c (v_c e_c − W_c d)² expands into
 * Σ v² e² − 2 d Σ v e W + d² Σ W², so every model needs only a few sums of the form Σ_c v_bc Z_ck,
 * products of the B × C draws with C × m matrices. With Rademacher draws (±1) these are
 * 2 Σ_{c: v=+1} Z_c − Σ_c Z_c, which the bit-bootstrap's table kernel computes (clusters as
 * "prompts", replicates as "models", 16 columns of Z at a time), and Σ v² e² = Σ e². Webb draws
 * (fewer than 12 clusters) use plain loops. The difference contrast uses E = e_s − e_r and
 * ΔW = W_s − W_r, so nothing cancels when two schemes are close. Where the expansion cancels (the
 * sum of squares under 1/64 of its terms' magnitudes, e.g. a replicate whose residuals are
 * exactly proportional to the weights) the replicate is recomputed the exact way. Intervals agree
 * with wildInterval's to a few 1e-15 relative (test/reweight/bit-bootstrap.test.ts asks 1e-12).
 */
import { studentTQuantile } from '../core/stats.ts';
import { BLOCK, ReplicateSums } from './bit-bootstrap.ts';
import type { WildSetup } from './bootstrap.ts';

export interface WildIntervals {
  /** Interval of each model's score under the scheme (NaN without residual variation). */
  low: Float64Array;
  high: Float64Array;
  /** Interval of each model's score change against the reference scheme; null without one. */
  deltaLow: Float64Array | null;
  deltaHigh: Float64Array | null;
}

/** Below this share of its terms' magnitudes the expanded sum of squares is recomputed directly. */
const CANCELLATION = 1 / 64;

/**
 * Intervals (level 1 − alpha) of μ_s,k and of μ_s,k − μ_ref,k for every model k, from the draws of
 * wildBootstrapScores; the same numbers as wildInterval([{scheme, model: k, coef: 1}]) and
 * wildInterval([{scheme, model: k, coef: 1}, {scheme: reference, model: k, coef: −1}]).
 */
export function wildIntervals(setup: WildSetup, draws: Float64Array, scheme: number, reference: number | null, alpha = 0.05): WildIntervals {
  const m = setup.point[0].length;
  const pair = reference !== null && reference !== scheme;
  const out: WildIntervals = {
    low: new Float64Array(m).fill(NaN),
    high: new Float64Array(m).fill(NaN),
    deltaLow: pair ? new Float64Array(m).fill(NaN) : null,
    deltaHigh: pair ? new Float64Array(m).fill(NaN) : null,
  };
  const run = setup.fast ? fastChunk : exactChunk;
  const chunk = new Chunk(setup, draws, scheme, pair ? reference : null, alpha);
  for (let k0 = 0; k0 < m; k0 += BLOCK) {
    chunk.load(k0, Math.min(BLOCK, m - k0));
    if (chunk.anyValid()) run(chunk);
    chunk.finish(out);
  }
  return out;
}

/** Up to BLOCK models' residuals and shares, copied contiguous (row c = cluster, BLOCK columns). */
class Chunk {
  readonly C: number;
  readonly B: number;
  readonly kappa: number;
  readonly pair: boolean;
  k0 = 0;
  width = 0;
  readonly es: Float64Array;
  readonly Ws: Float64Array;
  readonly e0: Float64Array;
  readonly W0: Float64Array;
  /** e_s − e_ref, exactly as wildInterval adds the two terms. */
  readonly E: Float64Array;
  /** Per column and replicate: t* of the score, t* of the change (column-major: j·B + b). */
  readonly tLevel: Float64Array;
  readonly tDelta: Float64Array;
  readonly estimate = new Float64Array(BLOCK);
  readonly se = new Float64Array(BLOCK);
  readonly deltaEstimate = new Float64Array(BLOCK);
  readonly deltaSe = new Float64Array(BLOCK);
  private readonly tRef: number;

  constructor(
    readonly setup: WildSetup,
    readonly draws: Float64Array,
    readonly scheme: number,
    readonly reference: number | null,
    readonly alpha: number,
  ) {
    this.C = setup.C;
    this.B = draws.length / setup.C;
    this.kappa = setup.kappa;
    this.pair = reference !== null;
    const size = this.C * BLOCK;
    this.es = new Float64Array(size);
    this.Ws = new Float64Array(size);
    this.e0 = new Float64Array(size);
    this.W0 = new Float64Array(size);
    this.E = new Float64Array(size);
    this.tLevel = new Float64Array(BLOCK * this.B);
    this.tDelta = new Float64Array(this.pair ? BLOCK * this.B : 0);
    this.tRef = studentTQuantile(1 - alpha / 2, this.C - 1);
  }

  load(k0: number, width: number): void {
    const { C, kappa, setup, scheme, reference } = this;
    const m = setup.point[0].length;
    this.k0 = k0;
    this.width = width;
    const es = setup.residuals[scheme];
    const Ws = setup.shares[scheme];
    for (const a of [this.es, this.Ws, this.e0, this.W0, this.E]) a.fill(0);
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < width; j++) {
        this.es[c * BLOCK + j] = es[c * m + k0 + j];
        this.Ws[c * BLOCK + j] = Ws[c * m + k0 + j];
      }
    }
    if (reference !== null) {
      const e0 = setup.residuals[reference];
      const W0 = setup.shares[reference];
      for (let c = 0; c < C; c++) {
        for (let j = 0; j < width; j++) {
          const q = c * BLOCK + j;
          this.e0[q] = e0[c * m + k0 + j];
          this.W0[q] = W0[c * m + k0 + j];
          this.E[q] = 0 + this.es[q] + -1 * this.e0[q];
        }
      }
    }
    // Estimates and CR1 standard errors as wildInterval forms them.
    for (let j = 0; j < width; j++) {
      this.estimate[j] = 0 + 1 * setup.point[scheme][k0 + j];
      let ss = 0;
      for (let c = 0; c < C; c++) ss += this.es[c * BLOCK + j] * this.es[c * BLOCK + j];
      this.se[j] = kappa * Math.sqrt(ss);
      if (reference !== null) {
        this.deltaEstimate[j] = 0 + 1 * setup.point[scheme][k0 + j] + -1 * setup.point[reference][k0 + j];
        let ssd = 0;
        for (let c = 0; c < C; c++) ssd += this.E[c * BLOCK + j] * this.E[c * BLOCK + j];
        this.deltaSe[j] = kappa * Math.sqrt(ssd);
      }
    }
  }

  valid(j: number): boolean {
    return this.se[j] > 1e-14 && Number.isFinite(this.estimate[j]);
  }

  validDelta(j: number): boolean {
    return this.pair && this.deltaSe[j] > 1e-14 && Number.isFinite(this.deltaEstimate[j]);
  }

  anyValid(): boolean {
    for (let j = 0; j < this.width; j++) if (this.valid(j) || this.validDelta(j)) return true;
    return false;
  }

  /** t* of replicate b, column j, recomputed as wildInterval does (level and change). */
  exactReplicate(b: number, j: number, level: boolean, delta: boolean): void {
    const { C, B, kappa, draws, es, Ws, e0, W0, E } = this;
    const v = b * C;
    let ds = 0;
    let d0 = 0;
    let num = 0;
    for (let c = 0; c < C; c++) {
      const vc = draws[v + c];
      const q = c * BLOCK + j;
      ds += vc * es[q];
      if (delta) {
        d0 += vc * e0[q];
        num += vc * E[q];
      }
    }
    let ss1 = 0;
    let ss2 = 0;
    for (let c = 0; c < C; c++) {
      const vc = draws[v + c];
      const q = c * BLOCK + j;
      const a = vc * es[q] - Ws[q] * ds;
      ss1 += a * a;
      if (delta) {
        const r = a - (vc * e0[q] - W0[q] * d0);
        ss2 += r * r;
      }
    }
    if (level) {
      const se2 = kappa * Math.sqrt(ss1);
      this.tLevel[j * B + b] = se2 > 1e-14 ? ds / se2 : 0;
    }
    if (delta) {
      const se2 = kappa * Math.sqrt(ss2);
      this.tDelta[j * B + b] = se2 > 1e-14 ? num / se2 : 0;
    }
  }

  /** t* → interval, with wildInterval's floor at Student's t(C − 1). */
  private interval(t: Float64Array, estimate: number, se: number): [number, number] {
    const qLo = Math.min(quantileBySelection(t, this.alpha / 2), -this.tRef);
    const qHi = Math.max(quantileBySelection(t, 1 - this.alpha / 2), this.tRef);
    return [estimate - qHi * se, estimate - qLo * se];
  }

  finish(out: WildIntervals): void {
    const { B } = this;
    for (let j = 0; j < this.width; j++) {
      const k = this.k0 + j;
      if (this.valid(j)) [out.low[k], out.high[k]] = this.interval(this.tLevel.subarray(j * B, (j + 1) * B), this.estimate[j], this.se[j]);
      if (this.validDelta(j)) [out.deltaLow![k], out.deltaHigh![k]] = this.interval(this.tDelta.subarray(j * B, (j + 1) * B), this.deltaEstimate[j], this.deltaSe[j]);
    }
  }
}

/**
 * quantileSorted(sorted copy of a, q) from the two order statistics it reads, found by partial
 * partitioning of `a` in place (sorting every model's B values was half the time of the fast form).
 */
export function quantileBySelection(a: Float64Array, q: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  select(a, 0, n - 1, lo);
  let next = a[lo];
  if (hi > lo) {
    // After selecting lo, the (lo + 1)-th smallest is the least value to its right.
    next = a[hi];
    for (let i = hi + 1; i < n; i++) if (a[i] < next) next = a[i];
  }
  return a[lo] + (h - lo) * (next - a[lo]);
}

/** Rearranges a[left..right] so that a[k] holds its k-th smallest, no greater value before it and no smaller after. */
function select(a: Float64Array, left: number, right: number, k: number): void {
  while (right > left) {
    // Median of three as the pivot; Hoare partition (equal values split evenly, so ties stay cheap).
    const mid = (left + right) >>> 1;
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** wildInterval's loops, all replicates, BLOCK models at a time. */
function exactChunk(ch: Chunk): void {
  const { C, B, kappa, draws, es, Ws, e0, W0, E, pair, width, tLevel, tDelta } = ch;
  const ds = new Float64Array(BLOCK);
  const d0 = new Float64Array(BLOCK);
  const num = new Float64Array(BLOCK);
  const ss1 = new Float64Array(BLOCK);
  const ss2 = new Float64Array(BLOCK);
  for (let b = 0; b < B; b++) {
    const v = b * C;
    ds.fill(0);
    d0.fill(0);
    num.fill(0);
    for (let c = 0; c < C; c++) {
      const vc = draws[v + c];
      const row = c * BLOCK;
      for (let j = 0; j < width; j++) ds[j] += vc * es[row + j];
      if (pair) {
        for (let j = 0; j < width; j++) {
          d0[j] += vc * e0[row + j];
          num[j] += vc * E[row + j];
        }
      }
    }
    ss1.fill(0);
    ss2.fill(0);
    for (let c = 0; c < C; c++) {
      const vc = draws[v + c];
      const row = c * BLOCK;
      if (pair) {
        for (let j = 0; j < width; j++) {
          const a = vc * es[row + j] - Ws[row + j] * ds[j];
          ss1[j] += a * a;
          const r = a - (vc * e0[row + j] - W0[row + j] * d0[j]);
          ss2[j] += r * r;
        }
      } else {
        for (let j = 0; j < width; j++) {
          const a = vc * es[row + j] - Ws[row + j] * ds[j];
          ss1[j] += a * a;
        }
      }
    }
    for (let j = 0; j < width; j++) {
      const se2 = kappa * Math.sqrt(ss1[j]);
      tLevel[j * B + b] = se2 > 1e-14 ? ds[j] / se2 : 0;
      if (pair) {
        const sd = kappa * Math.sqrt(ss2[j]);
        tDelta[j * B + b] = sd > 1e-14 ? num[j] / sd : 0;
      }
    }
  }
}

// --- fast form ------------------------------------------------------------------------------------

/** Σ_c v_bc Z_c,j for a B × C draw matrix: through the table kernel for ±1 draws, plain loops otherwise. */
export class DrawProducts {
  readonly B: number;
  readonly C: number;
  readonly rademacher: boolean;
  private readonly draws: Float64Array;
  private readonly kernel: ReplicateSums | null;
  private readonly groups: number;
  private readonly colTotal = new Float64Array(BLOCK);

  constructor(draws: Float64Array, C: number) {
    this.draws = draws;
    this.C = C;
    this.B = draws.length / C;
    let pm1 = true;
    for (let i = 0; i < draws.length; i++) if (draws[i] !== 1 && draws[i] !== -1) pm1 = false;
    this.rademacher = pm1;
    this.groups = Math.ceil(C / 8);
    if (!pm1) {
      this.kernel = null;
      return;
    }
    // Byte g of replicate b: which of clusters 8g … 8g + 7 drew +1.
    const { B, groups } = this;
    const bytes = new Uint8Array(groups * B);
    for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) if (draws[b * C + c] > 0) bytes[(c >> 3) * B + b] |= 1 << (c & 7);
    this.kernel = new ReplicateSums({ m: B, n: C, groups, bytes, missStart: new Int32Array(groups + 1), missEntries: new Int32Array(0), observedOnly: new Int32Array(0) });
    for (let g = 0; g < groups; g++) this.kernel.list[g] = g;
  }

  /**
   * Y[b·BLOCK + j] = Σ_c f(v_bc) Z[c·BLOCK + j] for the BLOCK columns of Z (C × BLOCK), where f is
   * the identity, or the square when `squared` (not for ±1 draws, whose squares are 1).
   */
  multiply(Z: Float64Array, Y: Float64Array, squared = false): void {
    const { B, C, draws, kernel } = this;
    if (kernel && !squared) {
      // Σ_c v_c Z_c = 2 Σ_{v_c = +1} Z_c − Σ_c Z_c.
      const { v, acc } = kernel;
      v.fill(0, 0, this.groups * 8 * BLOCK);
      v.set(Z.subarray(0, C * BLOCK));
      const tot = this.colTotal;
      tot.fill(0);
      for (let c = 0; c < C; c++) for (let j = 0; j < BLOCK; j++) tot[j] += Z[c * BLOCK + j];
      acc.fill(0);
      kernel.run(this.groups);
      for (let b = 0; b < B; b++) for (let j = 0; j < BLOCK; j++) Y[b * BLOCK + j] = 2 * acc[b * BLOCK + j] - tot[j];
      return;
    }
    if (kernel) throw new Error('squared draws of ±1 are 1: use the column sums');
    Y.fill(0, 0, B * BLOCK);
    for (let b = 0; b < B; b++) {
      const y = b * BLOCK;
      for (let c = 0; c < C; c++) {
        const vc = squared ? draws[b * C + c] * draws[b * C + c] : draws[b * C + c];
        const row = c * BLOCK;
        for (let j = 0; j < BLOCK; j++) Y[y + j] += vc * Z[row + j];
      }
    }
  }
}

const productsOf = new WeakMap<Float64Array, DrawProducts>();

function productsFor(draws: Float64Array, C: number): DrawProducts {
  let p = productsOf.get(draws);
  if (!p || p.C !== C) {
    p = new DrawProducts(draws, C);
    productsOf.set(draws, p);
  }
  return p;
}

/** The expanded sums for BLOCK models; replicates where they cancel are redone by exactReplicate. */
function fastChunk(ch: Chunk): void {
  const { C, B, kappa, es, Ws, e0, W0, E, pair, width, tLevel, tDelta } = ch;
  const prod = productsFor(ch.draws, C);
  const size = C * BLOCK;
  const Z = new Float64Array(size);
  const Yd = new Float64Array(B * BLOCK);
  const Yf = new Float64Array(B * BLOCK);
  // Level: d = Σ v e, f = Σ v e W, q = Σ v² e²; per-column constants Σ W², Σ e².
  prod.multiply(es, Yd);
  for (let q = 0; q < size; q++) Z[q] = es[q] * Ws[q];
  prod.multiply(Z, Yf);
  const sumW2 = columnSums(Ws, Ws, C);
  let Yq: Float64Array | null = null;
  let sumE2: Float64Array | null = null;
  if (prod.rademacher) sumE2 = columnSums(es, es, C);
  else {
    for (let q = 0; q < size; q++) Z[q] = es[q] * es[q];
    Yq = new Float64Array(B * BLOCK);
    prod.multiply(Z, Yq, true);
  }
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < width; j++) {
      const y = b * BLOCK + j;
      const d = Yd[y];
      const df = d * Yf[y];
      const q = Yq ? Yq[y] : sumE2![j];
      const dd = d * d * sumW2[j];
      const ss = q - 2 * df + dd;
      if (!(ss >= CANCELLATION * (q + 2 * Math.abs(df) + dd))) {
        ch.exactReplicate(b, j, true, false);
        continue;
      }
      const se2 = kappa * Math.sqrt(ss);
      tLevel[j * B + b] = se2 > 1e-14 ? d / se2 : 0;
    }
  }
  if (!pair) return;
  // Change: num = Σ v E, d0 = Σ v e_ref, g = Σ v E W_s, h = Σ v E ΔW, qE = Σ v² E²; the studentising
  // residual sums are v E − (W_s num + ΔW d0).
  const Yn = Yd;
  const Y0 = Yf;
  const Yg = new Float64Array(B * BLOCK);
  const Yh = new Float64Array(B * BLOCK);
  const dW = new Float64Array(size);
  for (let q = 0; q < size; q++) dW[q] = Ws[q] - W0[q];
  prod.multiply(E, Yn);
  prod.multiply(e0, Y0);
  for (let q = 0; q < size; q++) Z[q] = E[q] * Ws[q];
  prod.multiply(Z, Yg);
  for (let q = 0; q < size; q++) Z[q] = E[q] * dW[q];
  prod.multiply(Z, Yh);
  const sumWdW = columnSums(Ws, dW, C);
  const sumdW2 = columnSums(dW, dW, C);
  let sumEE: Float64Array | null = null;
  if (prod.rademacher) sumEE = columnSums(E, E, C);
  else {
    for (let q = 0; q < size; q++) Z[q] = E[q] * E[q];
    prod.multiply(Z, Yq!, true);
  }
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < width; j++) {
      const y = b * BLOCK + j;
      const num = Yn[y];
      const d0 = Y0[y];
      const q = Yq ? Yq[y] : sumEE![j];
      const cross = num * Yg[y];
      const cross0 = d0 * Yh[y];
      const g1 = num * num * sumW2[j];
      const g2 = 2 * num * d0 * sumWdW[j];
      const g3 = d0 * d0 * sumdW2[j];
      const ss = q - 2 * (cross + cross0) + g1 + g2 + g3;
      if (!(ss >= CANCELLATION * (q + 2 * (Math.abs(cross) + Math.abs(cross0)) + g1 + Math.abs(g2) + g3))) {
        ch.exactReplicate(b, j, false, true);
        continue;
      }
      const se2 = kappa * Math.sqrt(ss);
      tDelta[j * B + b] = se2 > 1e-14 ? num / se2 : 0;
    }
  }
}

/** Σ_c X[c, j] Y[c, j] for each of the BLOCK columns. */
function columnSums(X: Float64Array, Y: Float64Array, C: number): Float64Array {
  const out = new Float64Array(BLOCK);
  for (let c = 0; c < C; c++) for (let j = 0; j < BLOCK; j++) out[j] += X[c * BLOCK + j] * Y[c * BLOCK + j];
  return out;
}

/**
 * Wild replicates μ̂ + κ Σ_c v_c e_c of every model under every scheme from the B × C draws (the fast
 * form of wildBootstrapScores' loop: the sums through DrawProducts; equal to rounding).
 */
export function wildReplicatesFast(setup: WildSetup, m: number, draws: Float64Array): Float64Array[] {
  const { C, kappa, residuals, point } = setup;
  const prod = productsFor(draws, C);
  const B = prod.B;
  const Z = new Float64Array(C * BLOCK);
  const Y = new Float64Array(B * BLOCK);
  return residuals.map((e, s) => {
    const out = new Float64Array(B * m);
    const mu = point[s];
    for (let k0 = 0; k0 < m; k0 += BLOCK) {
      const width = Math.min(BLOCK, m - k0);
      Z.fill(0);
      for (let c = 0; c < C; c++) for (let j = 0; j < width; j++) Z[c * BLOCK + j] = e[c * m + k0 + j];
      prod.multiply(Z, Y);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < width; j++) {
          const k = k0 + j;
          out[b * m + k] = Number.isFinite(mu[k]) ? mu[k] + kappa * Y[b * BLOCK + j] : NaN;
        }
      }
    }
    return out;
  });
}
