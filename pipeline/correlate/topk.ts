/**
 * Exact per-prompt top-k most similar prompts without an n × n matrix: all pairs are visited in
 * blocks of rows (each pair once, updating both rows' running top-k), so memory is O(n·k).
 * The same pass counts, exactly, the pairs whose similarity is undefined and why.
 */
import type { ProgressBar } from '../core/progress.ts';
import { completeBinarySimilarity, maskedBinarySimilarity, pairSimilarity, type PreparedColumns } from './similarity.ts';
import { BLOCK_PAIRS } from './kernel/bit-columns.ts';

export interface TopK {
  k: number;
  /** n × k neighbour indices (into the prepared columns), most similar first; −1 pads. */
  indices: Int32Array;
  /** n × k similarities matching `indices` (NaN pads). */
  values: Float32Array;
  /** Pairs visited, pairs with fewer than minCommon common models, other undefined pairs. */
  pairs: number;
  lackingCommonModels: number;
  undefinedOther: number;
}

// Rows per block: each column j is read once per block, against rows that stay in cache.
const BLOCK = 32;
if (BLOCK > BLOCK_PAIRS) throw new Error('topk: BLOCK exceeds the kernel block size');

export function topKSimilar(p: PreparedColumns, k: number, bar?: ProgressBar): TopK {
  return finishTopK(topKPartial(p, k, 0, 1, bar ? (x) => bar.tick(x) : undefined));
}

/** Running (unsorted) top-k lists from the row blocks b with b % stride === offset. */
export interface PartialTopK {
  n: number;
  k: number;
  vals: Float64Array;
  idx: Int32Array;
  pairs: number;
  lackingCommonModels: number;
  undefinedOther: number;
}

export function topKPartial(p: PreparedColumns, k: number, offset: number, stride: number, tick?: (rows: number) => void): PartialTopK {
  const { n, m } = p;
  const kk = Math.max(0, Math.min(k, n - 1));
  const vals = new Float64Array(n * kk).fill(-Infinity);
  const idx = new Int32Array(n * kk).fill(-1);
  const minVal = new Float64Array(n).fill(-Infinity);
  const minPos = new Int32Array(n);
  let lacking = 0;
  let undef = 0;
  const minIdx = new Int32Array(n).fill(-1);
  // Rank order: higher similarity first, then lower index, so the kept set is the same however
  // the pairs are split over threads.
  const push = (row: number, v: number, j: number): void => {
    const mv = minVal[row];
    if (!(v > mv || (v === mv && minIdx[row] >= 0 && j < minIdx[row]))) return;
    const o = row * kk;
    vals[o + minPos[row]] = v;
    idx[o + minPos[row]] = j;
    let wv = Infinity;
    let wi = -1;
    let wp = 0;
    for (let a = 0; a < kk; a++) {
      const x = vals[o + a];
      const xi = idx[o + a];
      if (x < wv || (x === wv && (xi < 0 || xi > wi))) {
        wv = x;
        wi = xi;
        wp = a;
      }
    }
    minVal[row] = wv;
    minIdx[row] = wi;
    minPos[row] = wp;
  };
  const dotPath = (p.metric === 'pearson' || p.metric === 'cosine') && p.words === 0;
  const t = p.t;
  const { packed, complete } = p;
  let visited = 0;
  for (let i0 = offset * BLOCK; i0 < n; i0 += stride * BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    let blockComplete = true;
    for (let i = i0; i < i1; i++) if (complete[i] !== 1) blockComplete = false;
    for (let j = i0 + 1; j < n; j++) {
      const oj = j * m;
      const jFast = p.fast[j] === 1;
      const iEnd = Math.min(i1, j);
      visited += iEnd - i0;
      // 0/1 columns: one kernel call counts the whole block against column j.
      let counts: Int32Array | null = null;
      let stride = 0;
      if (packed && iEnd > i0) {
        if (complete[j] === 1 && blockComplete) {
          packed.n11Block(j, i0, iEnd - i0);
          stride = 1;
        } else {
          packed.maskedBlock(j, i0, iEnd - i0);
          stride = 4;
        }
        counts = packed.blockCounts;
      }
      for (let i = i0; i < iEnd; i++) {
        let v: number;
        if (counts) {
          const q = (i - i0) * stride;
          v = complete[i] === 1 && complete[j] === 1
            ? completeBinarySimilarity(p, i, j, counts[q])
            : maskedBinarySimilarity(p.metric, p.minCommon, counts[q], counts[q + 1], counts[q + 2], counts[q + 3]);
        } else if (dotPath && jFast && p.fast[i] === 1) {
          const oi = i * m;
          let d = 0;
          for (let a = 0; a < m; a++) d += t[oi + a] * t[oj + a];
          v = d > 1 ? 1 : d < -1 ? -1 : d;
        } else {
          v = pairSimilarity(p, i, j);
        }
        if (v !== v) {
          if (commonModels(p, i, j) < p.minCommon) lacking++;
          else undef++;
          continue;
        }
        if (kk > 0) {
          // Round away last-bit differences between the dot-product and pairwise-complete paths so
          // that equal similarities tie exactly (ties go to the lower index).
          v = Math.round(v * 1e12) / 1e12;
          push(i, v, j);
          push(j, v, i);
        }
      }
    }
    tick?.(i1 - i0);
  }
  return { n, k: kk, vals, idx, pairs: visited, lackingCommonModels: lacking, undefinedOther: undef };
}

