/**
 * Null C: calibration on matrices simulated under a unidimensional model (Rasch, 2PL, 3PL with
 * known guessing), and sanity of its output. The full calibration (≥ 200 matrices per setting at
 * real shapes) is bench/irt-calibration.ts; its results are in docs/irt.md.
 */
import { describe, expect, it, vi } from 'vitest';

// Each test is well under a minute on an idle machine; the limit leaves room for a loaded one.
vi.setConfig({ testTimeout: 600_000 });
import { fitIrt } from '../../pipeline/irt/fit.ts';
import { scaledNullC, ParametricNull, generativeModel } from '../../pipeline/irt/null.ts';
import { binomialBand } from '../correlate/helpers.ts';
import { simulateIrt, type SimSpec } from './helpers.ts';

const SIMS = 30;
const B = 49;

async function rejection(spec: SimSpec, guessing: number | null, seed0: number): Promise<{ meanSquared: number; ks: number; zMean: number; meanZ: number }> {
  const hits = { meanSquared: 0, ks: 0 };
  let zSum = 0, meanZSum = 0;
  for (let s = 0; s < SIMS; s++) {
    const sim = simulateIrt(spec, seed0 + s);
    const opts = { tol: 1e-3, guessing: guessing === null ? null : new Float64Array(spec.n).fill(guessing) };
    const fit = fitIrt(sim.scores, spec.m, spec.n, opts);
    const { result: r } = await scaledNullC(sim.scores, spec.m, spec.n, fit, true, { metric: 'pearson', pairSample: 1_000_000, minCommonModels: 5, B }, s);
    if (!r) continue;
    if (r.test.meanSquared.p < 0.05) hits.meanSquared++;
    zSum += r.test.meanSquared.z;
    meanZSum += r.test.z;
    if (r.test.ks.p < 0.05) hits.ks++;
  }
  return { meanSquared: hits.meanSquared / SIMS, ks: hits.ks / SIMS, zMean: zSum / SIMS, meanZ: meanZSum / SIMS };
}

describe('Null C calibration (suite size: 30 matrices of 30 models × 50 prompts per setting, B = 49)', () => {
  // p takes values k/50, so a calibrated test rejects P(p ≤ 0.04) = 4% of the time; the band is ±3 binomial sd.
  const [, hi] = binomialBand(0.04, SIMS);
  it('Rasch matrices (1% missing, some floor/ceiling prompts)', async () => {
    const r = await rejection({ m: 30, n: 50, bSd: 1.2, extremes: 0.05, missing: 0.01 }, null, 100);
    expect(r.meanSquared).toBeLessThanOrEqual(hi);
    expect(r.ks).toBeLessThanOrEqual(hi);
    // Neither anti-conservative nor far too conservative: the mean squared z averages near 0 (a null
    // generated at the biased discriminations gave averages of −3 to −4), and the matched mean's z too.
    expect(Math.abs(r.zMean)).toBeLessThan(0.75);
    expect(Math.abs(r.meanZ)).toBeLessThan(0.5);
  });
  it('2PL matrices, σ(log a) = 0.6', async () => {
    const r = await rejection({ m: 30, n: 50, logASd: 0.6, bSd: 1.2, missing: 0.01 }, null, 300);
    expect(r.meanSquared).toBeLessThanOrEqual(hi);
    expect(r.ks).toBeLessThanOrEqual(hi);
    // Neither anti-conservative nor far too conservative: the mean squared z averages near 0 (a null
    // generated at the biased discriminations gave averages of −3 to −4), and the matched mean's z too.
    expect(Math.abs(r.zMean)).toBeLessThan(0.75);
    expect(Math.abs(r.meanZ)).toBeLessThan(0.5);
  });
});

describe('Null C replicates', () => {
  it('keep missing cells missing, respect the lower asymptote, and depend only on (seed, replicate)', () => {
    const m = 40, n = 30;
    const sim = simulateIrt({ m, n, guessing: 0.25, missing: 0.1 }, 9);
    const guessing = new Float64Array(n).fill(0.25);
    const fit = fitIrt(sim.scores, m, n, { tol: 1e-3, guessing });
    const cols = Int32Array.from({ length: n }, (_, i) => i);
    const s = new ParametricNull(generativeModel(fit, sim.scores, true), sim.scores, cols, 3);
    const x = new Float64Array(n * m);
    const y = new Float64Array(n * m);
    s.draw(4, x);
    s.draw(4, y);
    expect(Array.from(x)).toEqual(Array.from(y));
    let right = 0, cells = 0;
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < m; k++) {
        const obs = sim.scores[k * n + j];
        expect(Number.isNaN(x[j * m + k])).toBe(Number.isNaN(obs));
        if (obs === obs) {
          cells++;
          right += x[j * m + k];
        }
      }
    }
    // With c = 0.25 the share right cannot fall far below 0.25 + 0.75 × (share of the logistic part).
    expect(right / cells).toBeGreaterThan(0.4);
  });
});
