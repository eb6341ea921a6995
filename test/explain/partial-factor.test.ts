import { describe, expect, it } from 'vitest';
import { choleskyOf, corrPlain, partialFactor } from '../../pipeline/explain/mrqap.ts';
import { gram } from '../../pipeline/explain/lsq.ts';
import { createRng } from '../../pipeline/core/rng.ts';

/** Weighted-centre a column. */
function centred(x: Float64Array, w: Float64Array): Float64Array {
  let W = 0;
  let s = 0;
  for (let p = 0; p < x.length; p++) {
    W += w[p];
    s += w[p] * x[p];
  }
  return x.map((v) => v - s / W);
}

/** Weighted least-squares residual of y on the columns (all weighted-centred), by normal equations. */
function residualOn(y: Float64Array, cols: Float64Array[], w: Float64Array): Float64Array {
  const k = cols.length;
  const A = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => cols[i].reduce((s, v, p) => s + w[p] * v * cols[j][p], 0)));
  const b = cols.map((c) => c.reduce((s, v, p) => s + w[p] * v * y[p], 0));
  // Gauss–Jordan on a tiny system.
  for (let i = 0; i < k; i++) {
    const piv = A[i][i];
    for (let j = 0; j < k; j++) A[i][j] /= piv;
    b[i] /= piv;
    for (let r = 0; r < k; r++) {
      if (r === i) continue;
      const f = A[r][i];
      for (let j = 0; j < k; j++) A[r][j] -= f * A[i][j];
      b[r] -= f * b[i];
    }
  }
  const yc = centred(y, w);
  return yc.map((v, p) => v - cols.reduce((s, c, i) => s + b[i] * c[p], 0));
}

describe('MRQAP permuted statistic is the partial correlation', () => {
  it('corr(E, r) × partialFactor equals corr(E residualised on the others, r) computed directly', () => {
    const rng = createRng(11);
    const P = 400;
    const w = Float64Array.from({ length: P }, () => 0.5 + rng.next());
    const x1 = centred(Float64Array.from({ length: P }, () => rng.normal()), w);
    const x2 = centred(x1.map((v) => 0.7 * v + rng.normal()), w);
    const x3 = centred(Float64Array.from({ length: P }, () => rng.normal()), w);
    const Xa = [x1, x2, x3];
    const y = Float64Array.from({ length: P }, (_, p) => 0.3 * x1[p] - 0.2 * x2[p] + 0.5 * x3[p] + rng.normal());
    const r0 = residualOn(y, [x2, x3], w); // response residualised on the others of focal 0
    const G = gram(Xa, w);
    const L = choleskyOf(G, 3, [1, 2]);
    // A "permuted" focal residual that is NOT orthogonal to the others (as after relabelling).
    const e = Float64Array.from({ length: P }, (_, p) => 0.6 * x2[p] - 0.4 * x3[p] + rng.normal());
    let W = 0;
    for (const v of w) W += v;
    const f = partialFactor(e, 0, Xa, L, w, W, new Float64Array(2));
    expect(f).toBeGreaterThan(1);
    const direct = corrPlain(residualOn(e, [x2, x3], w), r0, w, P);
    expect(corrPlain(e, r0, w, P) * f).toBeCloseTo(direct, 10);
  });

  it('is 1 when E is already orthogonal to the others (the observed labels)', () => {
    const rng = createRng(5);
    const P = 200;
    const w = new Float64Array(P).fill(1);
    const x1 = centred(Float64Array.from({ length: P }, () => rng.normal()), w);
    const x2 = centred(Float64Array.from({ length: P }, () => rng.normal()), w);
    const e = residualOn(x1, [x2], w);
    const f = partialFactor(e, 0, [x1, x2], choleskyOf(gram([x1, x2], w), 2, [1]), w, P, new Float64Array(1));
    expect(f).toBeCloseTo(1, 10);
  });
});
