/** A null model that produces replicate score matrices for a fixed list of prompt columns. */
export interface NullSampler {
  /** 'column-permutation' (Null A), 'curveball' or 'residual-permutation' (Null B). */
  readonly method: string;
  /** Number of models (rows) and output columns. */
  readonly m: number;
  readonly n: number;
  /**
   * Fill `out` (n × m, column-major: column i of the output = prompt `columns[i]`, NaN = missing)
   * with replicate `b`. Replicate b depends only on (seed, b): any split over workers gives the
   * same replicates.
   */
  draw(b: number, out: Float64Array): void;
}

/** Column-major copy of the chosen columns of a row-major m × N score matrix. */
export function extractColumns(scores: Float64Array, m: number, nTotal: number, columns: ArrayLike<number>): Float64Array {
  const n = columns.length;
  const out = new Float64Array(n * m);
  // A transpose: 64 columns at a time, so each row of `scores` is visited once per 64 columns.
  const TILE = 64;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(n, i0 + TILE);
    for (let k = 0; k < m; k++) {
      const r = k * nTotal;
      for (let i = i0; i < i1; i++) out[i * m + k] = scores[r + columns[i]];
    }
  }
  return out;
}

/** Row-major m × columns.length copy of the chosen columns of a row-major m × N score matrix. */
export function selectColumns(scores: Float64Array, m: number, nTotal: number, columns: ArrayLike<number>): Float64Array {
  const s = columns.length;
  const out = new Float64Array(m * s);
  for (let k = 0; k < m; k++) for (let c = 0; c < s; c++) out[k * s + c] = scores[k * nTotal + columns[c]];
  return out;
}
