import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { silentReporter } from '../../pipeline/core/progress.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import type { StageContext } from '../../pipeline/core/stage.ts';
import { stage } from '../../pipeline/correlate/stage.ts';
import { correlate, loadCorrelation, nullBPairExpectation, nullBPairExpectationParallel, similarity } from '../../pipeline/correlate/index.ts';
import { inThreadRunner } from '../../pipeline/correlate/analyze.ts';
import { topKSimilar } from '../../pipeline/correlate/topk.ts';
import { topKParallel, workerRunner } from '../../pipeline/correlate/parallel.ts';
import { prepareColumns } from '../../pipeline/correlate/similarity.ts';
import { extractColumns } from '../../pipeline/correlate/nulls/types.ts';
import { plantedFamilies, randomMatrix } from './helpers.ts';

async function storeWith(scores: Float64Array, m: number, n: number, name = 'bench') {
  const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-correlate-')));
  let miss = 0;
  for (const v of scores) if (v !== v) miss++;
  await store.saveDataset(
    { name, models: Array.from({ length: m }, (_, k) => `model-${k}`), items: Array.from({ length: n }, (_, i) => ({ id: String(i), text: null, metadata: {}, tags: [] })), scores, answers: null },
    { format: 'test', counts: { models: m, items: n, cells: m * n, missingCells: miss, itemsWithText: 0, binary: true, hasAnswers: false }, sources: [], dropped: [], coverage: {}, options: {} },
  );
  return store;
}

const ctxFor = (store: ArtifactStore, seed = 1, force = false): StageContext => ({ store, reportsDir: '/tmp', seed, reporter: silentReporter, force, commandLine: 'test' });
const argv = { metric: 'pearson', permutations: 49, permutationsB: 19, pairSample: 100_000, topK: 5, minCommonModels: 3, workers: 1 };

describe('correlate stage', () => {
  const m = 20, n = 60;
  const scores = plantedFamilies(m, n, 3, 2).scores.map((v, q) => (q % 37 === 5 ? NaN : v));

  it('writes a deterministic artifact for a seed, reuses it when fresh, and changes with the seed', async () => {
    const store = await storeWith(scores, m, n);
    const first = await stage.run(ctxFor(store), 'bench', argv);
    expect(first.status).toBe('computed');
    const text1 = await readFile(store.stagePath('bench', 'correlate'), 'utf8');
    expect((await stage.run(ctxFor(store), 'bench', argv)).status).toBe('cached');
    expect((await stage.run(ctxFor(store, 1, true), 'bench', argv)).status).toBe('computed');
    expect(await readFile(store.stagePath('bench', 'correlate'), 'utf8')).toBe(text1);
    await stage.run(ctxFor(store, 2), 'bench', argv);
    expect(await readFile(store.stagePath('bench', 'correlate'), 'utf8')).not.toBe(text1);

    const a = (await loadCorrelation(store, 'bench'))!;
    const r = a.result;
    expect(r.prompts.total).toBe(n);
    expect(r.prompts.used + r.prompts.zeroVariance.total + r.prompts.tooFewModels).toBe(n);
    for (const key of ['nullA', 'nullB'] as const) {
      for (const f of ['observed', 'nullMean', 'nullSd', 'z', 'p'] as const) expect(typeof r[key][f]).toBe('number');
      expect(r[key].meanSquared.p).toBeGreaterThan(0);
      expect(r[key].ks.D).toBe(r[key].ks.observed);
    }
    expect(r.nullB.method).toBe('curveball');
    expect(r.nullB.mixing?.tradesPerReplicate).toBeGreaterThan(0);
    expect(r.histograms.observed.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 10);
    expect(r.histograms.nullB.length).toBe(r.histograms.bins);
    expect(a.topK.indices.length).toBe(n * a.topK.k);
    expect(a.replicates?.nullA.length).toBe(49 * 3);
    // Top-k values equal the direct similarity of the listed pair.
    const col = (i: number) => Float64Array.from({ length: m }, (_, k) => scores[k * n + i]);
    for (let i = 0; i < n; i++) {
      const j = a.topK.indices[i * a.topK.k];
      if (j < 0) continue;
      expect(a.topK.values[i * a.topK.k]).toBeCloseTo(similarity('pearson', col(i), col(j), 3), 5);
    }
  });

  it('skips a benchmark with nothing to correlate, and rejects Jaccard on graded scores', async () => {
    const flat = new Float64Array(5 * 8).fill(1);
    const store = await storeWith(flat, 5, 8, 'flat');
    expect((await stage.run(ctxFor(store), 'flat', argv)).status).toBe('skipped');
    expect(await loadCorrelation(store, 'flat')).toBeNull();
    const graded = randomMatrix(6, 10, 3, (rng) => rng.next());
    const store2 = await storeWith(graded, 6, 10, 'graded');
    await expect(stage.run(ctxFor(store2), 'graded', { ...argv, metric: 'jaccard' })).rejects.toBeInstanceOf(CovaryError);
    await expect(stage.run(ctxFor(store2), 'graded', { ...argv, permutations: 0 })).rejects.toBeInstanceOf(CovaryError);
    const ok = await stage.run(ctxFor(store2), 'graded', argv);
    expect(ok.status).toBe('computed');
    expect((await loadCorrelation(store2, 'graded'))!.result.nullB.method).toBe('residual-permutation');
  });
});

