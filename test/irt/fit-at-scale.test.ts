/**
 * The fit above its cell cap (issue #15): EM on a prompt sample, then every prompt given the
 * abilities' posteriors. It must agree with the full EM (same data) and recover the truth as well.
 */
import { describe, expect, it } from 'vitest';
import { fitIrt } from '../../pipeline/irt/fit.ts';
import { fitIrtAtScale, fitWorkers } from '../../pipeline/irt/fit-at-scale.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { simulateIrt } from './helpers.ts';

function corr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: x.length }, (_, i) => i).filter((i) => Number.isFinite(x[i]) && Number.isFinite(y[i]));
  const mx = idx.reduce((s, i) => s + x[i], 0) / idx.length;
  const my = idx.reduce((s, i) => s + y[i], 0) / idx.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (const i of idx) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('fitIrtAtScale', () => {
  const m = 80;
  const n = 2000;
  const sim = simulateIrt({ m, n, logASd: 0.4, bSd: 1.2, extremes: 0.04, missing: 0.01 }, 4);

  it('below the cap it is fitIrt', async () => {
    const small = simulateIrt({ m: 30, n: 100, logASd: 0.3 }, 2);
    const a = await fitIrtAtScale(small.scores, 30, 100, {}, 3000, createRng(1));
    expect(a.sample).toBeNull();
    const b = fitIrt(small.scores, 30, 100, {});
    expect(Array.from(a.fit.a)).toEqual(Array.from(b.a));
    expect(Array.from(a.fit.b)).toEqual(Array.from(b.b));
  });

  it('above it, agrees with the full EM and recovers the truth as well', async () => {
    const full = fitIrt(sim.scores, m, n, {});
    const { fit, sample } = await fitIrtAtScale(sim.scores, m, n, {}, m * 400, createRng(1));
    expect(sample).toEqual({ prompts: 400, of: n, maxCells: m * 400 });
    const logA = (f: Float64Array) => Float64Array.from(f, Math.log);
    expect(corr(logA(fit.a), logA(full.a))).toBeGreaterThan(0.99);
    expect(corr(fit.b, full.b)).toBeGreaterThan(0.999);
    expect(corr(fit.theta, full.theta)).toBeGreaterThan(0.999);
    let dA = 0, count = 0;
    for (let i = 0; i < n; i++) if (fit.estimated[i] && full.estimated[i]) (dA += Math.log(fit.a[i] / full.a[i])), count++;
    expect(count).toBe(n);
    expect(Math.abs(dA / count)).toBeLessThan(0.02);
    expect(corr(logA(fit.a), logA(sim.a))).toBeGreaterThan(corr(logA(full.a), logA(sim.a)) - 0.01);
    expect(corr(fit.b, sim.b)).toBeGreaterThan(corr(full.b, sim.b) - 0.005);
    // Laplace at the abilities against the quadrature marginal likelihood.
    expect(Math.abs(fit.logLik - full.logLik) / Math.abs(full.logLik)).toBeLessThan(1e-3);
    for (let i = 0; i < n; i++) expect(fit.itemCov[3 * i]).toBeGreaterThan(0);
  });

  it('models scored on one block of prompts only (leaderboard style) do not bias the sampled fit', async () => {
    // A quarter of the models have results on the first 100 prompts only: about 20 of them land in the
    // sample. From the sample's posteriors alone the shift was −0.063 and corr(θ̂) 0.9989; with the
    // standardised rounds from all-prompt posteriors, −0.018 and 0.99998.
    const blocked = Float64Array.from(sim.scores);
    for (let k = 0; k < m / 4; k++) for (let i = 100; i < n; i++) blocked[k * n + i] = NaN;
    const full = fitIrt(blocked, m, n, {});
    const { fit } = await fitIrtAtScale(blocked, m, n, {}, m * 400, createRng(1));
    const logA = (f: Float64Array) => Float64Array.from(f, Math.log);
    expect(corr(logA(fit.a), logA(full.a))).toBeGreaterThan(0.99);
    expect(corr(fit.theta, full.theta)).toBeGreaterThan(0.9999);
    let dA = 0;
    for (let i = 0; i < 100; i++) dA += Math.log(fit.a[i] / full.a[i]);
    expect(Math.abs(dA / 100)).toBeLessThan(0.03);
  });
  it('split over worker threads (shared scores) it gives the same numbers as in one thread', async () => {
    const small = simulateIrt({ m: 40, n: 900, logASd: 0.4, missing: 0.01 }, 6);
    const one = await fitIrtAtScale(small.scores, 40, 900, {}, 40 * 400, createRng(1));
    const two = await fitIrtAtScale(small.scores, 40, 900, {}, 40 * 400, createRng(1), fitWorkers(small.scores, 2));
    expect(one.sample).not.toBeNull();
    for (const key of ['a', 'b', 'theta', 'thetaSd', 'itemCov'] as const) expect(Array.from(two.fit[key]), key).toEqual(Array.from(one.fit[key]));
    expect(two.fit.logLik).toBe(one.fit.logLik);
  });
});
