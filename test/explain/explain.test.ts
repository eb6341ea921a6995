import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { explain, type ExplainInputs, type ExplainResult } from '../../pipeline/explain/explain.ts';
import { resolveOptions } from '../../pipeline/explain/options.ts';
import { workerPermutations } from '../../pipeline/explain/parallel.ts';
import { nullBPairExpectation, similarity } from '../../pipeline/correlate/index.ts';
import { generateDemo } from '../../pipeline/demo/index.ts';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { exactKnn, familyEmbeddings, hashedBagOfWords, simulateScores } from './helpers.ts';

function simulatedBenchmark(seed: number, familyEffect: number, n = 160, m = 30): ExplainInputs {
  const rng = createRng(seed);
  const fam = Int32Array.from({ length: n }, (_, i) => i % 8);
  const d = 12;
  const vectors = familyEmbeddings(fam, d, 0.7, rng.fork('emb'));
  const scores = simulateScores(m, fam, familyEffect, rng.fork('scores'));
  const dataset: Dataset = {
    name: 'sim',
    models: Array.from({ length: m }, (_, k) => `m${k}`),
    items: Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: `prompt ${i}`, metadata: {}, tags: [] })),
    scores,
    answers: null,
  };
  return {
    dataset,
    embeddings: { vectors, d },
    knn: exactKnn(vectors, n, d, 5),
    semanticClusters: { kind: 'semantic', k: 8, assignments: fam, sizes: [], silhouette: null, labels: [] } as never,
    userTags: null,
    nullB: nullBPairExpectation,
  };
}

const fast = resolveOptions({ permutations: 99, maxPairs: 3000, nullBSamples: 8 });