describe('worker threads', () => {
  it('give the same replicates and top-k as the main thread', async () => {
    const m = 12, n = 50;
    const scores = plantedFamilies(m, n, 2, 4).scores;
    const opts = { metric: 'pearson' as const, permutations: 20, permutationsB: 10, pairSample: 10_000, topK: 4, minCommonModels: 3 };
    const one = await correlate({ scores, m, n }, opts, 3);
    const two = await correlate({ scores, m, n }, opts, 3, silentReporter, { replicates: workerRunner(2), topK: (p, k, t) => topKParallel(p, k, 2, t) });
    expect(JSON.stringify(two.result)).toBe(JSON.stringify(one.result));
    expect(Array.from(two.topK.indices)).toEqual(Array.from(one.topK.indices));
    expect(Array.from(two.replicatesB)).toEqual(Array.from(one.replicatesB));
    void inThreadRunner;
    void topKSimilar;
    void prepareColumns;
    void extractColumns;
  });
});

describe('nullBPairExpectation', () => {
  it('in two halves (one on a worker thread) it equals the one-pass mean to rounding, for any thread count (0/1 with missing cells, and graded)', async () => {
    const m = 25, n = 40;
    const { scores } = plantedFamilies(m, n, 2, 9, 2);
    const withMissing = Float64Array.from(scores, (v, q) => (q % 37 === 0 ? NaN : v));
    const graded = Float64Array.from(scores, (v, q) => (v === v ? 0.25 + 0.5 * v + ((q * 7919) % 13) / 100 : v));
    const pairs: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j += 3) pairs.push(i, j);
    const P = Int32Array.from(pairs);
    for (const x of [withMissing, graded]) {
      const one = nullBPairExpectation(x, m, n, P, 'pearson', 9, createRng(4));
      const two = await nullBPairExpectationParallel(2, 0)(x, m, n, P, 'pearson', 9, createRng(4));
      // The same halves in one thread: identical, whatever the number of threads.
      expect(Array.from(await nullBPairExpectationParallel(1, 0)(x, m, n, P, 'pearson', 9, createRng(4)))).toEqual(Array.from(two));
      expect(two.length).toBe(one.length);
      for (let q = 0; q < one.length; q++) {
        if (Number.isNaN(one[q])) expect(two[q]).toBeNaN();
        else expect(Math.abs(two[q] - one[q])).toBeLessThan(1e-12);
      }
    }
  });
  it('is deterministic for a seed, between −1 and 1, and lower than the observed similarity within planted families', () => {
    const m = 25, n = 40;
    const { scores, family } = plantedFamilies(m, n, 2, 9, 2);
    const pairs: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (family[i] === family[j]) pairs.push(i, j);
    const P = Int32Array.from(pairs);
    const e1 = nullBPairExpectation(scores, m, n, P, 'pearson', 30, createRng(4));
    const e2 = nullBPairExpectation(scores, m, n, P, 'pearson', 30, createRng(4));
    expect(Array.from(e1)).toEqual(Array.from(e2));
    const col = (i: number) => Float64Array.from({ length: m }, (_, k) => scores[k * n + i]);
    let obs = 0, exp = 0, c = 0;
    for (let q = 0; q < P.length / 2; q++) {
      const o = similarity('pearson', col(P[2 * q]), col(P[2 * q + 1]), 3);
      if (Number.isNaN(o) || Number.isNaN(e1[q])) continue;
      expect(Math.abs(e1[q])).toBeLessThanOrEqual(1);
      obs += o;
      exp += e1[q];
      c++;
    }
    expect(c).toBeGreaterThan(100);
    expect(obs / c).toBeGreaterThan(exp / c + 0.05);
  });
});

describe('correlate memory guard', () => {
  it('stops before loading the matrix when the estimate exceeds the budget, naming the size and --workers', async () => {
    const m = 30, n = 50;
    const store = await storeWith(plantedFamilies(m, n, 3, 2).scores, m, n);
    const ctx = { ...ctxFor(store), memoryBudget: 100 * 2 ** 20 };
    const err = await stage.run(ctx, 'bench', argv).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect((err as CovaryError).toLine()).toMatch(/^correlate: 30 models × 50 prompts \(1,500 cells\) needs about \d+ MiB of memory, more than the 100 MiB available \(analyse fewer prompts/);
    expect(existsSync(store.stagePath('bench', 'correlate'))).toBe(false);
    expect((await stage.run({ ...ctx, memoryBudget: 2 ** 30 }, 'bench', argv)).status).toBe('computed');
  });

  it('grows with models × prompts and with worker threads (calibration point: 2,000 × 3,000, 2 workers ≈ 877 MiB measured)', async () => {
    const { estimateCorrelateMemory } = await import('../../pipeline/correlate/memory.ts');
    // Measured before the prompt sample existed: the unsampled path (a cap above m × n).
    const o = { ...(await import('../../pipeline/correlate/analyze.ts')).DEFAULT_OPTIONS, maxTestCells: 1e12 };
    const cal = estimateCorrelateMemory(2000, 3000, o, 2).bytes / 2 ** 20;
    expect(cal).toBeGreaterThan(877 * 0.85);
    expect(cal).toBeLessThan(877 * 1.25);
    expect(estimateCorrelateMemory(2000, 3000, o, 0).bytes).toBeLessThan(estimateCorrelateMemory(2000, 3000, o, 2).bytes);
    expect(estimateCorrelateMemory(4000, 3000, o, 2).bytes).toBeGreaterThan(1.8 * estimateCorrelateMemory(2000, 3000, o, 2).bytes - 300 * 2 ** 20);
    // Above the test cap (prompt sample): calibrated on 5,000 × 30,000, 0/1, 2 workers, 2,920 MiB measured.
    const big = estimateCorrelateMemory(5000, 30000, { ...o, maxTestCells: undefined }, 2, true).bytes / 2 ** 20;
    expect(big).toBeGreaterThan(2920 * 0.85);
    expect(big).toBeLessThan(2920 * 1.25);
    expect(big).toBeLessThan(estimateCorrelateMemory(5000, 30000, o, 2, true).bytes / 2 ** 20);
  });
});
