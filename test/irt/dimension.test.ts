/**
 * Dimensionality by cross-validation: one dimension on unidimensional data, at least two on data
 * with two prompt families whose abilities correlate 0.5 (sized for the suite: 6 runs each,
 * k up to 2).
 */
import { describe, expect, it, vi } from 'vitest';

// Each test is well under a minute on an idle machine; the limit leaves room for a loaded one.
vi.setConfig({ testTimeout: 600_000 });
import { createRng } from '../../pipeline/core/rng.ts';
import { crossValidateDimension, DEFAULT_DIMENSION } from '../../pipeline/irt/dimension.ts';
import { simulateIrt } from './helpers.ts';

const RUNS = 6;
const opts = { ...DEFAULT_DIMENSION, maxDim: 2 };

describe('cross-validated dimension', () => {
  it(`unidimensional 2PL (40 models × 200 prompts): dimension 1 in ≥ 90% of ${RUNS} runs`, () => {
    let ones = 0;
    for (let s = 0; s < RUNS; s++) {
      const sim = simulateIrt({ m: 40, n: 200, logASd: 0.3 }, 500 + s);
      const r = crossValidateDimension(sim.scores, 40, 200, true, opts, createRng(s));
      expect(r.rows.map((x) => x.model)).toEqual(['additive', '2pl', 'compensatory']);
      for (const row of r.rows) expect(row.se).toBeGreaterThan(0);
      if (r.dimension === 1) ones++;
    }
    expect(ones / RUNS).toBeGreaterThanOrEqual(0.9);
  });

  it(`two families, abilities correlated 0.5 (60 models × 300 prompts): dimension ≥ 2 in ≥ 80% of ${RUNS} runs`, () => {
    let multi = 0;
    for (let s = 0; s < RUNS; s++) {
      const sim = simulateIrt({ m: 60, n: 300, logASd: 0.3, familyCorrelation: 0.5 }, 700 + s);
      const r = crossValidateDimension(sim.scores, 60, 300, true, opts, createRng(s));
      if (r.dimension >= 2) multi++;
    }
    expect(multi / RUNS).toBeGreaterThanOrEqual(0.8);
  });

  it('above maxCells it samples models and prompts alike (at least 200 each); below, nothing changes', () => {
    const sim = simulateIrt({ m: 300, n: 400, logASd: 0.3 }, 9);
    const small = { ...opts, maxDim: 1, sweeps: 5, lambdas: [3] };
    const capped = crossValidateDimension(sim.scores, 300, 400, true, { ...small, maxCells: 60_000 }, createRng(1));
    expect(capped.models).toBe(212);
    expect(capped.prompts).toBe(283);
    expect(capped.models * capped.prompts).toBeLessThanOrEqual(60_000);
    const floor = crossValidateDimension(sim.scores, 300, 400, true, { ...small, maxCells: 1000 }, createRng(1));
    expect([floor.models, floor.prompts]).toEqual([200, 200]);
    const off = crossValidateDimension(sim.scores, 300, 400, true, { ...small, maxCells: 0 }, createRng(1));
    const above = crossValidateDimension(sim.scores, 300, 400, true, { ...small, maxCells: 120_000 }, createRng(1));
    expect([off.models, off.prompts]).toEqual([300, 400]);
    expect(JSON.stringify(above)).toBe(JSON.stringify(off));
  });
});
