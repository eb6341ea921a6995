import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { computeReweighting, DEFAULT_REWEIGHT_OPTIONS } from '../../pipeline/reweight/reweight.ts';
import { prepare, replicateScores, bootstrapScores, scratchFor } from '../../pipeline/reweight/bootstrap.ts';
import { weightedScores } from '../../pipeline/reweight/scores.ts';
import { clusteringOf, overRepresented } from './helpers.ts';

describe('bootstrap', () => {
  it('a replicate with every count 1 reproduces the point scores, missing cells included', () => {
    const m = 3;
    const n = 7;
    const rng = createRng(2);
    const scores = Float64Array.from({ length: m * n }, () => rng.next());
    scores[3] = NaN;
    scores[n + 5] = NaN;
    const w1 = Float64Array.from({ length: n }, () => rng.next());
    const w2 = new Float64Array(n).fill(1 / n);
    const p = prepare({ m, n, scores, weights: [w1, w2] });
    const out = [new Float64Array(m), new Float64Array(m)];
    replicateScores(p, new Float64Array(n).fill(1), out, 0, scratchFor(p));
    for (const [s, w] of [w1, w2].entries()) {
      const ref = weightedScores(scores, m, n, w).score;
      for (let k = 0; k < m; k++) expect(out[s][k]).toBeCloseTo(ref[k], 12);
    }
    // counts = 2 on one prompt equals duplicating it
    const counts = new Float64Array(n).fill(1);
    counts[2] = 2;
    replicateScores(p, counts, out, 0, scratchFor(p));
    const w1b = Float64Array.from(w1);
    w1b[2] *= 2;
    const ref = weightedScores(scores, m, n, w1b).score;
    for (let k = 0; k < m; k++) expect(out[0][k]).toBeCloseTo(ref[k], 12);
  });

  it('prompt-bootstrap SE of a plain mean matches √(p(1−p)/n)', () => {
    const n = 400;
    const rng = createRng(9);
    const scores = Float64Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
    let p = 0;
    for (const v of scores) p += v / n;
    const reps = bootstrapScores(prepare({ m: 1, n, scores, weights: [new Float64Array(n).fill(1 / n)] }), 'prompt', 800, createRng(1), null)[0];
    let mean = 0;
    for (const v of reps) mean += v / reps.length;
    let ss = 0;
    for (const v of reps) ss += (v - mean) ** 2;
    const sd = Math.sqrt(ss / (reps.length - 1));
    expect(sd / Math.sqrt((p * (1 - p)) / n)).toBeGreaterThan(0.88);
    expect(sd / Math.sqrt((p * (1 - p)) / n)).toBeLessThan(1.12);
  });
});

