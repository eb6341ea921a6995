/**
 * Performance similarity between two prompts' performance vectors (METHOD §1), over the models
 * that have both scores (pairwise-complete; NaN = missing). Every function returns NaN when the
 * similarity is undefined: fewer than `minCommon` common models, or a zero-variance (Pearson),
 * zero-norm (cosine) or empty-union (Jaccard) vector over the common models.
 *
 * `prepareColumns` + `pairSimilarity` is the fast path used on whole matrices: columns with no
 * missing cell are transformed once (standardised for Pearson, unit-norm for cosine) so that a
 * pair costs one dot product; pairs involving an incomplete column fall back to the exact
 * pairwise-complete formula.
 */
import type { SimilarityMetric } from './index.ts';
import { BitColumns } from './kernel/bit-columns.ts';

const EPS = 1e-12;

interface Sums {
  c: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
  sabs: number;
}

function sums(x: ArrayLike<number>, y: ArrayLike<number>): Sums {
  if (x.length !== y.length) throw new Error(`vectors differ in length: ${x.length} vs ${y.length}`);
  let c = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, sabs = 0;
  for (let k = 0; k < x.length; k++) {
    const a = x[k];
    const b = y[k];
    if (a !== a || b !== b) continue;
    c++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
    sabs += Math.abs(a - b);
  }
  return { c, sx, sy, sxx, syy, sxy, sabs };
}

function fromSums(metric: SimilarityMetric, s: Sums, minCommon: number): number {
  const { c, sx, sy, sxx, syy, sxy, sabs } = s;
  if (c < Math.max(1, minCommon)) return NaN;
  switch (metric) {
    case 'pearson': {
      if (c < 2) return NaN;
      const vx = sxx - (sx * sx) / c;
      const vy = syy - (sy * sy) / c;
      if (vx <= EPS * c || vy <= EPS * c) return NaN;
      return clamp((sxy - (sx * sy) / c) / Math.sqrt(vx * vy), -1, 1);
    }
    case 'cosine':
      if (sxx <= EPS || syy <= EPS) return NaN;
      return clamp(sxy / Math.sqrt(sxx * syy), -1, 1);
    case 'jaccard': {
      const union = sx + sy - sxy;
      return union <= EPS ? NaN : sxy / union;
    }
    case 'hamming':
      return 1 - sabs / c;
  }
}

/** Pearson correlation over common models (phi coefficient for 0/1 vectors). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, minCommon = 2): number {
  return fromSums('pearson', sums(x, y), minCommon);
}

/** Cosine similarity over common models. */
export function cosineSimilarity(x: ArrayLike<number>, y: ArrayLike<number>, minCommon = 1): number {
  return fromSums('cosine', sums(x, y), minCommon);
}

/** Jaccard similarity of 0/1 vectors over common models: |both 1| / |either 1|. */
export function jaccard(x: ArrayLike<number>, y: ArrayLike<number>, minCommon = 1): number {
  return fromSums('jaccard', sums(x, y), minCommon);
}

/** Hamming similarity: share of common models that agree (for graded scores, 1 − mean |x − y|). */
export function hamming(x: ArrayLike<number>, y: ArrayLike<number>, minCommon = 1): number {
  return fromSums('hamming', sums(x, y), minCommon);
}

export function similarity(metric: SimilarityMetric, x: ArrayLike<number>, y: ArrayLike<number>, minCommon = 2): number {
  return fromSums(metric, sums(x, y), minCommon);
}

/** The range a metric's values live in (fixed histogram bins use it). */
export function metricRange(metric: SimilarityMetric): [number, number] {
  return metric === 'pearson' || metric === 'cosine' ? [-1, 1] : [0, 1];
}

/**
 * Columns of a matrix made ready for many pair evaluations. `raw` holds n columns of length m
 * (column-major, NaN = missing); `t` the transformed complete columns.
 */
