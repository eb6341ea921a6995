import { describe, expect, it } from 'vitest';
import { Matrix, solve } from 'ml-matrix';
import { createRng } from '../../pipeline/core/rng.ts';
import { fitSubset, gram, weightedCorr, weightedMoments } from '../../pipeline/explain/lsq.ts';

describe('weighted least squares from the Gram matrix', () => {
  const rng = createRng(3);
  const P = 200;
  const q = 4;
  const X = Array.from({ length: q }, () => Float64Array.from({ length: P }, () => rng.normal()));
  const w = Float64Array.from({ length: P }, () => 0.5 + rng.next());
  const y = Float64Array.from({ length: P }, (_, p) => 1.5 * X[0][p] - 2 * X[2][p] + 0.3 * rng.normal());

  it('matches ml-matrix on the weighted normal equations', () => {
    const G = gram([...X, y], w);
    const fit = fitSubset(G, q + 1, [0, 1, 2, 3], q);
    const A = new Matrix(q, q);
    const b = new Matrix(q, 1);
    for (let a = 0; a < q; a++) {
      b.set(a, 0, G[a * (q + 1) + q]);
      for (let c = 0; c < q; c++) A.set(a, c, G[a * (q + 1) + c]);
    }
    const ref = solve(A, b);
    for (let a = 0; a < q; a++) expect(fit.beta[a]).toBeCloseTo(ref.get(a, 0), 10);
    // SSE equals the directly computed weighted residual sum of squares
    let sse = 0;
    for (let p = 0; p < P; p++) {
      let r = y[p];
      for (let a = 0; a < q; a++) r -= fit.beta[a] * X[a][p];
      sse += w[p] * r * r;
    }
    expect(fit.sse).toBeCloseTo(sse, 8);
  });

  it('recovers exact coefficients on a noiseless case', () => {
    const yy = Float64Array.from({ length: P }, (_, p) => 0.7 * X[0][p] + 0.1 * X[1][p] - 3 * X[3][p]);
    const fit = fitSubset(gram([...X, yy], w), q + 1, [0, 1, 2, 3], q);
    [0.7, 0.1, 0, -3].forEach((b, a) => expect(fit.beta[a]).toBeCloseTo(b, 9));
    expect(fit.sse).toBeLessThan(1e-9);
  });

  it('drops a collinear column instead of failing', () => {
    const dup = Float64Array.from({ length: P }, (_, p) => 2 * X[0][p] - X[1][p]);
    const G = gram([X[0], X[1], dup, y], w);
    const fit = fitSubset(G, 4, [0, 1, 2], 3);
    expect(fit.dropped).toEqual([2]);
    expect(fit.used).toEqual([0, 1]);
  });

  it('weighted moments and correlation agree with replicated observations', () => {
    const a = Float64Array.from([1, 2, 3]);
    const b = Float64Array.from([2, 1, 5]);
    const wt = Float64Array.from([1, 2, 1]);
    // same as unweighted over [1,2,2,3] / [2,1,1,5]
    const m = weightedMoments(a, wt);
    expect(m.mean).toBeCloseTo(2);
    expect(m.sd).toBeCloseTo(Math.sqrt(0.5));
    const ua = [1, 2, 2, 3];
    const ub = [2, 1, 1, 5];
    const ma = 2;
    const mb = 2.25;
    const num = ua.reduce((s, v, i) => s + (v - ma) * (ub[i] - mb), 0);
    const den = Math.sqrt(ua.reduce((s, v) => s + (v - ma) ** 2, 0) * ub.reduce((s, v) => s + (v - mb) ** 2, 0));
    expect(weightedCorr(a, b, wt)).toBeCloseTo(num / den, 12);
  });
});
