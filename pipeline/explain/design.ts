/**
 * Pair predictors as functions of two prompts, so that they can be evaluated at any pair —
 * in particular at the relabelled pairs (π(i), π(j)) of a permutation test. Every predictor is
 * built from per-prompt values (an embedding row, a label, a tag bit, a difficulty), so a
 * permutation costs one pass over the fixed pair list with index mapping, never a pair matrix.
 */
export type Block = 'semantic' | 'failure' | 'difficulty';

export type PredictorSpec =
  | { name: string; block: Block; kind: 'cosine' }
  | { name: string; block: Block; kind: 'same'; codes: Int32Array }
  | { name: string; block: Block; kind: 'both'; mem: Uint8Array }
  | { name: string; block: Block; kind: 'absdiff' | 'sum'; values: Float64Array };

export interface Embedding {
  /** n × d row-major, rows L2-normalised. */
  vectors: Float32Array;
  d: number;
}

export function isBinaryPredictor(s: PredictorSpec): boolean {
  return s.kind === 'same' || s.kind === 'both';
}

/**
 * Fill `out[c]` (length P each) with predictor c at pairs (map[I[p]], map[J[p]]); map = null is the
 * identity.
 */
export function evalPredictors(specs: PredictorSpec[], emb: Embedding | null, I: Int32Array, J: Int32Array, map: Int32Array | null, out: Float64Array[]): void {
  const P = I.length;
  for (let c = 0; c < specs.length; c++) {
    const s = specs[c];
    const o = out[c];
    switch (s.kind) {
      case 'cosine': {
        if (!emb) throw new Error('cosine predictor without embeddings');
        cosineAt(emb, I, J, map, o);
        break;
      }
      case 'same': {
        const codes = s.codes;
        for (let p = 0; p < P; p++) {
          const a = map ? map[I[p]] : I[p];
          const b = map ? map[J[p]] : J[p];
          const ca = codes[a];
          o[p] = ca >= 0 && ca === codes[b] ? 1 : 0;
        }
        break;
      }
      case 'both': {
        const mem = s.mem;
        for (let p = 0; p < P; p++) {
          const a = map ? map[I[p]] : I[p];
          const b = map ? map[J[p]] : J[p];
          o[p] = mem[a] & mem[b];
        }
        break;
      }
      case 'absdiff': {
        const v = s.values;
        for (let p = 0; p < P; p++) {
          const a = map ? map[I[p]] : I[p];
          const b = map ? map[J[p]] : J[p];
          o[p] = Math.abs(v[a] - v[b]);
        }
        break;
      }
      case 'sum': {
        const v = s.values;
        for (let p = 0; p < P; p++) {
          const a = map ? map[I[p]] : I[p];
          const b = map ? map[J[p]] : J[p];
          o[p] = v[a] + v[b];
        }
        break;
      }
    }
  }
}

/** Cosine similarity (dot product of unit rows) at the mapped pairs. */
export function cosineAt(emb: Embedding, I: Int32Array, J: Int32Array, map: Int32Array | null, out: Float64Array): void {
  const v = emb.vectors;
  const d = emb.d;
  const d4 = d - (d % 4);
  for (let p = 0; p < I.length; p++) {
    const oa = (map ? map[I[p]] : I[p]) * d;
    const ob = (map ? map[J[p]] : J[p]) * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k < d4; k += 4) {
      s0 += v[oa + k] * v[ob + k];
      s1 += v[oa + k + 1] * v[ob + k + 1];
      s2 += v[oa + k + 2] * v[ob + k + 2];
      s3 += v[oa + k + 3] * v[ob + k + 3];
    }
    for (; k < d; k++) s0 += v[oa + k] * v[ob + k];
    out[p] = s0 + s1 + s2 + s3;
  }
}
