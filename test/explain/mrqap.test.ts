import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { mrqap } from '../../pipeline/explain/mrqap.ts';
import type { PredictorSpec } from '../../pipeline/explain/design.ts';
import { fitSubset, gram, weightedCorr } from '../../pipeline/explain/lsq.ts';
import { prepareColumns, pairSimilarity } from '../../pipeline/correlate/prompt-similarity.ts';
import { familyEmbeddings, simulateScores } from './helpers.ts';

function allPairs(n: number) {
  const I: number[] = [];
  const J: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) (I.push(i), J.push(j));
  return { I: Int32Array.from(I), J: Int32Array.from(J) };
}
const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('pairwise regression (noiseless and hand-checked)', () => {
  const n = 30;
  const d = 5;
  const rng = createRng(11);
  const fam = Int32Array.from({ length: n }, (_, i) => i % 3);
  const vectors = familyEmbeddings(fam, d, 0.8, rng);
  const p = Float64Array.from({ length: n }, () => rng.next());
  const mem = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const specs: PredictorSpec[] = [
    { name: 'semantic cosine', block: 'semantic', kind: 'cosine' },
    { name: 'same cluster', block: 'semantic', kind: 'same', codes: fam },
    { name: 'both t', block: 'failure', kind: 'both', mem },
    { name: 'absdiff', block: 'difficulty', kind: 'absdiff', values: p },
    { name: 'sum', block: 'difficulty', kind: 'sum', values: p },
  ];
  const { I, J } = allPairs(n);
  const P = I.length;
  const cos = new Float64Array(P);
  for (let q = 0; q < P; q++) for (let k = 0; k < d; k++) cos[q] += vectors[I[q] * d + k] * vectors[J[q] * d + k];
  const x = [cos, Float64Array.from(I, (i, q) => (fam[i] === fam[J[q]] ? 1 : 0)), Float64Array.from(I, (i, q) => mem[i] & mem[J[q]]), Float64Array.from(I, (i, q) => Math.abs(p[i] - p[J[q]])), Float64Array.from(I, (i, q) => p[i] + p[J[q]])];
  const w = Float64Array.from({ length: P }, (_, q) => 1 + (q % 3));
  const base = { specs, emb: { vectors, d }, I, J, w, universe: range(n), n, minTagPairs: 3 };

  it('recovers planted coefficients and intercept exactly when there is no noise', () => {
    const truth = [2, 0.4, 0.3, -1, 0.25];
    const y = Float64Array.from({ length: P }, (_, q) => 0.5 + truth.reduce((s, b, c) => s + b * x[c][q], 0));
    const out = mrqap({ ...base, responses: [y], permutations: 0, rng: createRng(1) });
    const r = out.results[0];
    r.coefficients.forEach((c, k) => expect(c.estimate).toBeCloseTo(truth[k], 8));
    expect(r.intercept).toBeCloseTo(0.5, 8);
    expect(r.r2).toBeCloseTo(1, 10);
    expect(r.coefficients[0].p).toBeNull();
  });

  it('partial and unique R² per block follow their stated definitions', () => {
    const noise = createRng(5);
    const y = Float64Array.from({ length: P }, (_, q) => 1.2 * x[0][q] + 0.5 * x[2][q] - 0.7 * x[3][q] + noise.normal());
    const r = mrqap({ ...base, responses: [y], permutations: 0, rng: createRng(1) }).results[0];
    // independent weighted fits with an intercept column (ml-free: centring via the Gram of [1, X, y])
    const one = new Float64Array(P).fill(1);
    const G = gram([one, ...x, y], w);
    const sst = (() => {
      let W = 0, s = 0, s2 = 0;
      for (let q = 0; q < P; q++) (W += w[q], s += w[q] * y[q], s2 += w[q] * y[q] * y[q]);
      return s2 - (s * s) / W;
    })();
    const r2of = (cols: number[]) => 1 - fitSubset(G, 7, [0, ...cols.map((c) => c + 1)], 6).sse / sst;
    const full = r2of([0, 1, 2, 3, 4]);
    expect(r.r2).toBeCloseTo(full, 10);
    const blocks = { semantic: [2, 3, 4], failure: [0, 1, 3, 4], difficulty: [0, 1, 2] } as const;
    for (const [b, rest] of Object.entries(blocks)) {
      const red = r2of([...rest]);
      expect(r.uniqueR2[b as keyof typeof blocks]).toBeCloseTo(full - red, 10);
      expect(r.partialR2[b as keyof typeof blocks]).toBeCloseTo((full - red) / (1 - red), 10);
    }
  });

  it('the Mantel statistic is the weighted correlation of semantic cosine and the response', () => {
    const noise = createRng(6);
    const y = Float64Array.from({ length: P }, (_, q) => x[0][q] + noise.normal());
    const r = mrqap({ ...base, responses: [y], permutations: 19, rng: createRng(1) }).results[0];
    expect(r.mantel!.r).toBeCloseTo(weightedCorr(cos, y, w), 12);
    expect(r.mantel!.p).toBeGreaterThan(0);
  });

  it('drops rare tags and collinear predictors with a reason', () => {
    const rare = new Uint8Array(n);
    rare[0] = rare[1] = 1; // one pair only
    const y = Float64Array.from({ length: P }, (_, q) => x[0][q]);
    const out = mrqap({ ...base, specs: [...specs, { name: 'rare', block: 'failure', kind: 'both', mem: rare }, { name: 'sum again', block: 'difficulty', kind: 'sum', values: p }], responses: [y], permutations: 0, rng: createRng(1) });
    expect(out.dropped.map((d) => d.name)).toEqual(['rare', 'sum again']);
    expect(out.dropped[0].reason).toMatch(/only 1 sampled pair/);
    expect(out.dropped[1].reason).toMatch(/collinear/);
  });

  it('is deterministic for a seed', () => {
    const y = Float64Array.from({ length: P }, (_, q) => x[0][q] + Math.sin(q));
    const a = mrqap({ ...base, responses: [y], permutations: 49, rng: createRng(9) });
    const b = mrqap({ ...base, responses: [y], permutations: 49, rng: createRng(9) });
    expect(JSON.stringify(a.results)).toBe(JSON.stringify(b.results));
  });
});

