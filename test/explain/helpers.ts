import type { Dataset, Item } from '../../pipeline/core/dataset.ts';
import type { Rng } from '../../pipeline/core/rng.ts';

/** Dataset from model rows (arrays of scores, NaN = missing). */
export function datasetFromRows(rows: number[][], opts: { answers?: (string | null | undefined)[][]; items?: Partial<Item>[] } = {}): Dataset {
  const m = rows.length;
  const n = rows[0].length;
  const scores = new Float64Array(m * n);
  rows.forEach((r, k) => r.forEach((v, i) => (scores[k * n + i] = v)));
  const items: Item[] = Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: `prompt ${i}`, metadata: {}, tags: [], ...(opts.items?.[i] ?? {}) }));
  let answers: Dataset['answers'] = null;
  if (opts.answers) {
    const vocab: string[] = [];
    const codes = new Int32Array(m * n);
    opts.answers.forEach((r, k) =>
      r.forEach((a, i) => {
        // undefined = missing cell, null = no extracted answer
        if (a === undefined) codes[k * n + i] = -1;
        else if (a === null) codes[k * n + i] = -2;
        else {
          let c = vocab.indexOf(a);
          if (c < 0) c = vocab.push(a) - 1;
          codes[k * n + i] = c;
        }
      }),
    );
    answers = { vocab, codes };
  }
  return { name: 'test', models: rows.map((_, k) => `m${k}`), items, scores, answers };
}

/** n unit vectors in d dims: family f's prompts near centroid f (spread = noise sd). */
export function familyEmbeddings(families: Int32Array, d: number, spread: number, rng: Rng): Float32Array {
  const F = Math.max(...families) + 1;
  const cent = Array.from({ length: F }, () => Array.from({ length: d }, () => rng.normal()));
  const n = families.length;
  const v = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const x = cent[families[i]][k] + spread * rng.normal();
      v[i * d + k] = x;
      s += x * x;
    }
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < d; k++) v[i * d + k] *= inv;
  }
  return v;
}

/**
 * Scores m × n from logistic(θ_k + skill_{k,family} × familyEffect + b_i): with familyEffect 0
 * the only structure is ability and difficulty (no family co-variation).
 */
export function simulateScores(m: number, families: Int32Array, familyEffect: number, rng: Rng): Float64Array {
  const n = families.length;
  const F = Math.max(...families) + 1;
  const theta = Array.from({ length: m }, () => rng.normal());
  const skill = Array.from({ length: m * F }, () => rng.normal() * familyEffect);
  const b = Array.from({ length: n }, () => rng.normal());
  const s = new Float64Array(m * n);
  for (let k = 0; k < m; k++)
    for (let i = 0; i < n; i++) {
      const z = theta[k] + skill[k * F + families[i]] + b[i];
      s[k * n + i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
  return s;
}

/** Exact kNN graph (cosine on unit rows). */
export function exactKnn(v: Float32Array, n: number, d: number, k: number) {
  const neighbors = new Int32Array(n * k);
  const similarities = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const sims: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += v[i * d + t] * v[j * d + t];
      sims.push([s, j]);
    }
    sims.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let t = 0; t < k; t++) {
      neighbors[i * k + t] = sims[t][1];
      similarities[i * k + t] = sims[t][0];
    }
  }
  return { n, k, neighbors, similarities };
}

/** A lexical text embedding (hashed bag of words, L2-normalised): a real function of the prompt text. */
export function hashedBagOfWords(texts: (string | null)[], d = 256): Float32Array {
  const v = new Float32Array(texts.length * d);
  texts.forEach((t, i) => {
    for (const w of (t ?? '').toLowerCase().match(/[a-z]+/g) ?? []) {
      let h = 0x811c9dc5;
      for (let c = 0; c < w.length; c++) h = Math.imul(h ^ w.charCodeAt(c), 0x01000193);
      v[i * d + ((h >>> 0) % d)] += 1;
    }
    let s = 0;
    for (let k = 0; k < d; k++) s += v[i * d + k] ** 2;
    if (s > 0) for (let k = 0; k < d; k++) v[i * d + k] /= Math.sqrt(s);
  });
  return v;
}
