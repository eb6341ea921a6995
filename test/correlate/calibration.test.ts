/**
 * Calibration: on matrices simulated under each null, p < 0.05 must happen about 5% of the time.
 * Power: planted prompt families are detected by Null B; a pure model-strength (Rasch) matrix is
 * significant under Null A but not under Null B.
 */
import { describe, expect, it } from 'vitest';
import { correlate, type CorrelateOptions } from '../../pipeline/correlate/index.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { generateDemo } from '../../pipeline/demo/index.ts';
import { binomialBand, exchangeableColumns, plantedFamilies, rasch } from './helpers.ts';

const SIMS = 200;
const small: CorrelateOptions = { metric: 'pearson', permutations: 49, permutationsB: 49, pairSample: 1_000_000, topK: 0, minCommonModels: 3, heatmapSize: 0 };

async function rejectionRates(make: (seed: number) => Float64Array, m: number, n: number, which: 'nullA' | 'nullB', permutationsA = 49) {
  const hits = { mean: 0, meanSquared: 0, ks: 0 };
  for (let s = 0; s < SIMS; s++) {
    const out = await correlate({ scores: make(1000 + s), m, n }, { ...small, permutations: permutationsA }, s);
    const t = out.result[which];
    if (t.p < 0.05) hits.mean++;
    if (t.meanSquared.p < 0.05) hits.meanSquared++;
    if (t.ks.p < 0.05) hits.ks++;
  }
  return { mean: hits.mean / SIMS, meanSquared: hits.meanSquared / SIMS, ks: hits.ks / SIMS };
}

describe('calibration under each null', () => {
  // p takes values k/50 with B = 49, so P(p < 0.05) = P(p ≤ 0.04) = 4% exactly for a continuous statistic.
  const [lo, hi] = binomialBand(0.04, SIMS);

  it(`Null A: exchangeable columns, ${SIMS} matrices 10 × 20`, async () => {
    const r = await rejectionRates((seed) => exchangeableColumns(10, 20, seed), 10, 20, 'nullA');
    expect(r.mean).toBeGreaterThanOrEqual(lo);
    expect(r.mean).toBeLessThanOrEqual(hi);
    expect(r.meanSquared).toBeGreaterThanOrEqual(lo);
    expect(r.meanSquared).toBeLessThanOrEqual(hi);
    // KS on a discrete distribution has ties: it may only be conservative.
    expect(r.ks).toBeLessThanOrEqual(hi);
  });

  it(`Null B: Rasch matrices (uniform given their margins), ${SIMS} matrices 10 × 20`, async () => {
    const r = await rejectionRates((seed) => rasch(10, 20, seed), 10, 20, 'nullB');
    expect(r.mean).toBeGreaterThanOrEqual(lo);
    expect(r.mean).toBeLessThanOrEqual(hi);
    expect(r.meanSquared).toBeGreaterThanOrEqual(lo);
    expect(r.meanSquared).toBeLessThanOrEqual(hi);
    expect(r.ks).toBeLessThanOrEqual(hi);
  });

  it(`Null B for graded scores: additive model + noise (residual permutation), ${SIMS} matrices 10 × 20`, async () => {
    const make = (seed: number) => {
      const rng = createRng(seed);
      const a = Array.from({ length: 10 }, () => 0.15 * rng.normal());
      const b = Array.from({ length: 20 }, () => 0.15 * rng.normal());
      return Float64Array.from({ length: 200 }, (_, q) => 0.5 + a[Math.floor(q / 20)] + b[q % 20] + 0.1 * rng.normal());
    };
    const r = await rejectionRates(make, 10, 20, 'nullB', 9);
    // The residual permutation is approximate (residuals are only nearly exchangeable): not anti-conservative.
    expect(r.mean).toBeLessThanOrEqual(hi);
    expect(r.meanSquared).toBeLessThanOrEqual(hi);
    expect(r.ks).toBeLessThanOrEqual(hi);
    expect(r.mean + r.meanSquared + r.ks).toBeGreaterThan(0);
  });
});

describe('power', () => {
  it('planted prompt families are detected by Null B (mean squared correlation and KS)', async () => {
    const { scores } = plantedFamilies(30, 120, 4, 5);
    const out = await correlate({ scores, m: 30, n: 120 }, { ...small, permutations: 99, permutationsB: 99 }, 1);
    expect(out.result.nullA.p).toBeLessThanOrEqual(0.01);
    expect(out.result.nullB.meanSquared.p).toBeLessThanOrEqual(0.01);
    expect(out.result.nullB.ks.p).toBeLessThanOrEqual(0.01);
    expect(out.result.nullB.meanSquared.z).toBeGreaterThan(3);
  });

  it('the demo benchmark\u2019s planted families are detected by Null B', async () => {
    const { dataset } = generateDemo({ name: 'demo', models: 40, prompts: 300, seed: 1 }, createRng(1));
    const m = dataset.models.length;
    const n = dataset.items.length;
    const out = await correlate({ scores: dataset.scores, m, n }, { ...small, topK: 0, minCommonModels: 5 }, 1);
    expect(out.result.nullA.p).toBeLessThanOrEqual(0.02);
    expect(out.result.nullB.meanSquared.p).toBeLessThanOrEqual(0.02);
    expect(out.result.nullB.ks.p).toBeLessThanOrEqual(0.02);
  });

  it('a model-strength effect alone (Rasch, no families) is significant under Null A but not under Null B', async () => {
    const scores = rasch(30, 120, 8);
    const out = await correlate({ scores, m: 30, n: 120 }, { ...small, permutations: 99, permutationsB: 99 }, 1);
    expect(out.result.nullA.p).toBeLessThanOrEqual(0.01);
    expect(out.result.nullA.z).toBeGreaterThan(5);
    expect(out.result.nullB.p).toBeGreaterThan(0.05);
    expect(out.result.nullB.meanSquared.p).toBeGreaterThan(0.05);
    expect(out.result.nullB.ks.p).toBeGreaterThan(0.05);
  });
});