/** One simulated benchmark: m models × n prompts in F families; embeddings from families. */
function simulate(seed: number, familyEffect: number, n = 30, m = 24) {
  const rng = createRng(seed);
  const fam = Int32Array.from({ length: n }, (_, i) => i % 5);
  const vectors = familyEmbeddings(fam, 8, 0.9, rng.fork('emb'));
  const scores = simulateScores(m, fam, familyEffect, rng.fork('scores'));
  const pc = prepareColumns(scores, m, n, 'pearson', 5);
  const eligible = range(n).filter((i) => pc.eligible[i] === 1);
  const I: number[] = [];
  const J: number[] = [];
  const y: number[] = [];
  for (const i of eligible)
    for (const j of eligible) {
      if (j <= i) continue;
      const v = pairSimilarity(pc, i, j);
      if (v !== v) continue;
      I.push(i), J.push(j), y.push(v);
    }
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += scores[k * n + i];
    p[i] = s / m;
  }
  const specs: PredictorSpec[] = [
    { name: 'semantic cosine', block: 'semantic', kind: 'cosine' },
    { name: '|dp|', block: 'difficulty', kind: 'absdiff', values: p },
    { name: 'p+p', block: 'difficulty', kind: 'sum', values: p },
  ];
  return { specs, emb: { vectors, d: 8 }, I: Int32Array.from(I), J: Int32Array.from(J), w: new Float64Array(I.length).fill(1), responses: [Float64Array.from(y)], universe: Int32Array.from(eligible), n, minTagPairs: 3, rng: rng.fork('perm') };
}

describe('permutation inference on simulated benchmarks', () => {
  it('is calibrated under the null: ≈5% of p ≤ 0.05 for Mantel and the MRQAP semantic coefficient', () => {
    const S = 160;
    let mantel = 0;
    let coef = 0;
    for (let s = 0; s < S; s++) {
      const r = mrqap({ ...simulate(1000 + s, 0), permutations: 99 }).results[0];
      if (r.mantel!.p! <= 0.05) mantel++;
      if (r.coefficients[0].p! <= 0.05) coef++;
    }
    // Binomial(160, 0.05): mean 8, sd 2.8; the band [2, 17] has probability > 0.998.
    expect(mantel).toBeGreaterThanOrEqual(2);
    expect(mantel).toBeLessThanOrEqual(17);
    expect(coef).toBeGreaterThanOrEqual(2);
    expect(coef).toBeLessThanOrEqual(17);
  });

  it('is calibrated for a tag predictor when prompts carry random effects (pairs share prompts)', () => {
    const S = 160;
    let rej = 0;
    let rejSem = 0;
    for (let s = 0; s < S; s++) {
      const rng = createRng(5000 + s);
      const n = 30;
      const u = Float64Array.from({ length: n }, () => rng.normal());
      const mem = Uint8Array.from({ length: n }, () => (rng.next() < 0.35 ? 1 : 0));
      const fam = Int32Array.from({ length: n }, (_, i) => i % 4);
      const vectors = familyEmbeddings(fam, 6, 1, rng.fork('e'));
      const I: number[] = [];
      const J: number[] = [];
      const y: number[] = [];
      // Strong prompt effects make pairs dependent: OLS p-values would be far too small.
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) (I.push(i), J.push(j), y.push(u[i] + u[j] + u[i] * u[j] + 0.3 * rng.normal()));
      const specs: PredictorSpec[] = [
        { name: 'semantic cosine', block: 'semantic', kind: 'cosine' },
        { name: 'both t', block: 'failure', kind: 'both', mem },
      ];
      const r = mrqap({ specs, emb: { vectors, d: 6 }, I: Int32Array.from(I), J: Int32Array.from(J), w: new Float64Array(I.length).fill(1), responses: [Float64Array.from(y)], universe: range(n), n, minTagPairs: 3, permutations: 99, rng: rng.fork('p') }).results[0];
      if (r.coefficients[1].p! <= 0.05) rej++;
      if (r.coefficients[0].p! <= 0.05) rejSem++;
    }
    expect(rej).toBeGreaterThanOrEqual(2);
    expect(rej).toBeLessThanOrEqual(17);
    expect(rejSem).toBeGreaterThanOrEqual(2);
    expect(rejSem).toBeLessThanOrEqual(17);
  });

  it('detects a planted family effect (semantic similarity drives performance similarity)', () => {
    let detected = 0;
    for (let s = 0; s < 10; s++) {
      const r = mrqap({ ...simulate(2000 + s, 1.5), permutations: 99 }).results[0];
      expect(r.mantel!.r).toBeGreaterThan(0);
      expect(r.coefficients[0].estimate).toBeGreaterThan(0);
      if (r.mantel!.p! <= 0.05 && r.coefficients[0].p! <= 0.05) detected++;
    }
    expect(detected).toBeGreaterThanOrEqual(9);
  });
});