/** Merge partial top-k lists (from worker threads) and sort every row. */
export function mergeTopK(parts: PartialTopK[]): TopK {
  if (parts.length === 1) return finishTopK(parts[0]);
  const { n, k } = parts[0];
  const vals = new Float64Array(n * k).fill(-Infinity);
  const idx = new Int32Array(n * k).fill(-1);
  const cand: Array<[number, number]> = [];
  for (let r = 0; r < n; r++) {
    cand.length = 0;
    for (const pt of parts) for (let a = 0; a < k; a++) if (pt.idx[r * k + a] >= 0) cand.push([pt.vals[r * k + a], pt.idx[r * k + a]]);
    cand.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    for (let a = 0; a < Math.min(k, cand.length); a++) {
      vals[r * k + a] = cand[a][0];
      idx[r * k + a] = cand[a][1];
    }
  }
  let pairs = 0, lacking = 0, undef = 0;
  for (const pt of parts) {
    pairs += pt.pairs;
    lacking += pt.lackingCommonModels;
    undef += pt.undefinedOther;
  }
  return finishTopK({ n, k, vals, idx, pairs, lackingCommonModels: lacking, undefinedOther: undef });
}

function finishTopK(pt: PartialTopK): TopK {
  const { n, k: kk, vals, idx } = pt;
  // Sort each row: most similar first, ties by index.
  const order = new Array<number>(kk);
  const outV = new Float32Array(n * kk).fill(NaN);
  const outI = new Int32Array(n * kk).fill(-1);
  for (let r = 0; r < n; r++) {
    const o = r * kk;
    for (let a = 0; a < kk; a++) order[a] = a;
    order.sort((x, y) => {
      const ix = idx[o + x], iy = idx[o + y];
      if (ix < 0 || iy < 0) return ix < 0 ? (iy < 0 ? 0 : 1) : -1;
      return vals[o + y] - vals[o + x] || ix - iy;
    });
    for (let a = 0; a < kk; a++) {
      const s = o + order[a];
      if (idx[s] < 0) continue;
      outI[o + a] = idx[s];
      outV[o + a] = vals[s];
    }
  }
  return { k: kk, indices: outI, values: outV, pairs: pt.pairs, lackingCommonModels: pt.lackingCommonModels, undefinedOther: pt.undefinedOther };
}

/** Number of models that have both prompts' scores. */
export function commonModels(p: PreparedColumns, i: number, j: number): number {
  const m = p.m;
  if (p.complete[i] && p.complete[j]) return m;
  if (p.packed) {
    p.packed.masked(i, j);
    return p.packed.counts[0];
  }
  const raw = p.raw;
  let c = 0;
  for (let a = 0; a < m; a++) {
    const x = raw[i * m + a];
    const y = raw[j * m + a];
    if (x === x && y === y) c++;
  }
  return c;
}
