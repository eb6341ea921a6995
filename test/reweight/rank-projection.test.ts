/**
 * Rank sets and swaps by projection (pipeline/reweight/rank-projection.ts), the path above
 * EXACT_RANK_MODELS ranked models: a hand-checked case, joint coverage with near-ties, swap false
 * alarms under weightings that change no gap, and a planted swap.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { rankConfidenceSets } from '../../pipeline/reweight/rank-sets.ts';
import { projectionRankSets, projectionSwaps } from '../../pipeline/reweight/rank-projection.ts';
import { COVERAGE_SPEC, clusterReplicates, nearTieTheta, nullSchemes, simulateScores } from './rank-sim.ts';

/**
 * Replicates θ̂_k + e_b v_k with v = (1, −2, 1), e_b on a symmetric grid of B standard normal quantiles
 * (by inverse-CDF bisection). v sums to 0, so centring on the models' mean leaves the deviations as
 * they are: SDs 1, 2, 1, every |z| equals |e|, and c ≈ 1.96.
 */
function scaledGrid(estimates: number[], B = 4000): Float64Array {
  const v = [1, -2, 1];
  const m = estimates.length;
  const reps = new Float64Array(B * m);
  const erf = (x: number) => {
    const t = 1 / (1 + 0.3275911 * Math.abs(x));
    const y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  };
  for (let b = 0; b < B; b++) {
    const p = (b + 0.5) / B;
    let lo = -10;
    let hi = 10;
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (0.5 * (1 + erf(mid / Math.SQRT2)) < p) lo = mid;
      else hi = mid;
    }
    for (let k = 0; k < m; k++) reps[b * m + k] = estimates[k] + ((lo + hi) / 2) * v[k];
  }
  return reps;
}

describe('rank sets by projection', () => {
  it('match the sets worked out by hand from centred intervals ± 1.96 se', () => {
    // Estimates 0, 5, 20 centred on their mean 8.33: A [−10.29, −6.37], B [−7.25, 0.59] (se 2),
    // C [9.71, 13.63]. C is above both; A and B overlap.
    const sets = projectionRankSets(Float64Array.from([0, 5, 20]), scaledGrid([0, 5, 20]), 0.05);
    expect(Array.from(sets.rank)).toEqual([3, 2, 1]);
    expect(sets.simultaneous).toEqual([[2, 3], [2, 3], [1, 1]]);
    expect(sets.marginal).toEqual(sets.simultaneous);
    expect(sets.tauBest).toEqual([2]);
    // B at 6.1 (centred on 8.7): A [−10.66, −6.74], B [−6.52, 1.32] no longer overlap.
    expect(projectionRankSets(Float64Array.from([0, 6.1, 20]), scaledGrid([0, 6.1, 20]), 0.05).simultaneous).toEqual([[3, 3], [2, 2], [1, 1]]);
  });

  it('with few clusters (df) the critical value is the t(df) one: wider sets', () => {
    // t(4) two-sided 95% ≈ 2.78; estimates 0, 6.1, 25 centred on 10.37: A [−13.14, −7.59] and
    // B [−9.82, 1.28] overlap again; C [11.86, 17.4] stays above both.
    const sets = projectionRankSets(Float64Array.from([0, 6.1, 25]), scaledGrid([0, 6.1, 25]), 0.05, 4);
    expect(sets.simultaneous).toEqual([[2, 3], [2, 3], [1, 1]]);
    expect(projectionRankSets(Float64Array.from([0, 6.1, 25]), scaledGrid([0, 6.1, 25]), 0.05).simultaneous).toEqual([[3, 3], [2, 2], [1, 1]]);
  });

  it('cover every true rank jointly in ≥ 95% of benchmarks with near-tied groups, and are never narrower than needed to cover', () => {
    const R = 100;
    const m = COVERAGE_SPEC.models;
    let joint = 0;
    let widthProjection = 0;
    let widthStepDown = 0;
    for (let r = 0; r < R; r++) {
      const rng = createRng(7000 + r);
      const { scores, cluster } = simulateScores(COVERAGE_SPEC, nearTieTheta(m), rng.fork('data'));
      const { estimates, replicates } = clusterReplicates(scores, cluster, m, 300, rng.fork('bootstrap'));
      const sets = projectionRankSets(estimates, replicates, 0.05);
      let all = true;
      for (let k = 0; k < m; k++) {
        const [lo, hi] = sets.simultaneous[k]!;
        if (!(lo <= k + 1 && k + 1 <= hi)) all = false;
        widthProjection += hi - lo + 1;
      }
      if (all) joint++;
      if (r < 10) for (const s of rankConfidenceSets(estimates, replicates, 0.05).simultaneous) widthStepDown += (s![1] - s![0] + 1) * 10;
    }
    expect(joint / R).toBeGreaterThanOrEqual(0.95 - 3 * Math.sqrt((0.95 * 0.05) / R));
    // The price of projection: wider than the pairwise step-down, but informative (well below m per model).
    expect(widthProjection).toBeGreaterThan(widthStepDown);
    // Centring keeps the price small here (measured 7.95 against 6.21 ranks per set; 13.4 without it).
    expect(widthProjection).toBeLessThan(1.5 * widthStepDown);
  });
});

describe('swaps by projection', () => {
  it('a planted swap is found, a shrinking gap is not a swap, and pAdjusted agrees with significance', () => {
    const rng = createRng(11);
    const uni = [0.7, 0.6, 0.4];
    const sch = [0.55, 0.65, 0.5];
    const B = 1000;
    const m = 3;
    const ru = new Float64Array(B * m);
    const rs = new Float64Array(B * m);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < m; k++) {
        const e = 0.01 * rng.normal();
        ru[b * m + k] = uni[k] + e;
        rs[b * m + k] = sch[k] + e + 0.01 * rng.normal();
      }
    }
    const res = projectionSwaps([Float64Array.from(uni), Float64Array.from(sch)], [ru, rs], 0.05);
    expect(res.family).toBe(3);
    expect(res.pointSwaps).toEqual([0, 1]);
    expect(res.significant).toEqual([0, 1]);
    expect(Array.from(res.beyondNoise[1])).toEqual([1, 1, 0]);
    expect(res.swaps).toHaveLength(1);
    expect(res.swaps[0].models).toEqual([0, 1]);
    expect(res.swaps[0].significant).toBe(true);
    expect(res.swaps[0].pAdjusted).toBeLessThanOrEqual(0.05);
    expect(res.swaps[0].pOrder).toBeLessThan(0.01);
  });

  it('false alarms: weights unrelated to model-specific skills report a swap in at most ~5% of benchmarks', () => {
    const R = 80;
    const m = COVERAGE_SPEC.models;
    let alarms = 0;
    let pointSwapRuns = 0;
    for (let r = 0; r < R; r++) {
      const rng = createRng(9000 + r);
      const sim = simulateScores(COVERAGE_SPEC, nearTieTheta(m), rng.fork('data'));
      const { estimates, replicates } = nullSchemes(sim, m, 200, rng.fork('schemes'));
      const res = projectionSwaps(estimates, replicates, 0.05);
      if (res.significant.some((x) => x > 0)) alarms++;
      if (res.pointSwaps.some((x) => x > 0)) pointSwapRuns++;
      for (const x of res.swaps) expect(x.significant).toBe(x.pAdjusted <= 0.05);
    }
    expect(pointSwapRuns).toBeGreaterThan(R / 2);
    expect(alarms / R).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / R));
  });
});