export interface PreparedColumns {
  metric: SimilarityMetric;
  m: number;
  n: number;
  minCommon: number;
  raw: Float64Array;
  t: Float64Array;
  /** Per column: sum of raw values (Hamming/Jaccard fast path). */
  sum: Float64Array;
  /** 1 = no missing cell in the column. */
  complete: Uint8Array;
  /** 1 = complete and its transform is defined (non-zero variance / norm). */
  fast: Uint8Array;
  /** True when every observed value is 0 or 1 (Hamming fast path). */
  binary: boolean;
  /** Raw values with 0 at missing cells (n × m), for the pairwise-complete path. */
  raw0: Float64Array;
  /** Per column: sum of squares of observed values. */
  sumSq: Float64Array;
  /** Missing rows of column i: missIdx[missStart[i] .. missStart[i+1]). */
  missStart: Int32Array;
  missIdx: Int32Array;
  /**
   * 0/1 data: bit-packed columns (32 models per word, an even number of words) so that a pair
   * costs a few popcounts in the WebAssembly kernel and the whole matrix stays in cache.
   * `words` = 0 when not used.
   */
  words: number;
  packed: BitColumns | null;
  /** n × words: bit k set when model k got the prompt right. */
  bits: Int32Array;
  /** n × words: bit k set when model k has a score. */
  mask: Int32Array;
  /** Per column: Pearson √(c(m−c)) or cosine √c for complete 0/1 columns. */
  den: Float64Array;
}

/** Similarity of two 0/1 prepared columns from the packed bits (exact integer counts). */
export function binaryPairSimilarity(p: PreparedColumns, i: number, j: number): number {
  const packed = p.packed!;
  if (p.complete[i] && p.complete[j]) return completeBinarySimilarity(p, i, j, packed.n11(i, j));
  // Missing cells have no bit set in either word array, so the counts are over the common models.
  const n11 = packed.masked(i, j);
  const counts = packed.counts;
  return maskedBinarySimilarity(p.metric, p.minCommon, n11, counts[0], counts[1], counts[2]);
}

/** Similarity of complete 0/1 columns i and j that n11 models both got right. */
export function completeBinarySimilarity(p: PreparedColumns, i: number, j: number, n11: number): number {
  const c = p.m;
  const sx = p.sum[i];
  const sy = p.sum[j];
  if (c < p.minCommon) return NaN;
  switch (p.metric) {
    case 'pearson': {
      const d = p.den[i] * p.den[j];
      return d > 0 ? clamp((c * n11 - sx * sy) / d, -1, 1) : NaN;
    }
    case 'cosine': {
      const d = p.den[i] * p.den[j];
      return d > 0 ? clamp(n11 / d, -1, 1) : NaN;
    }
    case 'jaccard': {
      const u = sx + sy - n11;
      return u > 0 ? n11 / u : NaN;
    }
    case 'hamming':
      return 1 - (sx + sy - 2 * n11) / c;
  }
}

/** Similarity of 0/1 columns from counts over their c common models (sx, sy: each column's ones there). */
export function maskedBinarySimilarity(metric: SimilarityMetric, minCommon: number, n11: number, c: number, sx: number, sy: number): number {
  if (c < minCommon || c < 1) return NaN;
  switch (metric) {
    case 'pearson': {
      const vx = sx * (c - sx);
      const vy = sy * (c - sy);
      if (c < 2 || vx <= 0 || vy <= 0) return NaN;
      return clamp((c * n11 - sx * sy) / Math.sqrt(vx * vy), -1, 1);
    }
    case 'cosine':
      return sx > 0 && sy > 0 ? clamp(n11 / Math.sqrt(sx * sy), -1, 1) : NaN;
    case 'jaccard': {
      const u = sx + sy - n11;
      return u > 0 ? n11 / u : NaN;
    }
    case 'hamming':
      return 1 - (sx + sy - 2 * n11) / c;
  }
}

