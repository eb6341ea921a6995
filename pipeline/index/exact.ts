/**
 * Exact cosine top-k over L2-normalised vectors, in row blocks: each block's similarities against
 * all rows come from one onnxruntime MatMul (optimised, multi-threaded) followed by an ONNX TopK,
 * so 12k × 512 all-pairs takes seconds, not minutes of JavaScript loops. The same pass collects
 * near-duplicate pairs (cosine ≥ threshold) from the block's score matrix.
 *
 * Ties (equal cosines) are ordered by lower index first, as ONNX TopK specifies.
 */
// onnxruntime loads on first use (it is heavy), so commands that never search start fast.
import type * as Ort from 'onnxruntime-node';
import { AttrType, DataType, encodeOnnxModel } from '../embed/distill/onnx-proto.ts';
import { COVARY_VERSION } from '../core/version.ts';

export interface TopK {
  n: number;
  k: number;
  /** n × k indices, most similar first, self excluded, -1 pads. */
  neighbors: Int32Array;
  /** n × k cosines (NaN pads). */
  similarities: Float32Array;
}

export interface DuplicatePair {
  a: number;
  b: number;
  cosine: number;
}

export interface ExactOptions {
  k: number;
  /** Collect pairs i < j with cosine ≥ this (undefined = don't). */
  dupThreshold?: number;
  /** Only these query rows (default all); rows of the result follow this order. */
  queries?: Int32Array;
  /** Rows per block (bounds memory: block × n floats). */
  blockRows?: number;
  onProgress?: (rowsDone: number) => void;
}

let ortPromise: Promise<typeof Ort> | null = null;
const loadOrt = (): Promise<typeof Ort> => (ortPromise ??= import('onnxruntime-node'));
let sessionPromise: Promise<Ort.InferenceSession> | null = null;

/** Q [b, d] · XT [d, n] → scores [b, n]; TopK(scores, kk) → values, indices. Built once per process. */
function session(ort: typeof Ort): Promise<Ort.InferenceSession> {
  if (!sessionPromise) {
    const bytes = encodeOnnxModel({
      graphName: 'covary_block_topk',
      opset: 13,
      producerName: 'covary',
      producerVersion: COVARY_VERSION,
      initializers: [],
      inputs: [
        { name: 'queries', elemType: DataType.FLOAT, shape: ['b', 'd'] },
        { name: 'corpus_t', elemType: DataType.FLOAT, shape: ['d', 'n'] },
        { name: 'kk', elemType: DataType.INT64, shape: [1] },
      ],
      outputs: [
        { name: 'scores', elemType: DataType.FLOAT, shape: ['b', 'n'] },
        { name: 'top_values', elemType: DataType.FLOAT, shape: ['b', 'k'] },
        { name: 'top_indices', elemType: DataType.INT64, shape: ['b', 'k'] },
      ],
      nodes: [
        { opType: 'MatMul', inputs: ['queries', 'corpus_t'], outputs: ['scores'] },
        {
          opType: 'TopK',
          inputs: ['scores', 'kk'],
          outputs: ['top_values', 'top_indices'],
          attributes: [
            { name: 'axis', type: AttrType.INT, i: -1 },
            { name: 'largest', type: AttrType.INT, i: 1 },
            { name: 'sorted', type: AttrType.INT, i: 1 },
          ],
        },
      ],
    });
    sessionPromise = ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
  }
  return sessionPromise;
}

/** Row-major n × d → d × n (so MatMul needs no transpose per block). */
function transpose(v: Float32Array, n: number, d: number): Float32Array {
  const t = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) t[c * n + i] = v[i * d + c];
  return t;
}

export async function exactTopK(vectors: Float32Array, n: number, d: number, o: ExactOptions): Promise<{ graph: TopK; duplicates: DuplicatePair[] }> {
  if (vectors.length !== n * d) throw new Error(`vectors hold ${vectors.length} values, expected ${n} × ${d}`);
  const k = o.k;
  const queries = o.queries ?? Int32Array.from({ length: n }, (_, i) => i);
  const q = queries.length;
  const neighbors = new Int32Array(q * k).fill(-1);
  const similarities = new Float32Array(q * k).fill(NaN);
  const duplicates: DuplicatePair[] = [];
  if (n === 0 || q === 0) return { graph: { n: q, k, neighbors, similarities }, duplicates };
  const ort = await loadOrt();
  const s = await session(ort);
  const corpus = new ort.Tensor('float32', transpose(vectors, n, d), [d, n]);
  const kk = Math.min(k + 1, n);
  const kkTensor = new ort.Tensor('int64', BigInt64Array.from([BigInt(kk)]), [1]);
  const block = Math.max(1, o.blockRows ?? Math.max(16, Math.floor(8_000_000 / Math.max(n, 1))));
  const wantScores = o.dupThreshold !== undefined;
  for (let start = 0; start < q; start += block) {
    const b = Math.min(block, q - start);
    const qb = new Float32Array(b * d);
    for (let r = 0; r < b; r++) qb.set(vectors.subarray(queries[start + r] * d, (queries[start + r] + 1) * d), r * d);
    const out = await s.run({ queries: new ort.Tensor('float32', qb, [b, d]), corpus_t: corpus, kk: kkTensor });
    const vals = out.top_values.data as Float32Array;
    const idx = out.top_indices.data as BigInt64Array;
    for (let r = 0; r < b; r++) {
      const self = queries[start + r];
      let c = 0;
      for (let j = 0; j < kk && c < k; j++) {
        const nb = Number(idx[r * kk + j]);
        if (nb === self) continue;
        neighbors[(start + r) * k + c] = nb;
        similarities[(start + r) * k + c] = vals[r * kk + j];
        c++;
      }
    }
    if (wantScores) {
      const scores = out.scores.data as Float32Array;
      const thr = o.dupThreshold!;
      for (let r = 0; r < b; r++) {
        const i = queries[start + r];
        const row = r * n;
        for (let j = i + 1; j < n; j++) if (scores[row + j] >= thr) duplicates.push({ a: i, b: j, cosine: scores[row + j] });
      }
    }
    for (const t of Object.values(out)) t.dispose?.();
    o.onProgress?.(start + b);
  }
  return { graph: { n: q, k, neighbors, similarities }, duplicates };
}

/** Plain-loop brute force (the test oracle and a fallback for tiny inputs). */
export function bruteForceTopK(vectors: Float32Array, n: number, d: number, k: number): TopK {
  const neighbors = new Int32Array(n * k).fill(-1);
  const similarities = new Float32Array(n * k).fill(NaN);
  for (let i = 0; i < n; i++) {
    const sims: { j: number; s: number }[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += vectors[i * d + c] * vectors[j * d + c];
      sims.push({ j, s });
    }
    sims.sort((x, y) => y.s - x.s || x.j - y.j);
    for (let c = 0; c < Math.min(k, sims.length); c++) {
      neighbors[i * k + c] = sims[c].j;
      similarities[i * k + c] = sims[c].s;
    }
  }
  return { n, k, neighbors, similarities };
}