describe('explain on simulated benchmarks', () => {
  it('planted families: positive semantic effect in the regression, Mantel, deciles and nearest neighbours', async () => {
    const { result: r } = await explain(simulatedBenchmark(1, 1.5), fast, createRng(1));
    expect(r.pairs!.design).toBe('stratified');
    expect(r.pairs!.knnSampled).toBeGreaterThan(0);
    expect(r.mantel!.r).toBeGreaterThan(0.1);
    expect(r.mantel!.p).toBeLessThanOrEqual(0.02);
    const sem = r.coefficients.find((c) => c.name === 'semantic cosine')!;
    const cl = r.coefficients.find((c) => c.name === 'same semantic cluster')!;
    // semantic block jointly: cosine and same cluster carry the family effect
    expect(sem.estimate + cl.estimate).toBeGreaterThan(0);
    expect(Math.min(sem.p!, cl.p!)).toBeLessThanOrEqual(0.02);
    expect(r.partialR2!.semantic).toBeGreaterThan(0.02);
    const dec = r.effects.semanticDeciles;
    expect(dec).toHaveLength(10);
    expect(dec[9].meanSimilarity).toBeGreaterThan(dec[0].meanSimilarity + 0.05);
    const nn = r.effects.nearestNeighbours!;
    expect(nn.meanNeighbours).toBeGreaterThan(nn.meanRandom);
    expect(nn.p).toBeLessThanOrEqual(0.02);
    // the excess over Null B carries the family effect too (ability alone cannot explain it)
    expect(r.excess).not.toBeNull();
    expect(r.excess!.mantel!.r).toBeGreaterThan(0.05);
    expect(r.excess!.mantel!.p).toBeLessThanOrEqual(0.05);
  });

  it('no planted families: the semantic block explains almost nothing', async () => {
    const { result: r } = await explain(simulatedBenchmark(2, 0), fast, createRng(1));
    expect(Math.abs(r.mantel!.r)).toBeLessThan(0.08);
    expect(r.partialR2!.semantic).toBeLessThan(0.01);
  });

  it('same inputs and seed give identical JSON; another seed a different sample', async () => {
    const inp = simulatedBenchmark(3, 1);
    const o = resolveOptions({ permutations: 19, maxPairs: 2000, nullBSamples: 3 });
    const a = JSON.stringify((await explain(inp, o, createRng(5))).result);
    expect(JSON.stringify((await explain(inp, o, createRng(5))).result)).toBe(a);
    expect(JSON.stringify((await explain(inp, o, createRng(6))).result)).not.toBe(a);
  });

  it('Mantel r: exact over all pairs matches an independent recomputation; the weighted sample estimate is close', async () => {
    const inp = simulatedBenchmark(8, 1.2);
    const { result: r } = await explain(inp, resolveOptions({ permutations: 0, maxPairs: 3000, nullBSamples: 0 }), createRng(1));
    // independent: correlate's own Pearson over models with both scores, cosine by hand
    const d = inp.dataset;
    const m = d.models.length;
    const n = d.items.length;
    const col = (i: number) => Array.from({ length: m }, (_, k) => d.scores[k * n + i]);
    const ok = Array.from({ length: n }, (_, i) => {
      const c = col(i);
      return new Set(c).size > 1;
    });
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        if (!ok[i] || !ok[j]) continue;
        const y = similarity('pearson', col(i), col(j), 5);
        if (y !== y) continue;
        let c = 0;
        for (let k = 0; k < 12; k++) c += inp.embeddings!.vectors[i * 12 + k] * inp.embeddings!.vectors[j * 12 + k];
        xs.push(c);
        ys.push(y);
      }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const mx = mean(xs);
    const my = mean(ys);
    let sxy = 0, sxx = 0, syy = 0;
    xs.forEach((x, t) => ((sxy += (x - mx) * (ys[t] - my)), (sxx += (x - mx) ** 2), (syy += (ys[t] - my) ** 2)));
    expect(r.mantel!.allPairs).toBe(xs.length);
    expect(r.mantel!.rAllPairs!).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 10);
    expect(r.pairs!.design).toBe('stratified');
    expect(Math.abs(r.mantel!.r - r.mantel!.rAllPairs!)).toBeLessThan(0.05);
    // with all pairs in the model, the two are the same number
    const { result: all } = await explain(inp, resolveOptions({ permutations: 0, maxPairs: 20_000, nullBSamples: 0 }), createRng(1));
    expect(all.pairs!.design).toBe('all');
    expect(all.mantel!.r).toBeCloseTo(all.mantel!.rAllPairs!, 10);
  });

  it('Mantel p over all pairs belongs to rAllPairs: planted structure gives the smallest p; with all pairs in the model it is the sample p', async () => {
    const inp = simulatedBenchmark(8, 1.2);
    const { result: r } = await explain(inp, resolveOptions({ permutations: 99, maxPairs: 3000, nullBSamples: 0 }), createRng(1));
    expect(r.pairs!.design).toBe('stratified');
    expect(r.mantel!.allPairsPermutations).toBe(99);
    expect(r.mantel!.pAllPairs).toBeCloseTo(1 / 100, 12);
    const { result: all } = await explain(inp, resolveOptions({ permutations: 19, maxPairs: 20_000, nullBSamples: 0 }), createRng(1));
    expect(all.mantel!.pAllPairs).toBe(all.mantel!.p);
  });

  it('worker threads give exactly the in-thread result', async () => {
    const inp = simulatedBenchmark(7, 1);
    const o = resolveOptions({ permutations: 40, maxPairs: 1500, nullBSamples: 3 });
    const a = JSON.stringify((await explain(inp, o, createRng(2))).result);
    const b = JSON.stringify((await explain(inp, o, createRng(2), undefined, workerPermutations(2))).result);
    expect(b).toBe(a);
  });

  it('without embeddings: tags and a difficulty/failure model, semantic parts dropped with a note, no crash', async () => {
    const inp = { ...simulatedBenchmark(4, 1), embeddings: null, knn: null, semanticClusters: null, nullB: null };
    const { result: r } = await explain(inp, fast, createRng(1));
    expect(r.mantel).toBeNull();
    expect(r.coefficients.some((c) => c.block === 'semantic')).toBe(false);
    expect(r.partialR2!.semantic).toBeNull();
    expect(r.partialR2!.difficulty).not.toBeNull();
    expect(r.excess).toBeNull();
    expect(r.effects.semanticDeciles).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/no embeddings/);
    expect(r.notes.join(' ')).toMatch(/Null B expectation is unavailable/);
  });

  it('prompts without text (zero embedding rows) are set aside', async () => {
    const inp = simulatedBenchmark(5, 1);
    const v = inp.embeddings!.vectors.slice();
    v.fill(0, 0, 12 * 3);
    const { result: r } = await explain({ ...inp, embeddings: { vectors: v, d: 12 } }, resolveOptions({ permutations: 0, maxPairs: 2000, nullBSamples: 0 }), createRng(1));
    expect(r.notes.join(' ')).toMatch(/3 prompt\(s\) without text/);
  });
});