/** What a worker thread needs to rebuild prepared 0/1 columns (compact copies, no raw scores). */
export interface PackedColumnsPayload {
  metric: SimilarityMetric;
  m: number;
  n: number;
  minCommon: number;
  sum: Float64Array;
  complete: Uint8Array;
  den: Float64Array;
  bits: Int32Array;
  mask: Int32Array;
}

export function packedPayload(p: PreparedColumns): PackedColumnsPayload {
  if (!p.packed) throw new Error('packedPayload: columns are not bit-packed');
  return { metric: p.metric, m: p.m, n: p.n, minCommon: p.minCommon, sum: p.sum.slice(), complete: p.complete.slice(), den: p.den.slice(), bits: p.bits.slice(), mask: p.mask.slice() };
}

/** Prepared 0/1 columns from a payload: enough for pair similarities and top-k, not for closed forms. */
export function preparedFromPayload(q: PackedColumnsPayload): PreparedColumns {
  const packed = new BitColumns(q.n, q.m);
  packed.bits.set(q.bits);
  packed.mask.set(q.mask);
  return {
    metric: q.metric,
    m: q.m,
    n: q.n,
    minCommon: q.minCommon,
    raw: new Float64Array(0),
    t: new Float64Array(0),
    sum: q.sum,
    complete: q.complete,
    fast: new Uint8Array(q.n),
    binary: true,
    raw0: new Float64Array(0),
    sumSq: new Float64Array(q.n),
    missStart: new Int32Array(q.n + 1),
    missIdx: new Int32Array(0),
    words: packed.words,
    packed,
    bits: packed.bits,
    mask: packed.mask,
    den: q.den,
  };
}

/** Build (or rebuild into `into`) the prepared form of column-major `raw` (n × m). */
export function prepareColumns(
  metric: SimilarityMetric,
  raw: Float64Array,
  m: number,
  n: number,
  minCommon: number,
  binary: boolean,
  into?: PreparedColumns,
  /** Skip the standardised copy (only the closed forms and non-0/1 data need it). */
  withTransform = true,
): PreparedColumns {
  const p: PreparedColumns = into ?? {
    metric,
    m,
    n,
    minCommon,
    raw,
    // 0/1 data without closed forms uses only the packed bits: skip the two n × m float copies.
    t: new Float64Array(binary && !withTransform ? 0 : n * m),
    sum: new Float64Array(n),
    complete: new Uint8Array(n),
    fast: new Uint8Array(n),
    binary,
    raw0: new Float64Array(binary ? 0 : n * m),
    sumSq: new Float64Array(n),
    missStart: new Int32Array(n + 1),
    missIdx: new Int32Array(0),
    words: 0,
    packed: null,
    bits: new Int32Array(0),
    mask: new Int32Array(0),
    den: new Float64Array(n),
  };
  p.raw = raw;
  const { sum, complete, fast, raw0, sumSq, missStart } = p;
  const hasRaw0 = raw0.length === n * m;
  // Missing cells and the zero-filled copy (the missing pattern may differ from a previous use).
  let nMiss = 0;
  for (let q = 0; q < raw.length; q++) if (raw[q] !== raw[q]) nMiss++;
  if (p.missIdx.length !== nMiss) p.missIdx = new Int32Array(nMiss);
  const missIdx = p.missIdx;
  let mc = 0;
  for (let i = 0; i < n; i++) {
    missStart[i] = mc;
    const o = i * m;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < m; k++) {
      const v = raw[o + k];
      if (v !== v) {
        if (hasRaw0) raw0[o + k] = 0;
        missIdx[mc++] = k;
      } else {
        if (hasRaw0) raw0[o + k] = v;
        s1 += v;
        s2 += v * v;
      }
    }
    sum[i] = s1;
    sumSq[i] = s2;
  }
  missStart[n] = mc;
  if (p.t.length < n * m && !(binary && !withTransform)) p.t = new Float64Array(n * m);
  const t = p.t;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    const s = sum[i];
    let ok = 1;
    if (missStart[i + 1] > missStart[i]) ok = 0;
    complete[i] = ok;
    fast[i] = 0;
    if (!ok || m < minCommon || (binary && !withTransform)) continue;
    if (metric === 'pearson') {
      const mean = s / m;
      let ss = 0;
      for (let k = 0; k < m; k++) {
        const d = raw[o + k] - mean;
        t[o + k] = d;
        ss += d * d;
      }
      if (ss <= EPS * m) continue;
      const inv = 1 / Math.sqrt(ss);
      for (let k = 0; k < m; k++) t[o + k] *= inv;
      fast[i] = 1;
    } else if (metric === 'cosine') {
      let ss = 0;
      for (let k = 0; k < m; k++) ss += raw[o + k] * raw[o + k];
      if (ss <= EPS) continue;
      const inv = 1 / Math.sqrt(ss);
      for (let k = 0; k < m; k++) t[o + k] = raw[o + k] * inv;
      fast[i] = 1;
    } else {
      for (let k = 0; k < m; k++) t[o + k] = raw[o + k];
      fast[i] = 1;
    }
  }
  if (binary) {
    if (!p.packed || p.packed.n !== n || p.m !== m) {
      p.packed = new BitColumns(n, m);
      p.words = p.packed.words;
      p.bits = p.packed.bits;
      p.mask = p.packed.mask;
    }
    const W = p.words;
    const { bits, mask, den } = p;
    bits.fill(0);
    mask.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * m;
      const ow = i * W;
      for (let k = 0; k < m; k++) {
        const v = raw[o + k];
        if (v !== v) continue;
        const bit = 1 << (k & 31);
        mask[ow + (k >>> 5)] |= bit;
        if (v === 1) bits[ow + (k >>> 5)] |= bit;
      }
      const c = sum[i];
      den[i] = metric === 'pearson' ? Math.sqrt(c * (m - c)) : metric === 'cosine' ? Math.sqrt(c) : 0;
    }
  }
  return p;
}

