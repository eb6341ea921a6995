/**
 * Weighted least squares from a cross-product (Gram) matrix of centred columns, by Cholesky with
 * column dropping: a predictor that is (numerically) a linear combination of those before it is
 * dropped instead of making the system singular. Small systems (tens of predictors), so the
 * O(q³) solve per sub-model is negligible next to the O(P·q²) pass that builds the Gram matrix.
 */

/** Weighted Gram matrix of `cols` (each length P): G[a*r+b] = Σ_p w_p cols[a][p] cols[b][p]. */
export function gram(cols: Float64Array[], w: Float64Array): Float64Array {
  const r = cols.length;
  const P = w.length;
  const G = new Float64Array(r * r);
  for (let a = 0; a < r; a++) {
    const ca = cols[a];
    for (let b = a; b < r; b++) {
      const cb = cols[b];
      let s = 0;
      for (let p = 0; p < P; p++) s += w[p] * ca[p] * cb[p];
      G[a * r + b] = s;
      G[b * r + a] = s;
    }
  }
  return G;
}

export interface SubsetFit {
  /** Columns actually used (subset minus dropped), in order. */
  used: number[];
  /** Coefficients for `used`. */
  beta: Float64Array;
  /** Columns dropped as collinear with earlier ones. */
  dropped: number[];
  /** Weighted residual sum of squares. */
  sse: number;
}

/**
 * Regress column `y` on the columns `subset` (all centred, so no intercept column), reading only
 * the Gram matrix G (r × r). `tol`: a column is dropped when its residual variance after the
 * earlier columns is below tol × its own variance.
 */
export function fitSubset(G: Float64Array, r: number, subset: number[], y: number, tol = 1e-9): SubsetFit {
  const used: number[] = [];
  const dropped: number[] = [];
  // L: lower-triangular Cholesky factor of G[used, used], stored row-major by used index.
  const L: number[][] = [];
  for (const c of subset) {
    const diag = G[c * r + c];
    if (!(diag > 0)) {
      dropped.push(c);
      continue;
    }
    const row: number[] = new Array(used.length + 1);
    for (let t = 0; t < used.length; t++) {
      let s = G[c * r + used[t]];
      for (let u = 0; u < t; u++) s -= row[u] * L[t][u];
      row[t] = s / L[t][t];
    }
    let d = diag;
    for (let t = 0; t < used.length; t++) d -= row[t] * row[t];
    if (d <= tol * diag) {
      dropped.push(c);
      continue;
    }
    row[used.length] = Math.sqrt(d);
    L.push(row);
    used.push(c);
  }
  const q = used.length;
  // Solve L z = G[used, y], then Lᵀ β = z.
  const z = new Float64Array(q);
  for (let t = 0; t < q; t++) {
    let s = G[used[t] * r + y];
    for (let u = 0; u < t; u++) s -= L[t][u] * z[u];
    z[t] = s / L[t][t];
  }
  const beta = new Float64Array(q);
  for (let t = q - 1; t >= 0; t--) {
    let s = z[t];
    for (let u = t + 1; u < q; u++) s -= L[u][t] * beta[u];
    beta[t] = s / L[t][t];
  }
  let zz = 0;
  for (let t = 0; t < q; t++) zz += z[t] * z[t];
  const sse = Math.max(0, G[y * r + y] - zz);
  return { used, beta, dropped, sse };
}

/** Weighted mean and standard deviation (population form, weights summing to W). */
export function weightedMoments(x: Float64Array, w: Float64Array): { mean: number; sd: number; W: number } {
  let W = 0;
  let s = 0;
  for (let p = 0; p < x.length; p++) {
    W += w[p];
    s += w[p] * x[p];
  }
  const mean = W > 0 ? s / W : 0;
  let v = 0;
  for (let p = 0; p < x.length; p++) v += w[p] * (x[p] - mean) * (x[p] - mean);
  return { mean, sd: W > 0 ? Math.sqrt(v / W) : 0, W };
}

/** Weighted Pearson correlation. */
export function weightedCorr(x: Float64Array, y: Float64Array, w: Float64Array): number {
  let W = 0;
  let sx = 0;
  let sy = 0;
  for (let p = 0; p < x.length; p++) {
    W += w[p];
    sx += w[p] * x[p];
    sy += w[p] * y[p];
  }
  const mx = sx / W;
  const my = sy / W;
  let cxy = 0;
  let cxx = 0;
  let cyy = 0;
  for (let p = 0; p < x.length; p++) {
    const dx = x[p] - mx;
    const dy = y[p] - my;
    cxy += w[p] * dx * dy;
    cxx += w[p] * dx * dx;
    cyy += w[p] * dy * dy;
  }
  return cxx > 0 && cyy > 0 ? cxy / Math.sqrt(cxx * cyy) : NaN;
}
