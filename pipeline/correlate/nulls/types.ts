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
  for (let i = 0; i < n; i++) {
    const c = columns[i];
    const o = i * m;
    for (let k = 0; k < m; k++) out[o + k] = scores[k * nTotal + c];
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
