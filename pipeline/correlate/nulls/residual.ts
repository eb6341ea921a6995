/**
 * Null B for graded scores: residual permutation of the additive model
 *   S[k,i] = μ + a_k (model strength) + b_i (prompt easiness) + e_ki,
 * fitted by least squares on the observed cells. A replicate permutes the residuals among the
 * observed cells, re-centres them so every row and column of residuals sums to zero again, and
 * rescales them to the observed residual sum of squares, and adds the fit back. So every model's and every prompt's total is kept exactly (as in the 0/1
 * curveball), the residual distribution is kept, and only the model × prompt interaction — the
 * structure a single strength axis cannot explain — is destroyed. Missing cells stay missing.
 *
 * Why not a Rasch parametric bootstrap: it keeps totals only in expectation, assumes a logistic
 * link that graded scores (ROUGE, judge scales) do not follow, and would need a fitting step
 * with its own convergence issues; the permutation needs no distributional assumption.
 * Replicate values can leave [0, 1] slightly; similarity metrics other than Jaccard are
 * defined for any real values (Jaccard needs 0/1 data and then the curveball null is used).
 */
import { FastRng } from '../fast-rng.ts';
import { extractColumns, type NullSampler } from './types.ts';

export interface AdditiveFit {
  /** n × m column-major fitted values (NaN where missing). */
  fit: Float64Array;
  /** n × m residuals (NaN where missing). */
  resid: Float64Array;
}

/** Double-centre `x` (n × m column-major, NaN = missing) on its observed cells, in place. */
export function doubleCentre(x: Float64Array, m: number, n: number, maxIter = 100, tol = 1e-12): void {
  const rowSum = new Float64Array(m);
  const rowCnt = new Float64Array(m);
  for (let it = 0; it < maxIter; it++) {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const o = i * m;
      let s = 0, c = 0;
      for (let k = 0; k < m; k++) {
        const v = x[o + k];
        if (v === v) {
          s += v;
          c++;
        }
      }
      if (c === 0) continue;
      const mean = s / c;
      if (Math.abs(mean) > worst) worst = Math.abs(mean);
      for (let k = 0; k < m; k++) x[o + k] -= mean;
    }
    rowSum.fill(0);
    rowCnt.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * m;
      for (let k = 0; k < m; k++) {
        const v = x[o + k];
        if (v === v) {
          rowSum[k] += v;
          rowCnt[k]++;
        }
      }
    }
    for (let k = 0; k < m; k++) {
      if (!rowCnt[k]) continue;
      rowSum[k] /= rowCnt[k];
      if (Math.abs(rowSum[k]) > worst) worst = Math.abs(rowSum[k]);
    }
    for (let i = 0; i < n; i++) {
      const o = i * m;
      for (let k = 0; k < m; k++) x[o + k] -= rowSum[k];
    }
    if (worst < tol) break;
  }
}

/** Least-squares additive fit on observed cells: residuals = double-centred data. */
export function fitAdditive(cols: Float64Array, m: number, n: number): AdditiveFit {
  const resid = Float64Array.from(cols);
  doubleCentre(resid, m, n, 500, 1e-13);
  const fit = new Float64Array(cols.length);
  for (let q = 0; q < cols.length; q++) fit[q] = cols[q] - resid[q];
  return { fit, resid };
}

export class ResidualPermutationNull implements NullSampler {
  readonly method = 'residual-permutation';
  readonly m: number;
  readonly n: number;
  private readonly fit: AdditiveFit;
  /** Flat indices of observed cells, and their residuals in that order. */
  private readonly cells: Int32Array;
  private readonly values: Float64Array;
  private readonly seed: number;
  private readonly residualSS: number;

  constructor(scores: Float64Array, m: number, nTotal: number, columns: ArrayLike<number>, seed: number) {
    this.m = m;
    this.n = columns.length;
    this.seed = seed;
    const cols = extractColumns(scores, m, nTotal, columns);
    this.fit = fitAdditive(cols, m, this.n);
    const cells: number[] = [];
    for (let q = 0; q < cols.length; q++) if (cols[q] === cols[q]) cells.push(q);
    this.cells = Int32Array.from(cells);
    this.values = Float64Array.from(cells, (q) => this.fit.resid[q]);
    this.residualSS = this.values.reduce((a, x) => a + x * x, 0);
  }

  draw(b: number, out: Float64Array): void {
    const rng = FastRng.forReplicate(this.seed, 'nullB-residual', b);
    const v = Float64Array.from(this.values);
    for (let a = v.length - 1; a > 0; a--) {
      const c = rng.int(a + 1);
      const t = v[a];
      v[a] = v[c];
      v[c] = t;
    }
    out.fill(NaN);
    for (let a = 0; a < v.length; a++) out[this.cells[a]] = v[a];
    doubleCentre(out, this.m, this.n);
    // Re-centring removes part of the permuted residuals' spread (about (m+n−1)/(mn) of it);
    // scale back to the observed residual sum of squares so the replicates are not less noisy
    // than the data (scaling keeps the zero row and column sums).
    let ss = 0;
    for (let a = 0; a < this.cells.length; a++) ss += out[this.cells[a]] ** 2;
    const f = ss > 0 ? Math.sqrt(this.residualSS / ss) : 1;
    for (let a = 0; a < this.cells.length; a++) {
      const q = this.cells[a];
      out[q] = out[q] * f + this.fit.fit[q];
    }
  }
}
