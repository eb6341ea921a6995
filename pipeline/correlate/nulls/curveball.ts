/**
 * Null B for 0/1 scores: the curveball algorithm (Strona et al. 2014; Carstens 2015). A trade
 * picks two models, takes the prompts on which exactly one of them is right and both have a
 * result, and re-deals those "rights" at random between the two models. Every model's total and
 * every prompt's total stay exactly the same; the missing pattern never changes (a trade only
 * touches cells observed in both rows, so missing cells are neither filled nor moved).
 *
 * Replicates use the Besag–Clifford parallel scheme: run K trades from the observed matrix to a
 * hub, then K independent trades from the hub for every replicate. Because trades are reversible,
 * the observed matrix and the replicates are exchangeable, so p-values are valid even if K were
 * too small (the test would only lose power); K itself is chosen from a measured mixing trace.
 */
import type { Rng } from '../../core/rng.ts';
import { FastRng } from '../fast-rng.ts';
import type { NullSampler } from './types.ts';

/**
 * The chain's state is bit-packed by model (row): `nw` 32-bit words per row, bit c of a row set
 * when the model got chain column c right. A trade then costs a few word operations per 32
 * prompts plus work per traded cell, instead of a byte comparison per prompt.
 */
export interface BinaryChain {
  m: number;
  /** Columns kept in the chain (prompts whose observed scores are not all equal). */
  nc: number;
  /** 32-bit words per row. */
  nw: number;
  /** Dataset column of chain column c. */
  columns: Int32Array;
  /** m × nw: the observed matrix's right answers. */
  ones: Int32Array;
  /** m × nw: bit set when the model has a score (fixed: a trade never moves a missing cell). */
  observed: Int32Array;
  /** Observed cells in the chain (the cells a trade can ever change are among them). */
  observedCells: number;
}

