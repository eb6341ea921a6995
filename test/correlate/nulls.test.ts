import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { curveball, diagnoseCurveball, encodeBinary, CurveballNull, ColumnPermutationNull, ResidualPermutationNull } from '../../pipeline/correlate/index.ts';
import { FastRng } from '../../pipeline/correlate/fast-rng.ts';
import { rasch, randomMatrix, rowSums, colSums, missingPattern } from './helpers.ts';

/** Back to row-major m × n from the samplers' column-major output. */
function toRows(cols: Float64Array, m: number, n: number): Float64Array {
  const s = new Float64Array(m * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) s[k * n + i] = cols[i * m + k];
  return s;
}

describe('Null B for 0/1 data: curveball', () => {
  const m = 15, n = 80;
  const withMissing = rasch(m, n, 3).map((v, q) => ((q * 7919) % 23 === 0 ? NaN : v));

  it('keeps every row total, column total and the missing pattern exactly, and changes cells', () => {
    for (const s of [rasch(m, n, 3), withMissing]) {
      const out = curveball(s, m, n, 500, createRng(5));
      expect(rowSums(out, m, n)).toEqual(rowSums(s, m, n));
      expect(colSums(out, m, n)).toEqual(colSums(s, m, n));
      expect(missingPattern(out)).toEqual(missingPattern(s));
      let changed = 0;
      for (let q = 0; q < s.length; q++) if (s[q] === s[q] && s[q] !== out[q]) changed++;
      expect(changed).toBeGreaterThan(0.05 * m * n);
    }
  });

  it('every replicate of the sampler keeps the totals (with missing cells)', () => {
    const cols = Array.from({ length: n }, (_, i) => i);
    const s = new CurveballNull(withMissing, m, n, cols, 9, 60);
    const buf = new Float64Array(m * n);
    for (let b = 0; b < 5; b++) {
      s.draw(b, buf);
      const out = toRows(buf, m, n);
      expect(rowSums(out, m, n)).toEqual(rowSums(withMissing, m, n));
      expect(colSums(out, m, n)).toEqual(colSums(withMissing, m, n));
      expect(missingPattern(out)).toEqual(missingPattern(withMissing));
    }
  });

  it('samples the matrices with given margins uniformly (3 × 3, all margins 1: the 6 permutation matrices)', () => {
    const start = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const counts = new Map<string, number>();
    const rng = createRng(17);
    const N = 3000;
    for (let r = 0; r < N; r++) {
      const out = curveball(start, 3, 3, 20, rng);
      const key = Array.from(out).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - N / 6) ** 2 / (N / 6);
    // χ²(5) 99.9% quantile ≈ 20.5
    expect(chi2).toBeLessThan(20.5);
  });

  it('mixing: the share of changed cells levels off, and the chosen trades per replicate reach the plateau', () => {
    const s = rasch(30, 400, 21);
    const mix = diagnoseCurveball(encodeBinary(s, 30, 400), FastRng.forReplicate(1, 'diag', 0));
    expect(mix.plateauReached).toBe(true);
    expect(mix.plateauShareChanged).toBeGreaterThan(0.05);
    expect(mix.tradesPerReplicate).toBeGreaterThanOrEqual(30);
    expect(mix.shareChangedAtKRelative).toBeGreaterThan(0.95);
  });

  it('a matrix that is the only one with its margins (nested, Guttman) never changes', () => {
    const m = 6, n = 8;
    const s = new Float64Array(m * n);
    for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) s[k * n + i] = i < k + 2 ? 1 : 0;
    expect(Array.from(curveball(s, m, n, 300, createRng(2)))).toEqual(Array.from(s));
    expect(diagnoseCurveball(encodeBinary(s, m, n), FastRng.forReplicate(1, 'g', 0)).plateauShareChanged).toBe(0);
  });
});