describe('reweighting a benchmark with an over-represented family', () => {
  const sim = overRepresented(42);
  const fam = clusteringOf('semantic', sim.family, undefined, [0, 600, 700, 800, 900]);
  const run = (seed: number) =>
    computeReweighting(
      { models: Array.from({ length: sim.m }, (_, k) => `model-${k}`), scores: sim.scores, clusterings: { semantic: fam, performance: null, category: null }, knn: null, targetMix: null },
      { ...DEFAULT_REWEIGHT_OPTIONS, schemes: ['cluster-balanced'], bootstrap: 200 },
      createRng(seed),
    );
  const { result, weights } = run(1);

  it('cluster-balanced weighting moves the models strong on the small families up', () => {
    const cb = result.schemes.find((s) => s.name === 'cluster-balanced')!;
    const half = sim.m / 2;
    for (const row of cb.models) {
      const k = Number(row.model.split('-')[1]);
      if (k >= half) {
        expect(row.deltaScore, row.model).toBeGreaterThan(0);
        expect(row.rank, row.model).toBeLessThanOrEqual(half);
        expect(row.uniformRank, row.model).toBeGreaterThan(half);
      } else expect(row.deltaScore, row.model).toBeLessThan(0);
    }
    expect(cb.kendallTau).toBeLessThan(cb.noise.tauP05);
    expect(cb.tauNoiseShare).toBeLessThan(0.05);
    // The cluster bootstrap here resamples the 5 families the scheme re-weights, so the family mix
    // itself is treated as noise: no swap can be significant (see the next test for finer clusters).
    expect(cb.pointSwaps).toBeGreaterThan(0);
    expect(cb.significantSwaps).toBe(0);
    // top 5 of 8: four family-0 models + one other before, four others + one family-0 model after
    expect(cb.topKOverlap).toBe(0.4);
  });

  it('swaps are significant when the bootstrap resamples finer units than the re-weighted families', () => {
    // Blocks of 20 prompts within a family as the bootstrap clusters (dependence units).
    const blocks = clusteringOf('category', Array.from(sim.family, (_, i) => Math.floor(i / 20)));
    const fine = computeReweighting(
      { models: Array.from({ length: sim.m }, (_, k) => `model-${k}`), scores: sim.scores, clusterings: { semantic: fam, performance: null, category: blocks }, knn: null, targetMix: null },
      { ...DEFAULT_REWEIGHT_OPTIONS, schemes: ['cluster-balanced'], bootstrap: 200, clusterSource: 'category' },
      createRng(1),
    ).result;
    expect(fine.rankInference.bootstrap).toBe('cluster');
    const cb = fine.schemes[1];
    expect(cb.significantSwaps).toBeGreaterThan(0);
    expect(cb.modelsRankBeyondNoise).toBeGreaterThan(0);
    for (const x of cb.swaps.filter((w) => w.significant)) {
      // every significant swap puts a small-family model (index ≥ 4) ahead of a family-0 model
      expect(Number(x.models[1].split('-')[1])).toBeGreaterThanOrEqual(sim.m / 2);
      expect(Number(x.models[0].split('-')[1])).toBeLessThan(sim.m / 2);
      expect(x.pAdjusted).toBeLessThanOrEqual(0.05);
    }
    for (const row of cb.models) {
      const [lo, hi] = row.rankSet.marginal!;
      expect(lo).toBeLessThanOrEqual(row.rank);
      expect(hi).toBeGreaterThanOrEqual(row.rank);
      const [slo, shi] = row.rankSet.simultaneous!;
      expect(slo).toBeLessThanOrEqual(lo);
      expect(shi).toBeGreaterThanOrEqual(hi);
    }
  });

  it('reports uniform as the plain mean, with no change against itself', () => {
    const u = result.schemes[0];
    expect(u.name).toBe('uniform');
    expect(u.kendallTau).toBe(1);
    expect(u.maxAbsRankShift).toBe(0);
    for (const row of u.models) {
      const k = Number(row.model.split('-')[1]);
      let s = 0;
      for (let i = 0; i < sim.n; i++) s += sim.scores[k * sim.n + i];
      expect(row.score).toBeCloseTo(s / sim.n, 12);
      expect(row.ciLow).toBeLessThan(row.score);
      expect(row.ciHigh).toBeGreaterThan(row.score);
      expect(row.rankLow).toBeLessThanOrEqual(row.rank);
      expect(row.rankHigh).toBeGreaterThanOrEqual(row.rank);
      expect(row.kish).toBeCloseTo(sim.n, 8);
    }
    expect(weights.length).toBe(2);
  });

  it('has cluster-bootstrap intervals wider than prompt-bootstrap ones when the clusters matter', () => {
    const cb = result.schemes[1];
    const widths = cb.models.map((r) => (r.clusterCiHigh! - r.clusterCiLow!) / (r.ciHigh - r.ciLow));
    expect(widths.filter((x) => x > 1).length).toBeGreaterThan(sim.m / 2);
  });

  it('is deterministic for a seed', () => {
    expect(JSON.stringify(run(1).result)).toBe(JSON.stringify(result));
  });
});
