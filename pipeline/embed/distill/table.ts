/**
 * From the teacher's per-token vectors to the static embedding table: optional centring + PCA
 * (model2vec reduces dimensions this way), then token weights baked into the rows, so the graph's
 * masked mean is a weighted mean. Everything here is deterministic (no random init, fixed sign).
 */
import { createRequire } from 'node:module';
import type * as MlMatrix from 'ml-matrix';

// ml-matrix loads on first use (only `covary models distill` needs it), so other commands start fast.
const require = createRequire(import.meta.url);
const mlMatrix = (): typeof MlMatrix => require('ml-matrix') as typeof MlMatrix;

export type Weighting = 'sif' | 'zipf' | 'none';

export interface TableOptions {
  /** 'sif': a / (a + p(token)) (Arora et al. 2017); 'zipf': log(1 + rank) as model2vec; 'none'. */
  weighting: Weighting;
  /** SIF's a (smaller = stronger down-weighting of frequent tokens). */
  sifA: number;
  /** Reduce to this many dims with PCA (0 or ≥ dims = keep all, no projection). */
  pcaDims: number;
  /** Subtract the mean token vector (always done before PCA). */
  center: boolean;
}

export const DEFAULT_TABLE_OPTIONS: TableOptions = { weighting: 'sif', sifA: 1e-4, pcaDims: 0, center: true };

/** Per-token weights from unigram log-probabilities (in vocabulary order; `rank` = position). */
export function tokenWeights(logProbs: Float64Array, o: Pick<TableOptions, 'weighting' | 'sifA'>): Float64Array {
  const w = new Float64Array(logProbs.length);
  if (o.weighting === 'none') return w.fill(1);
  if (o.weighting === 'zipf') {
    // rank by probability, most frequent = rank 1
    const order = Array.from(logProbs.keys()).sort((a, b) => logProbs[b] - logProbs[a] || a - b);
    order.forEach((i, r) => (w[i] = Math.log(2 + r)));
    return w;
  }
  for (let i = 0; i < w.length; i++) {
    const p = Math.exp(logProbs[i]);
    w[i] = o.sifA / (o.sifA + p);
  }
  return w;
}

/**
 * rows × dims vectors → rows × outDims table. `fitRows` says which rows define the mean / PCA
 * (the real tokens, not padding). Returns the table and the output dims.
 */
export function buildTable(vectors: Float32Array, rows: number, dims: number, weights: Float64Array, fitRows: boolean[], o: TableOptions): { table: Float32Array; dims: number } {
  const fitIdx = fitRows.flatMap((f, i) => (f ? [i] : []));
  const mean = new Float64Array(dims);
  if (o.center || o.pcaDims > 0) {
    for (const i of fitIdx) for (let c = 0; c < dims; c++) mean[c] += vectors[i * dims + c];
    for (let c = 0; c < dims; c++) mean[c] /= Math.max(1, fitIdx.length);
  }
  const centred = (i: number, c: number) => vectors[i * dims + c] - mean[c];
  const pca = o.pcaDims > 0 && o.pcaDims < dims;
  let basis: Float64Array[] | null = null; // outDims vectors of length dims
  if (pca) basis = principalAxes(vectors, dims, fitIdx, mean, o.pcaDims);
  const outDims = pca ? o.pcaDims : dims;
  const table = new Float32Array(rows * outDims);
  for (let i = 0; i < rows; i++) {
    const w = weights[i];
    if (basis) {
      for (let k = 0; k < outDims; k++) {
        const b = basis[k];
        let s = 0;
        for (let c = 0; c < dims; c++) s += centred(i, c) * b[c];
        table[i * outDims + k] = s * w;
      }
    } else {
      for (let c = 0; c < dims; c++) table[i * outDims + c] = centred(i, c) * w;
    }
  }
  return { table, dims: outDims };
}

/** Top-k eigenvectors of the covariance (dims × dims), largest first, sign fixed (largest |component| positive). */
function principalAxes(vectors: Float32Array, dims: number, idx: number[], mean: Float64Array, k: number): Float64Array[] {
  const cov = new Float64Array(dims * dims);
  const x = new Float64Array(dims);
  for (const i of idx) {
    for (let c = 0; c < dims; c++) x[c] = vectors[i * dims + c] - mean[c];
    for (let a = 0; a < dims; a++) {
      const xa = x[a];
      const row = a * dims;
      for (let b = a; b < dims; b++) cov[row + b] += xa * x[b];
    }
  }
  const { EigenvalueDecomposition, Matrix } = mlMatrix();
  const m = new Matrix(dims, dims);
  for (let a = 0; a < dims; a++) for (let b = a; b < dims; b++) {
    const v = cov[a * dims + b] / Math.max(1, idx.length - 1);
    m.set(a, b, v);
    m.set(b, a, v);
  }
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  return order.slice(0, k).map((j) => {
    const v = new Float64Array(dims);
    let big = 0;
    for (let c = 0; c < dims; c++) {
      v[c] = vecs.get(c, j);
      if (Math.abs(v[c]) > Math.abs(big)) big = v[c];
    }
    if (big < 0) for (let c = 0; c < dims; c++) v[c] = -v[c];
    return v;
  });
}
