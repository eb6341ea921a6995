/**
 * The 2PL fitter against an external oracle (LSAT, R ltm's published MML estimates), against the
 * Gauss–Hermite closed forms, and on simulated data with known parameters.
 */
import { describe, expect, it, vi } from 'vitest';

// Each test is well under a minute on an idle machine; the limit leaves room for a loaded one.
vi.setConfig({ testTimeout: 600_000 });
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitIrt, gaussHermite, itemObjective } from '../../pipeline/irt/fit.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { correlation, simulateIrt } from './helpers.ts';

const LSAT = fileURLToPath(new URL('../../../shared/data/irt/lsat_correct_matrix.csv', import.meta.url));

describe('Gauss–Hermite rule for N(0, 1)', () => {
  it('integrates moments exactly (E x² = 1, E x⁴ = 3, E x⁶ = 15)', () => {
    const { nodes, weights } = gaussHermite(11);
    const mom = (p: number) => nodes.reduce((s, x, q) => s + weights[q] * x ** p, 0);
    expect(mom(0)).toBeCloseTo(1, 12);
    expect(mom(1)).toBeCloseTo(0, 12);
    expect(mom(2)).toBeCloseTo(1, 10);
    expect(mom(4)).toBeCloseTo(3, 10);
    expect(mom(6)).toBeCloseTo(15, 9);
  });
});

describe.skipIf(!existsSync(LSAT))('LSAT section 6 against R ltm (2PL, 21 Gauss–Hermite points, no priors)', () => {
  // ltm(LSAT ~ z1, IRT.param = TRUE): ../shared/data/irt/README.md
  const ltmB = [-3.3597, -1.3696, -0.2799, -1.8659, -3.1236];
  const ltmA = [0.8254, 0.7229, 0.8905, 0.6886, 0.6575];
  it('reproduces every a and b within 0.01 and the log-likelihood within 0.01', () => {
    const lines = readFileSync(LSAT, 'utf8').trim().split('\n').slice(1);
    const m = lines.length, n = 5;
    const s = new Float64Array(m * n);
    lines.forEach((l, k) => l.split(',').slice(1).forEach((v, i) => (s[k * n + i] = Number(v))));
    const f = fitIrt(s, m, n, { prior: null, quadrature: 'fixed', quadPoints: 21, tol: 1e-6, maxIter: 2000 });
    expect(f.convergence.converged).toBe(true);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(f.b[i] - ltmB[i])).toBeLessThan(0.01);
      expect(Math.abs(f.a[i] - ltmA[i])).toBeLessThan(0.01);
    }
    expect(Math.abs(f.logLik - -2466.653)).toBeLessThan(0.01);
    expect(f.convergence.maxGradient).toBeLessThan(1e-3);
  });
});

describe('recovery on simulated 2PL data', () => {
  it('200 models × 500 prompts: corr(b̂, b) ≥ 0.95, corr(â, a) ≥ 0.8, abilities recovered', () => {
    const sim = simulateIrt({ m: 200, n: 500, logASd: 0.5, bSd: 1.2 }, 7);
    const f = fitIrt(sim.scores, 200, 500, { tol: 1e-3 });
    expect(f.convergence.converged).toBe(true);
    expect(correlation(f.b, sim.b)).toBeGreaterThanOrEqual(0.95);
    expect(correlation(f.a, sim.a)).toBeGreaterThanOrEqual(0.8);
    expect(correlation(f.theta, sim.theta)).toBeGreaterThanOrEqual(0.95);
  });

  it('a prompt every model gets right is not estimated without priors, and finite with them', () => {
    const sim = simulateIrt({ m: 30, n: 40 }, 3);
    for (let k = 0; k < 30; k++) sim.scores[k * 40] = 1;
    const none = fitIrt(sim.scores, 30, 40, { prior: null, tol: 1e-3 });
    expect(none.estimated[0]).toBe(0);
    expect(none.b[0]).toBeNaN();
    const withPrior = fitIrt(sim.scores, 30, 40, { tol: 1e-3 });
    expect(withPrior.estimated[0]).toBe(1);
    expect(Number.isFinite(withPrior.b[0]) && withPrior.b[0] < -1).toBe(true);
  });

  it('reports non-convergence instead of hiding it', () => {
    const sim = simulateIrt({ m: 50, n: 60, logASd: 0.5 }, 5);
    const f = fitIrt(sim.scores, 50, 60, { maxIter: 2, tol: 1e-9 });
    expect(f.convergence.converged).toBe(false);
    expect(f.convergence.iterations).toBe(2);
    expect(f.convergence.maxChange).toBeGreaterThan(1e-9);
  });
});