/** Encode a 0/1 score matrix (row-major m × n, NaN = missing); constant columns never move and are left out. */
export function encodeBinary(scores: Float64Array, m: number, n: number): BinaryChain {
  const keep: number[] = [];
  for (let c = 0; c < n; c++) {
    let ones = 0, zeros = 0;
    for (let k = 0; k < m; k++) {
      const v = scores[k * n + c];
      if (v === 1) ones++;
      else if (v === 0) zeros++;
      else if (v === v) throw new Error(`curveball needs 0/1 scores, found ${v}`);
    }
    if (ones > 0 && zeros > 0) keep.push(c);
  }
  const nc = keep.length;
  const nw = (nc + 31) >>> 5;
  const ones = new Int32Array(m * nw);
  const observed = new Int32Array(m * nw);
  let count = 0;
  for (let k = 0; k < m; k++) {
    for (let c = 0; c < nc; c++) {
      const v = scores[k * n + keep[c]];
      if (v !== v) continue;
      const bit = 1 << (c & 31);
      observed[k * nw + (c >>> 5)] |= bit;
      if (v === 1) ones[k * nw + (c >>> 5)] |= bit;
      count++;
    }
  }
  return { m, nc, nw, columns: Int32Array.from(keep), ones, observed, observedCells: count };
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * The cells a trade between rows r1 and r2 can change (both observed, one right and one wrong)
 * go into `scratch` in increasing column order; `out` receives their count and how many of them
 * row r1 has right.
 */
function tradeable(state: Int32Array, observed: Int32Array, nw: number, o1: number, o2: number, scratch: Int32Array, out: Int32Array): void {
  let cnt = 0;
  let ones1 = 0;
  for (let w = 0; w < nw; w++) {
    const a = state[o1 + w];
    let d = (a ^ state[o2 + w]) & observed[o1 + w] & observed[o2 + w];
    if (d === 0) continue;
    ones1 += popcount(a & d);
    const base = w << 5;
    while (d !== 0) {
      const low = d & -d;
      scratch[cnt++] = base + 31 - Math.clz32(low);
      d ^= low;
    }
  }
  out[0] = cnt;
  out[1] = ones1;
}

/** Re-deal the `cnt` tradeable cells in `scratch`: a random `ones1` of them go right in row r1. */
function deal(state: Int32Array, o1: number, o2: number, cnt: number, ones1: number, rng: FastRng, scratch: Int32Array): void {
  for (let s = 0; s < ones1; s++) {
    const j = s + rng.int(cnt - s);
    const t = scratch[s];
    scratch[s] = scratch[j];
    scratch[j] = t;
  }
  for (let s = 0; s < ones1; s++) {
    const c = scratch[s];
    const bit = 1 << (c & 31);
    state[o1 + (c >>> 5)] |= bit;
    state[o2 + (c >>> 5)] &= ~bit;
  }
  for (let s = ones1; s < cnt; s++) {
    const c = scratch[s];
    const bit = 1 << (c & 31);
    state[o1 + (c >>> 5)] &= ~bit;
    state[o2 + (c >>> 5)] |= bit;
  }
}

/** Scratch space for trades on a chain: room for every chain column, and two counts. */
export interface TradeScratch {
  cells: Int32Array;
  counts: Int32Array;
}

export function tradeScratch(chain: BinaryChain): TradeScratch {
  return { cells: new Int32Array(chain.nc), counts: new Int32Array(2) };
}

/** One curveball trade between rows r1 and r2 of the chain state (in place); returns the cells it re-dealt. */
export function curveballTrade(chain: BinaryChain, state: Int32Array, r1: number, r2: number, rng: FastRng, scratch: TradeScratch): number {
  const o1 = r1 * chain.nw;
  const o2 = r2 * chain.nw;
  tradeable(state, chain.observed, chain.nw, o1, o2, scratch.cells, scratch.counts);
  const cnt = scratch.counts[0];
  deal(state, o1, o2, cnt, scratch.counts[1], rng, scratch.cells);
  return cnt;
}

function pickRows(m: number, rng: FastRng): [number, number] {
  const r1 = rng.int(m);
  let r2 = rng.int(m - 1);
  if (r2 >= r1) r2++;
  return [r1, r2];
}

export function curveballSteps(chain: BinaryChain, state: Int32Array, trades: number, rng: FastRng, scratch: TradeScratch): void {
  if (chain.m < 2) return;
  for (let t = 0; t < trades; t++) {
    const [r1, r2] = pickRows(chain.m, rng);
    curveballTrade(chain, state, r1, r2, rng, scratch);
  }
}

/** Score of model k on chain column c in state `state` (0 or 1; NaN when missing). */
function cell(chain: BinaryChain, state: Int32Array, k: number, c: number): number {
  const w = k * chain.nw + (c >>> 5);
  const bit = 1 << (c & 31);
  return chain.observed[w] & bit ? (state[w] & bit ? 1 : 0) : NaN;
}

/**
 * The curveball sampler on a plain score matrix: a new row-major m × n matrix after `trades`
 * trades from `scores` (0/1 with NaN = missing). Row sums, column sums and the missing pattern
 * are exactly those of `scores`.
 */
export function curveball(scores: Float64Array, m: number, n: number, trades: number, rng: Rng): Float64Array {
  const chain = encodeBinary(scores, m, n);
  const state = chain.ones.slice();
  curveballSteps(chain, state, trades, FastRng.from(rng), tradeScratch(chain));
  const out = Float64Array.from(scores);
  for (let k = 0; k < m; k++) {
    for (let c = 0; c < chain.nc; c++) {
      const v = cell(chain, state, k, c);
      if (v === v) out[k * n + chain.columns[c]] = v;
    }
  }
  return out;
}

export interface CurveballMixing {
  /** Trades run from the observed matrix to measure mixing. */
  traceTrades: number;
  /** Share of observed (non-constant-column) cells that differ from the observed matrix, at stationarity (mean over the last half of the trace). */
  plateauShareChanged: number;
  /** Trades until the share changed first reached 95% of the plateau. */
  tradesTo95: number;
  plateauReached: boolean;
  /** Trades per replicate (and from the observed matrix to the hub): max(m, 2 × tradesTo95). */
  tradesPerReplicate: number;
  /** Share changed after tradesPerReplicate trades, relative to the plateau (≈ 1 when mixed). */
  shareChangedAtKRelative: number;
  /** Share-changed trace at a few points (trades, share), for the report. */
  trace: Array<[number, number]>;
}

/** Measure how fast the chain forgets the observed matrix, and choose trades per replicate. */
export function diagnoseCurveball(chain: BinaryChain, rng: FastRng, maxTrades = Math.max(200, 50 * chain.m)): CurveballMixing {
  const { m, nc, nw, observed } = chain;
  const orig = chain.ones;
  const state = orig.slice();
  const scratch = tradeScratch(chain);
  const d = new Float64Array(maxTrades + 1);
  let diff = 0;
  const denom = Math.max(1, chain.observedCells);
  if (m >= 2 && nc > 0) {
    for (let t = 1; t <= maxTrades; t++) {
      const [r1, r2] = pickRows(m, rng);
      const o1 = r1 * nw;
      const o2 = r2 * nw;
      // Cells a trade can touch: both observed and different. Count mismatches there before and after.
      let before = 0;
      for (let w = 0; w < nw; w++) {
        const can = (state[o1 + w] ^ state[o2 + w]) & observed[o1 + w] & observed[o2 + w];
        if (can !== 0) before += popcount(can & (state[o1 + w] ^ orig[o1 + w])) + popcount(can & (state[o2 + w] ^ orig[o2 + w]));
      }
      const cnt = curveballTrade(chain, state, r1, r2, rng, scratch);
      let after = 0;
      for (let s = 0; s < cnt; s++) {
        const c = scratch.cells[s];
        const w = c >>> 5;
        const bit = 1 << (c & 31);
        after += ((state[o1 + w] ^ orig[o1 + w]) & bit ? 1 : 0) + ((state[o2 + w] ^ orig[o2 + w]) & bit ? 1 : 0);
      }
      diff += after - before;
      d[t] = diff / denom;
    }
  }
  const half = Math.floor(maxTrades / 2);
  let plateau = 0;
  for (let t = half + 1; t <= maxTrades; t++) plateau += d[t];
  plateau /= Math.max(1, maxTrades - half);
  let t95 = 0;
  if (plateau > 0) {
    t95 = maxTrades;
    for (let t = 1; t <= maxTrades; t++) {
      if (d[t] >= 0.95 * plateau) {
        t95 = t;
        break;
      }
    }
  }
  const reached = t95 <= half;
  const k = reached ? Math.max(m, 2 * t95) : Math.max(m, maxTrades);
  const kIdx = Math.min(k, maxTrades);
  const trace: Array<[number, number]> = [];
  const marks = new Set<number>();
  for (let s = 0; s <= 20; s++) marks.add(Math.round((s / 20) * maxTrades));
  for (const t of [...marks].sort((a, b) => a - b)) trace.push([t, d[t]]);
  return {
    traceTrades: maxTrades,
    plateauShareChanged: plateau,
    tradesTo95: t95,
    plateauReached: reached,
    tradesPerReplicate: k,
    shareChangedAtKRelative: plateau > 0 ? d[kIdx] / plateau : 1,
    trace,
  };
}

/** Null B for 0/1 data as a NullSampler over the given output columns. */
export class CurveballNull implements NullSampler {
  readonly method = 'curveball';
  readonly m: number;
  readonly n: number;
  readonly chain: BinaryChain;
  readonly trades: number;
  private readonly hub: Int32Array;
  private readonly outColumns: Int32Array;
  /** Chain column of each output column, or -1 for a constant column (copied from `fixed`). */
  private readonly chainCol: Int32Array;
  private readonly fixed: Float64Array;
  private readonly seed: number;
  private readonly scratch: TradeScratch;
  private readonly work: Int32Array;

  constructor(scores: Float64Array, m: number, nTotal: number, columns: ArrayLike<number>, seed: number, trades: number, chain?: BinaryChain) {
    this.m = m;
    this.n = columns.length;
    this.seed = seed;
    this.trades = trades;
    this.chain = chain ?? encodeBinary(scores, m, nTotal);
    this.outColumns = Int32Array.from(columns as ArrayLike<number>);
    const where = new Map<number, number>();
    this.chain.columns.forEach((c, i) => where.set(c, i));
    this.chainCol = this.outColumns.map((c) => where.get(c) ?? -1);
    this.fixed = new Float64Array(this.n * m);
    for (let i = 0; i < this.n; i++) for (let k = 0; k < m; k++) this.fixed[i * m + k] = scores[k * nTotal + this.outColumns[i]];
    this.scratch = tradeScratch(this.chain);
    this.work = new Int32Array(this.chain.ones.length);
    this.hub = this.chain.ones.slice();
    curveballSteps(this.chain, this.hub, trades, FastRng.forReplicate(seed, 'nullB-hub', 0), this.scratch);
  }

  /** Continue a chain in `state` by `trades` trades (used for the autocorrelation diagnostic). */
  step(state: Int32Array, trades: number, rng: FastRng): void {
    curveballSteps(this.chain, state, trades, rng, this.scratch);
  }

  hubCopy(): Int32Array {
    return this.hub.slice();
  }

  draw(b: number, out: Float64Array): void {
    this.toColumns(this.replicate(b), out);
  }

  /**
   * Replicate b straight into bit-packed columns (`words` 32-bit words per output column, bit k
   * set when model k is right): the same replicate as `draw`. Every column's total and missing
   * cells are kept by a trade, so a caller that prepared one replicate need only replace the bits.
   */
  drawBits(b: number, bits: Int32Array, words: number): void {
    const state = this.replicate(b);
    const { m, n } = this;
    const nw = this.chain.nw;
    for (let i = 0; i < n; i++) {
      const cc = this.chainCol[i];
      const ow = i * words;
      for (let w = 0; w < words; w++) {
        const k0 = w << 5;
        const k1 = Math.min(m, k0 + 32);
        let x = 0;
        if (cc < 0) {
          for (let k = k0; k < k1; k++) x |= (this.fixed[i * m + k] === 1 ? 1 : 0) << (k - k0);
        } else {
          const cw = cc >>> 5;
          const sh = cc & 31;
          for (let k = k0; k < k1; k++) x |= ((state[k * nw + cw] >>> sh) & 1) << (k - k0);
        }
        bits[ow + w] = x;
      }
    }
  }

  private replicate(b: number): Int32Array {
    this.work.set(this.hub);
    curveballSteps(this.chain, this.work, this.trades, FastRng.forReplicate(this.seed, 'nullB', b), this.scratch);
    return this.work;
  }

  /** Output columns of a chain state. */
  toColumns(state: Int32Array, out: Float64Array): void {
    const { m, n } = this;
    for (let i = 0; i < n; i++) {
      const cc = this.chainCol[i];
      const o = i * m;
      if (cc < 0) {
        for (let k = 0; k < m; k++) out[o + k] = this.fixed[o + k];
        continue;
      }
      for (let k = 0; k < m; k++) out[o + k] = cell(this.chain, state, k, cc);
    }
  }
}