const DEMO_PROMPTS = 300;
describe(`explain on the demo benchmark (${DEMO_PROMPTS} prompts, 40 models; lexical hashed bag-of-words embeddings of the demo texts)`, () => {
  const { dataset, truth } = generateDemo({ name: 'demo', models: 40, prompts: DEMO_PROMPTS, seed: 1 }, createRng(1));
  const n = dataset.items.length;
  const vectors = hashedBagOfWords(dataset.items.map((it) => it.text));
  const inputs: ExplainInputs = { dataset, embeddings: { vectors, d: 256 }, knn: exactKnn(vectors, n, 256, 8), semanticClusters: null, userTags: null, nullB: nullBPairExpectation };
  let r: ExplainResult;
  let membership: Uint8Array[];
  beforeAll(async () => {
    ({ result: r, membership } = await explain(inputs, resolveOptions({ permutations: 99, maxPairs: 4000, nullBSamples: 5 }), createRng(1)));
  });
  const tagged = (id: string) => new Set(dataset.items.filter((_, i) => membership[r.tags.findIndex((t) => t.id === id)][i]).map((it) => it.id));

  it('tags every planted shared-failure (trick) prompt as a shared wrong answer, with few others', () => {
    const tricks = truth.tricks.itemIds;
    expect(tricks.length).toBeGreaterThan(0);
    const sw = tagged('shared-wrong-answer');
    for (const id of tricks) expect(sw.has(id)).toBe(true);
    // Other tagged prompts: two-choice items (every failing model gives the one other answer —
    // indistinguishable from a trick in the answer matrix, and reported in a note) plus at most a
    // few chance hits among the ordinary three-distractor prompts.
    const m = dataset.models.length;
    const distinctWrong = (i: number) => {
      const s = new Set<number>();
      for (let k = 0; k < m; k++) if (dataset.scores[k * n + i] === 0 && dataset.answers!.codes[k * n + i] >= 0) s.add(dataset.answers!.codes[k * n + i]);
      return s.size;
    };
    const trickSet = new Set(tricks);
    const others = dataset.items.map((it, i) => ({ id: it.id, i })).filter((x) => sw.has(x.id) && !trickSet.has(x.id));
    const chanceHits = others.filter((x) => distinctWrong(x.i) > 1);
    expect(chanceHits.length).toBeLessThanOrEqual(Math.max(3, 0.01 * n));
    if (others.length > chanceHits.length) expect(r.notes.join(' ')).toMatch(/may be two-choice items/);
  });

  it('format failures are tagged in the planted format-failure families only', () => {
    const fams = new Set(truth.formatFailure.families);
    const familyOf = new Map(truth.items.map((x) => [x.id, x.family]));
    const ff = [...tagged('format-failure')];
    expect(ff.length).toBeGreaterThan(0);
    for (const id of ff) expect(fams.has(familyOf.get(id)!)).toBe(true);
  });

  it('the planted families show up as a positive semantic effect', () => {
    expect(r.mantel!.r).toBeGreaterThan(0.05);
    expect(r.mantel!.p).toBeLessThanOrEqual(0.02);
    const nn = r.effects.nearestNeighbours!;
    expect(nn.meanNeighbours).toBeGreaterThan(nn.meanRandom);
    expect(nn.p).toBeLessThanOrEqual(0.02);
    // family = the demo's metadata category: prompts of the same family co-vary
    const same = r.coefficients.find((c) => c.name === 'same category')!;
    expect(same.estimate).toBeGreaterThan(0);
    expect(same.p).toBeLessThanOrEqual(0.02);
    const t = r.effects.tags.find((e) => e.tag === 'category:category=arithmetic')!;
    expect(t.meanWithin!).toBeGreaterThan(t.meanOutside!);
  });
});
