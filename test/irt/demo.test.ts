/**
 * The demo benchmark's planted prompt families (pipeline/demo/truth.ts) are found by the irt
 * stage: dimension ≥ 2, and the residual groups agree with the planted families (ARI printed).
 */
import { describe, expect, it, vi } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { generateDemo } from '../../pipeline/demo/index.ts';
import { analyzeIrt, DEFAULT_IRT } from '../../pipeline/irt/analyze.ts';
import { adjustedRandIndex } from '../../pipeline/cluster/stability.ts';

// Well under a minute on an idle machine; the limit leaves room for a loaded one.
vi.setConfig({ testTimeout: 600_000 });

describe('demo: planted families', () => {
  it('dimension ≥ 2, families verdict, residual groups agree with the planted families', async () => {
    const { dataset } = generateDemo({ name: 'demo', models: 40, prompts: 300, seed: 1 }, createRng(1));
    const out = await analyzeIrt(dataset, { ...DEFAULT_IRT, permutationsC: 19, q3Replicates: 3, maxDim: 3 }, 1, 0.01);
    const r = out.result;
    expect(r.dimension).toBeGreaterThanOrEqual(2);
    expect(r.families).toBe('families');
    // ARI over the prompts placed in a residual group, against their planted family.
    const family = new Map<string, number>();
    const label: number[] = [];
    const planted: number[] = [];
    r.residualGroups.forEach((g, gi) => {
      for (const i of g.prompts) {
        const f = String(dataset.items[i].metadata.category);
        if (!family.has(f)) family.set(f, family.size);
        label.push(gi);
        planted.push(family.get(f)!);
      }
    });
    const ari = adjustedRandIndex(label, planted);
    console.log(`demo (40 × 300): dimension ${r.dimension}, ${r.residualGroups.length} residual groups over ${label.length} prompts, ARI vs planted families ${ari.toFixed(3)}; Null C mean squared z ${r.nullC?.meanSquared.z.toFixed(1)}`);
    expect(ari).toBeGreaterThan(0);
  });
});