describe('Null A: column permutation', () => {
  it('keeps each prompt\u2019s observed values and missing positions, and moves values between models', () => {
    const m = 12, n = 30;
    const s = randomMatrix(m, n, 4, (rng) => Math.round(rng.next() * 4) / 4, 0.1);
    const cols = Array.from({ length: n }, (_, i) => i);
    const nullA = new ColumnPermutationNull(s, m, n, cols, 3);
    const buf = new Float64Array(m * n);
    nullA.draw(0, buf);
    const out = toRows(buf, m, n);
    expect(missingPattern(out)).toEqual(missingPattern(s));
    expect(colSums(out, m, n).map((x) => x.toFixed(9))).toEqual(colSums(s, m, n).map((x) => x.toFixed(9)));
    for (let i = 0; i < n; i++) {
      const a = Array.from({ length: m }, (_, k) => s[k * n + i]).filter((v) => v === v).sort();
      const b = Array.from({ length: m }, (_, k) => out[k * n + i]).filter((v) => v === v).sort();
      expect(b).toEqual(a);
    }
    expect(rowSums(out, m, n)).not.toEqual(rowSums(s, m, n));
  });
});

describe('Null B for graded scores: residual permutation', () => {
  it('keeps every row and column total and the missing pattern, and changes the interaction', () => {
    const m = 10, n = 25;
    for (const missing of [0, 0.1]) {
      const s = randomMatrix(m, n, 8, (rng, k, i) => Math.min(1, Math.max(0, 0.3 + 0.04 * k - 0.01 * i + 0.2 * rng.normal())), missing);
      const cols = Array.from({ length: n }, (_, i) => i);
      const nb = new ResidualPermutationNull(s, m, n, cols, 6);
      const buf = new Float64Array(m * n);
      nb.draw(0, buf);
      const out = toRows(buf, m, n);
      expect(missingPattern(out)).toEqual(missingPattern(s));
      const close = (a: number[], b: number[]) => a.forEach((x, q) => expect(x).toBeCloseTo(b[q], 8));
      close(rowSums(out, m, n), rowSums(s, m, n));
      close(colSums(out, m, n), colSums(s, m, n));
      let diff = 0;
      for (let q = 0; q < s.length; q++) if (s[q] === s[q]) diff += Math.abs(s[q] - out[q]);
      expect(diff).toBeGreaterThan(1);
    }
  });
});

function packColumns(buf: Float64Array, m: number, n: number, words: number): Int32Array {
  const out = new Int32Array(n * words);
  for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) if (buf[i * m + k] === 1) out[i * words + (k >>> 5)] |= 1 << (k & 31);
  return out;
}

describe('Null A and curveball straight into packed bits', () => {
  it('curveball drawBits packs exactly the replicates of draw (missing cells, constant columns, 70 models)', () => {
    const m = 70, n = 40;
    const s0 = rasch(m, n, 12).map((v, q) => (q % n === 3 ? 1 : q % n === 5 ? 0 : q % n < 15 && (q * 7919) % 13 === 0 ? NaN : v));
    const cols = Array.from({ length: n }, (_, i) => (i * 7) % n);
    const a = new CurveballNull(s0, m, n, cols, 4, 300);
    const b = new CurveballNull(s0, m, n, cols, 4, 300);
    expect(a.chain.nc).toBe(n - 2);
    const words = 2 * Math.ceil(m / 64);
    const bits = new Int32Array(n * words).fill(-1);
    const buf = new Float64Array(n * m);
    for (const rep of [0, 1, 7]) {
      a.draw(rep, buf);
      b.drawBits(rep, bits, words);
      expect(bits).toEqual(packColumns(buf, m, n, words));
    }
  });

  it('drawBits packs exactly the permutations of draw (complete and incomplete columns, 70 models)', () => {
    const m = 70, n = 30;
    const s0 = rasch(m, n, 11).map((v, q) => (q % n < 15 && (q * 7919) % 13 === 0 ? NaN : v));
    const cols = Array.from({ length: n }, (_, i) => i);
    const a = new ColumnPermutationNull(s0, m, n, cols, 4);
    const b = new ColumnPermutationNull(s0, m, n, cols, 4);
    const words = 2 * Math.ceil(m / 64);
    const bits = new Int32Array(n * words).fill(-1);
    const buf = new Float64Array(n * m);
    let incomplete = 0;
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) if (s0[k * n + i] !== s0[k * n + i]) { incomplete++; break; }
    expect(incomplete).toBeGreaterThan(3);
    expect(incomplete).toBeLessThan(n);
    for (const rep of [0, 1, 7]) {
      a.draw(rep, buf);
      b.drawBits(rep, bits, words);
      expect(bits).toEqual(packColumns(buf, m, n, words));
    }
  });
});
