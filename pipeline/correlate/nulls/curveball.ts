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

export const MISSING = 255;

export interface BinaryChain {
  m: number;
  /** Columns kept in the chain (prompts whose observed scores are not all equal). */
  nc: number;
  /** Dataset column of chain column c. */
  columns: Int32Array;
  /** m × nc row-major: 0, 1 or MISSING. */
  mat: Uint8Array;
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
  const mat = new Uint8Array(m * nc);
  let observed = 0;
  for (let k = 0; k < m; k++) {
    for (let c = 0; c < nc; c++) {
      const v = scores[k * n + keep[c]];
      mat[k * nc + c] = v !== v ? MISSING : v;
      if (v === v) observed++;
    }
  }
  return { m, nc, columns: Int32Array.from(keep), mat, observedCells: observed };
}

/** One curveball trade between rows r1 and r2 (in place). `scratch` has room for nc indices. */
export function curveballTrade(mat: Uint8Array, nc: number, r1: number, r2: number, rng: FastRng, scratch: Int32Array): number {
  const o1 = r1 * nc;
  const o2 = r2 * nc;
  let cnt = 0;
  let ones1 = 0;
  for (let c = 0; c < nc; c++) {
    const a = mat[o1 + c];
    // a ^ b === 1 exactly when one is 0 and the other 1 (MISSING = 255 never qualifies).
    if ((a ^ mat[o2 + c]) === 1) {
      scratch[cnt++] = c;
      ones1 += a;
    }
  }
  for (let s = 0; s < ones1; s++) {
    const j = s + rng.int(cnt - s);
    const t = scratch[s];
    scratch[s] = scratch[j];
    scratch[j] = t;
  }
  for (let s = 0; s < cnt; s++) {
    const c = scratch[s];
    const one = s < ones1 ? 1 : 0;
    mat[o1 + c] = one;
    mat[o2 + c] = 1 - one;
  }
  return cnt;
}

function pickRows(m: number, rng: FastRng): [number, number] {
  const r1 = rng.int(m);
  let r2 = rng.int(m - 1);
  if (r2 >= r1) r2++;
  return [r1, r2];
}

export function curveballSteps(chain: BinaryChain, mat: Uint8Array, trades: number, rng: FastRng, scratch: Int32Array): void {
  if (chain.m < 2) return;
  for (let t = 0; t < trades; t++) {
    const [r1, r2] = pickRows(chain.m, rng);
    curveballTrade(mat, chain.nc, r1, r2, rng, scratch);
  }
}

/**
 * The curveball sampler on a plain score matrix: a new row-major m × n matrix after `trades`
 * trades from `scores` (0/1 with NaN = missing). Row sums, column sums and the missing pattern
 * are exactly those of `scores`.
 */
export function curveball(scores: Float64Array, m: number, n: number, trades: number, rng: Rng): Float64Array {
  const chain = encodeBinary(scores, m, n);
  const mat = chain.mat.slice();
  curveballSteps(chain, mat, trades, FastRng.from(rng), new Int32Array(chain.nc));
  const out = Float64Array.from(scores);
  for (let k = 0; k < m; k++) {
    for (let c = 0; c < chain.nc; c++) {
      const v = mat[k * chain.nc + c];
      if (v !== MISSING) out[k * n + chain.columns[c]] = v;
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
  const { m, nc } = chain;
  const orig = chain.mat;
  const mat = orig.slice();
  const scratch = new Int32Array(nc);
  const d = new Float64Array(maxTrades + 1);
  let diff = 0;
  const denom = Math.max(1, chain.observedCells);
  if (m >= 2 && nc > 0) {
    for (let t = 1; t <= maxTrades; t++) {
      const [r1, r2] = pickRows(m, rng);
      const o1 = r1 * nc;
      const o2 = r2 * nc;
      // Cells a trade can touch: both observed and different. Count mismatches there before and after.
      let before = 0;
      for (let c = 0; c < nc; c++) {
        if ((mat[o1 + c] ^ mat[o2 + c]) === 1) before += (mat[o1 + c] !== orig[o1 + c] ? 1 : 0) + (mat[o2 + c] !== orig[o2 + c] ? 1 : 0);
      }
      const cnt = curveballTrade(mat, nc, r1, r2, rng, scratch);
      let after = 0;
      for (let s = 0; s < cnt; s++) {
        const c = scratch[s];
        after += (mat[o1 + c] !== orig[o1 + c] ? 1 : 0) + (mat[o2 + c] !== orig[o2 + c] ? 1 : 0);
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
  private readonly hub: Uint8Array;
  private readonly outColumns: Int32Array;
  /** Chain column of each output column, or -1 for a constant column (copied from `fixed`). */
  private readonly chainCol: Int32Array;
  private readonly fixed: Float64Array;
  private readonly seed: number;
  private readonly scratch: Int32Array;
  private readonly work: Uint8Array;

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
    this.scratch = new Int32Array(this.chain.nc);
    this.work = new Uint8Array(this.chain.mat.length);
    this.hub = this.chain.mat.slice();
    curveballSteps(this.chain, this.hub, trades, FastRng.forReplicate(seed, 'nullB-hub', 0), this.scratch);
  }

  /** Continue a chain in `mat` by `trades` trades (used for the autocorrelation diagnostic). */
  step(mat: Uint8Array, trades: number, rng: FastRng): void {
    curveballSteps(this.chain, mat, trades, rng, this.scratch);
  }

  hubCopy(): Uint8Array {
    return this.hub.slice();
  }

  draw(b: number, out: Float64Array): void {
    this.work.set(this.hub);
    curveballSteps(this.chain, this.work, this.trades, FastRng.forReplicate(this.seed, 'nullB', b), this.scratch);
    this.toColumns(this.work, out);
  }

  /** Output columns of a chain state `mat`. */
  toColumns(mat: Uint8Array, out: Float64Array): void {
    const { m, n } = this;
    const nc = this.chain.nc;
    for (let i = 0; i < n; i++) {
      const cc = this.chainCol[i];
      const o = i * m;
      if (cc < 0) {
        for (let k = 0; k < m; k++) out[o + k] = this.fixed[o + k];
        continue;
      }
      for (let k = 0; k < m; k++) {
        const v = mat[k * nc + cc];
        out[o + k] = v === MISSING ? NaN : v;
      }
    }
  }
}