/** Similarity of prepared columns i and j (NaN when undefined). */
export function pairSimilarity(p: PreparedColumns, i: number, j: number): number {
  if (p.words > 0) return binaryPairSimilarity(p, i, j);
  const m = p.m;
  const oi = i * m;
  const oj = j * m;
  if (p.complete[i] && p.complete[j]) {
    if (!p.fast[i] || !p.fast[j]) {
      // A complete column whose transform is undefined (zero variance or zero norm): NaN for
      // Pearson/cosine; Jaccard/Hamming never land here.
      return NaN;
    }
    const t = p.t;
    switch (p.metric) {
      case 'pearson':
      case 'cosine': {
        let d = 0;
        for (let k = 0; k < m; k++) d += t[oi + k] * t[oj + k];
        return d > 1 ? 1 : d < -1 ? -1 : d;
      }
      case 'jaccard': {
        let d = 0;
        for (let k = 0; k < m; k++) d += t[oi + k] * t[oj + k];
        const union = p.sum[i] + p.sum[j] - d;
        return union <= EPS ? NaN : d / union;
      }
      case 'hamming': {
        if (p.binary) {
          let d = 0;
          for (let k = 0; k < m; k++) d += t[oi + k] * t[oj + k];
          return (2 * d - p.sum[i] - p.sum[j] + m) / m;
        }
        let a = 0;
        for (let k = 0; k < m; k++) a += Math.abs(t[oi + k] - t[oj + k]);
        return 1 - a / m;
      }
    }
  }
  if (p.metric === 'hamming' && !p.binary) return similarityRaw(p, i, j);
  // Pairwise-complete sums from the zero-filled columns: one dot product over all models, then
  // remove each column's values at the rows where the other one is missing (short lists).
  const r0 = p.raw0;
  let sxy = 0;
  for (let k = 0; k < m; k++) sxy += r0[oi + k] * r0[oj + k];
  let sx = p.sum[i], sxx = p.sumSq[i], sy = p.sum[j], syy = p.sumSq[j];
  const ms = p.missStart, mi = p.missIdx;
  let both = 0;
  for (let a = ms[j]; a < ms[j + 1]; a++) {
    const v = r0[oi + mi[a]];
    sx -= v;
    sxx -= v * v;
  }
  for (let a = ms[i]; a < ms[i + 1]; a++) {
    const k = mi[a];
    const v = r0[oj + k];
    sy -= v;
    syy -= v * v;
    const w = p.raw[oj + k];
    if (w !== w) both++;
  }
  const c = m - (ms[i + 1] - ms[i]) - (ms[j + 1] - ms[j]) + both;
  if (c < p.minCommon || c < 1) return NaN;
  switch (p.metric) {
    case 'pearson': {
      const vx = sxx - (sx * sx) / c;
      const vy = syy - (sy * sy) / c;
      if (c < 2 || vx <= EPS * c || vy <= EPS * c) return NaN;
      const r = (sxy - (sx * sy) / c) / Math.sqrt(vx * vy);
      return r > 1 ? 1 : r < -1 ? -1 : r;
    }
    case 'cosine': {
      if (sxx <= EPS || syy <= EPS) return NaN;
      const r = sxy / Math.sqrt(sxx * syy);
      return r > 1 ? 1 : r < -1 ? -1 : r;
    }
    case 'jaccard': {
      const union = sx + sy - sxy;
      return union <= EPS ? NaN : sxy / union;
    }
    case 'hamming':
      // For 0/1 values |x − y| = x + y − 2xy.
      return 1 - (sx + sy - 2 * sxy) / c;
  }
}