describe('with a lower asymptote (3PL, guessing fixed)', () => {
  it('the item step uses the observed information: minus the Hessian of the objective, by finite differences', () => {
    const rng = createRng(4);
    const len = 60;
    const ts = Float64Array.from({ length: len }, () => rng.normal());
    const ws = Float64Array.from({ length: len }, () => 0.2 + rng.next());
    // A hard multiple-choice prompt: right at about the guessing rate, where the expected information is far too small.
    const xs = Float64Array.from({ length: len }, () => (rng.next() < 0.22 ? 1 : 0));
    const prior = { logAMean: 0, logASd: 0.5, estimateLogA: false, bMean: 0, bSd: 3 };
    const f = (la: number, b: number) => itemObjective(xs, ts, ws, len, la, b, 0.25, prior, null);
    const out = new Float64Array(5);
    let checked = 0;
    for (const [la, b] of [[0.1, 2.5], [-0.2, 4], [0.3, 1]]) {
      itemObjective(xs, ts, ws, len, la, b, 0.25, prior, out);
      const h = 1e-4;
      expect(out[0]).toBeCloseTo((f(la + h, b) - f(la - h, b)) / (2 * h), 5);
      expect(out[1]).toBeCloseTo((f(la, b + h) - f(la, b - h)) / (2 * h), 5);
      const hAA = -(f(la + h, b) - 2 * f(la, b) + f(la - h, b)) / h ** 2;
      const hBB = -(f(la, b + h) - 2 * f(la, b) + f(la, b - h)) / h ** 2;
      const hAB = -(f(la + h, b + h) - f(la + h, b - h) - f(la - h, b + h) + f(la - h, b - h)) / (4 * h * h);
      if (hAA > 0 && hAA * hBB - hAB * hAB > 0) {
        expect(out[2]).toBeCloseTo(hAA, 3);
        expect(out[3]).toBeCloseTo(hAB, 3);
        expect(out[4]).toBeCloseTo(hBB, 3);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('converges on a matrix with hard multiple-choice prompts (52 × 1,249, c = 0.25), and recovers the truth', () => {
    // The bench's 3PL calibration matrix 60: with Fisher steps the EM cycled between two points on a
    // few prompts answered below the guessing rate and stopped at 500 cycles, unconverged.
    const m = 52, n = 1249;
    const sim = simulateIrt({ m, n, logASd: 0.3, bSd: 1.2, guessing: 0.25, extremes: 0.05, missing: 0.01 }, 10_060);
    const fit = fitIrt(sim.scores, m, n, { tol: 1e-3, guessing: new Float64Array(n).fill(0.25) });
    expect(fit.convergence.converged).toBe(true);
    expect(fit.convergence.iterations).toBeLessThan(100);
    const inner = [...Array(n).keys()].filter((i) => Math.abs(sim.b[i]) < 3);
    expect(correlation(inner.map((i) => fit.b[i]), inner.map((i) => sim.b[i]))).toBeGreaterThanOrEqual(0.9);
    expect(correlation(fit.theta, sim.theta)).toBeGreaterThanOrEqual(0.95);
  });
});
