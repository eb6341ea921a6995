/**
 * On the demo benchmark (planted over-represented families), family-balanced weighting must move
 * models the way the planted structure predicts. Families are the demo's metadata category, used
 * here as the clusters (the embedding of the demo is tested elsewhere; this pins the weighting).
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { generateDemo } from '../../pipeline/demo/index.ts';
import { categoryClustering } from '../../pipeline/cluster/clusterings.ts';
import { computeReweighting, DEFAULT_REWEIGHT_OPTIONS } from '../../pipeline/reweight/reweight.ts';

describe('demo benchmark: cluster-balanced weighting', () => {
  const { dataset, truth } = generateDemo({ name: 'demo', models: 40, prompts: 1200, seed: 1 }, createRng(1));
  const family = categoryClustering(dataset.items, 'category').clustering!;
  const { result } = computeReweighting(
    { models: dataset.models, scores: dataset.scores, clusterings: { semantic: { ...family, kind: 'semantic' }, performance: null, category: family }, knn: null, targetMix: null },
    { ...DEFAULT_REWEIGHT_OPTIONS, schemes: ['cluster-balanced'], bootstrap: 200 },
    createRng(2),
  );
  const cb = result.schemes.find((s) => s.name === 'cluster-balanced')!;
  const byModel = new Map(cb.models.map((r) => [r.model, r]));

  it('agrees with the generator’s own family-balanced scores', () => {
    // The generator averages per-family means; with missing cells that differs slightly from
    // renormalising the weights over the model's observed prompts (what covary does): the two
    // agree closely, not exactly. Uniform scores agree exactly.
    const diffs: number[] = [];
    for (const t of truth.models) {
      const row = byModel.get(t.name)!;
      expect(row.uniformScore, t.name).toBeCloseTo(t.uniformScore, 5);
      expect(row.score, t.name).toBeCloseTo(t.balancedScore, 1);
      diffs.push(Math.abs(row.score - t.balancedScore));
    }
    diffs.sort((x, y) => x - y);
    expect(diffs[Math.floor(diffs.length / 2)]).toBeLessThan(0.002);
  });

  it('moves models in the planted direction (specialists of the over-represented families drop, broad models rise)', () => {
    const planted = truth.models.filter((t) => t.plantedDirection === 'rise' || t.plantedDirection === 'drop');
    expect(planted.length).toBeGreaterThan(3);
    let agree = 0;
    for (const t of planted) {
      const row = byModel.get(t.name)!;
      // deltaRank = rank − uniform rank: negative = moved up
      if (t.plantedDirection === 'rise' ? row.deltaRank < 0 : row.deltaRank > 0) agree++;
      if (t.plantedDirection === 'rise') expect(row.deltaScore, t.name).toBeGreaterThan(0);
    }
    expect(agree / planted.length).toBeGreaterThanOrEqual(0.8);
    expect(cb.maxAbsRankShift).toBeGreaterThanOrEqual(3);
    expect(cb.kendallTau).toBeLessThan(cb.noise.tauMedian);
  });
});

describe('demo benchmark: planted rank changes are controlled significant swaps', () => {
  it('family-balanced weighting swaps the planted specialists and broad models beyond noise', () => {
    const { dataset, truth } = generateDemo({ name: 'demo', models: 40, prompts: 1200, seed: 1 }, createRng(1));
    const family = categoryClustering(dataset.items, 'category').clustering!;
    // The bootstrap resamples phrasings (templates: 84 dependence units); the scheme balances the 12 families.
    const templates = categoryClustering(dataset.items, 'template').clustering!;
    const { result } = computeReweighting(
      { models: dataset.models, scores: dataset.scores, clusterings: { semantic: { ...family, kind: 'semantic' }, performance: null, category: templates }, knn: null, targetMix: null },
      { ...DEFAULT_REWEIGHT_OPTIONS, schemes: ['cluster-balanced'], bootstrap: 200, clusterSource: 'category' },
      createRng(2),
    );
    expect(result.rankInference.bootstrap).toBe('cluster');
    const cb = result.schemes.find((s) => s.name === 'cluster-balanced')!;
    const significant = cb.swaps.filter((x) => x.significant);
    expect(significant.length).toBeGreaterThan(5);
    const inSwap = new Set(significant.flatMap((x) => x.models));
    const planted = truth.models.filter((t) => (t.plantedDirection === 'rise' || t.plantedDirection === 'drop') && Math.abs(t.rankChange) >= 3);
    expect(planted.length).toBeGreaterThan(3);
    for (const t of planted) expect(inSwap.has(t.name), t.name).toBe(true);
    // Direction: a planted specialist is only ever overtaken, a broad model only ever overtakes.
    for (const x of significant) {
      const [ahead, behind] = x.models.map((name) => truth.models.find((t) => t.name === name)!.plantedDirection);
      expect(ahead).not.toBe('rise');
      expect(behind).not.toBe('drop');
    }
  });
});
