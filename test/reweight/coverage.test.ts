/**
 * Coverage of the cluster-robust intervals the reweight stage reports (issue #17), sized for the
 * suite: 250 simulated benchmarks per cluster count (Monte Carlo sd ≈ 1.4 points at 95%); the larger
 * run is bench/inference.ts, with results in docs/inference.md. The true clusters are the inference
 * partition; the truth is known exactly (see clustered-sim.ts).
 */
import { describe, expect, it } from 'vitest';
import { coverage } from './clustered-sim.ts';

const RUNS = 250;
const B = 199;

describe('cluster-robust intervals cover at nominal 95%', () => {
  it('5 true clusters (wild bootstrap-t, Webb weights); CR1 ± 1.96 SE and the pairs cluster bootstrap under-cover', () => {
    const c = coverage(5, 600, RUNS, B, 1, { comparators: true });
    expect(c.reportedScore / RUNS).toBeGreaterThanOrEqual(0.93);
    expect(c.reportedDelta / RUNS).toBeGreaterThanOrEqual(0.93);
    expect(c.reportedPair / RUNS).toBeGreaterThanOrEqual(0.93);
    expect(c.cr1Normal / RUNS).toBeLessThanOrEqual(0.89);
    expect(c.pairsPercentile / RUNS).toBeLessThanOrEqual(0.89);
  });

  it('20 true clusters (wild bootstrap-t, Rademacher weights)', () => {
    const c = coverage(20, 600, RUNS, B, 2, { comparators: false });
    expect(c.reportedScore / RUNS).toBeGreaterThanOrEqual(0.93);
    expect(c.reportedDelta / RUNS).toBeGreaterThanOrEqual(0.93);
    expect(c.reportedPair / RUNS).toBeGreaterThanOrEqual(0.93);
  });

  it('100 true clusters (wild bootstrap-t, Rademacher weights)', () => {
    const c = coverage(100, 600, RUNS, B, 3, { comparators: false });
    expect(c.reportedScore / RUNS).toBeGreaterThanOrEqual(0.93);
    expect(c.reportedDelta / RUNS).toBeGreaterThanOrEqual(0.93);
    expect(c.reportedPair / RUNS).toBeGreaterThanOrEqual(0.93);
  });
});