/** The direct pairwise-complete computation on raw columns (graded Hamming; reference). */
export function similarityRaw(p: PreparedColumns, i: number, j: number): number {
  const m = p.m;
  return fromSums(p.metric, sums(p.raw.subarray(i * m, (i + 1) * m), p.raw.subarray(j * m, (j + 1) * m)), p.minCommon);
}

/**
 * Closed forms of METHOD §1 for Pearson and cosine when every column is complete:
 * mean off-diagonal similarity (‖Σ z_i‖² − n) / (n(n−1)) in O(n·m) and mean squared similarity
 * (‖Z Zᵀ‖²_F − n) / (n(n−1)) from the m × m Gram matrix in O(n·m²). Null when not applicable.
 * `withSquared = false` skips the Gram matrix.
 */
export function closedFormMeans(p: PreparedColumns, withSquared: boolean): { mean: number; meanSquared: number } | null {
  if (p.metric !== 'pearson' && p.metric !== 'cosine') return null;
  const { m, n, t } = p;
  if (n < 2) return null;
  for (let i = 0; i < n; i++) if (!p.fast[i]) return null;
  const s = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    for (let k = 0; k < m; k++) s[k] += t[o + k];
  }
  let ss = 0;
  for (let k = 0; k < m; k++) ss += s[k] * s[k];
  const pairs = n * (n - 1);
  const mean = (ss - n) / pairs;
  if (!withSquared) return { mean, meanSquared: NaN };
  const g = upperGram(t, m, n);
  let fro = 0;
  for (let a = 0; a < m; a++) {
    fro += g[a * m + a] * g[a * m + a];
    for (let b = a + 1; b < m; b++) fro += 2 * g[a * m + b] * g[a * m + b];
  }
  return { mean, meanSquared: (fro - n) / pairs };
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * The m × m Gram matrix Σ_i t_i t_iᵀ of n column-major columns of length m, upper triangle only
 * (g[a·m + b] for b ≥ a; the rest stays 0): the closed-form mean squared similarity and the residual
 * groups' principal components both start from it.
 */
export function upperGram(t: Float64Array, m: number, n: number): Float64Array {
  const g = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    for (let a = 0; a < m; a++) {
      const va = t[o + a];
      if (va === 0) continue;
      const row = a * m;
      for (let b = a; b < m; b++) g[row + b] += va * t[o + b];
    }
  }
  return g;
}
