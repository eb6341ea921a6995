/**
 * Rank confidence sets and controlled swaps (pipeline/reweight/rank-sets.ts): hand-checked small
 * cases, ties, missing cells, and a coverage simulation with planted near-ties.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { pairwiseDiffSe, rankConfidenceSets, rankSwaps, stepDownMaxT, familyOf } from '../../pipeline/reweight/rank-sets.ts';
import { COVERAGE_SPEC, nearTieTheta, simulateScores, coverageRun, nullSchemes } from './rank-sim.ts';

/** Φ⁻¹ by bisection on erf's series-free approximation (Abramowitz–Stegun 7.1.26 is enough for a grid). */
function qnorm(p: number): number {
  const cdf = (x: number) => {
    const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
    const y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(x * x) / 2);
    return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
  };
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Replicates θ̂ + e_b · (1, 2, 3) with e_b on a symmetric normal quantile grid: every pairwise
 * difference is a multiple of e_b, so each studentised deviation is ±e_b / sd(e) and the
 * max-|t| critical value over any two-sided family is the 95% quantile of |e| / sd(e) ≈ 1.96.
 * Differences: A−B = −e (se s), A−C = −2e (se 2s), B−C = −e (se s).
 */
function degenerate(estimates: number[], B = 2000): Float64Array {
  const reps = new Float64Array(B * 3);
  for (let b = 0; b < B; b++) {
    const e = qnorm((b + 0.5) / B);
    for (let k = 0; k < 3; k++) reps[b * 3 + k] = estimates[k] + e * (k + 1);
  }
  return reps;
}

describe('rank confidence sets: hand-checked 3-model case', () => {
  it('matches the sets computed by hand from the known covariance', () => {
    // se(A−B) = se(B−C) = 1, se(A−C) = 2. t(C over B) = 3 > 1.96: C above B. t(C over A) = 3/2 = 1.5
    // and t(A over B) = 0.5: not significant. Sets: A [1,3], B [2,3], C [1,2]; τ-best {A, C}.
    const est = Float64Array.from([0.5, 0, 3]);
    const reps = degenerate([0.5, 0, 3]);
    const se = pairwiseDiffSe(reps, 3);
    expect(se[0 * 3 + 1]).toBeCloseTo(1, 2);
    expect(se[0 * 3 + 2]).toBeCloseTo(2, 2);
    const sets = rankConfidenceSets(est, reps, 0.05);
    expect(Array.from(sets.rank)).toEqual([2, 3, 1]);
    expect(sets.marginal).toEqual([[1, 3], [2, 3], [1, 2]]);
    expect(sets.simultaneous).toEqual([[1, 3], [2, 3], [1, 2]]);
    expect(sets.tauBest).toEqual([2, 0]); // best estimate first
  });

  it('is two-sided: t = 1.8 lies between the one-sided (1.64) and two-sided (1.96) critical values and is not significant', () => {
    const est = Float64Array.from([0, 0, 3.6]); // C over A: t = 3.6 / 2 = 1.8; C over B: t = 3.6
    const sets = rankConfidenceSets(est, degenerate([0, 0, 3.6]), 0.05);
    expect(sets.marginal[2]).toEqual([1, 2]);
    expect(sets.marginal[0]).toEqual([1, 3]);
    const sets2 = rankConfidenceSets(Float64Array.from([0, 0, 4.2]), degenerate([0, 0, 4.2]), 0.05); // t = 2.1 > 1.96
    expect(sets2.marginal[2]).toEqual([1, 1]);
    expect(sets2.marginal[0]).toEqual([2, 3]);
  });

  it('step-down: the adjusted p-values equal the hand computation on the degenerate family', () => {
    const est = Float64Array.from([0.5, 0, 3]);
    const reps = degenerate([0.5, 0, 3], 1000);
    const se = pairwiseDiffSe(reps, 3);
    const f = familyOf([{ vector: 0, j: 2, k: 1 }, { vector: 0, j: 1, k: 2 }], [est], (h) => se[h.j * 3 + h.k]);
    const { p, pAdjusted } = stepDownMaxT(f, [reps], 3);
    // (C,B): t = 3; max of ±e over the two-sided family = |e| ≥ 3 happens for 2 × 1.35‰ of the grid.
    let both = 0;
    let one = 0;
    const sd = se[1 * 3 + 2];
    for (let b = 0; b < 1000; b++) {
      const e = qnorm((b + 0.5) / 1000) / sd;
      if (Math.abs(e) >= 3) both++;
      if (-e >= 3) one++; // z for (C,B) = (Δ_C − Δ_B) = (3e − 2e)/sd = e ... sign checked below
    }
    expect(pAdjusted[0]).toBeCloseTo((1 + both) / 1001, 6);
    expect(p[0]).toBeCloseTo((1 + one) / 1001, 6);
    expect(pAdjusted[1]).toBeGreaterThan(0.99);
  });
});

describe('rank confidence sets: ties and missing cells', () => {
  it('tied estimates share a rank and neither is declared better', () => {
    const rng = createRng(3);
    const B = 500;
    const m = 4;
    const est = Float64Array.from([0.6, 0.6, 0.3, 0.1]);
    const reps = new Float64Array(B * m);
    for (let b = 0; b < B; b++) for (let k = 0; k < m; k++) reps[b * m + k] = est[k] + 0.01 * rng.normal();
    const sets = rankConfidenceSets(est, reps, 0.05);
    expect(Array.from(sets.rank)).toEqual([1, 1, 3, 4]);
    expect(sets.marginal.slice(0, 2)).toEqual([[1, 2], [1, 2]]);
    expect(sets.simultaneous).toEqual([[1, 2], [1, 2], [3, 3], [4, 4]]);
    expect(sets.tauBest).toEqual([0, 1]);
  });

  it('one model, or none, is handled', () => {
    const one = rankConfidenceSets(Float64Array.from([0.4]), Float64Array.from([0.41, 0.39, 0.4]), 0.05);
    expect(one.marginal).toEqual([[1, 1]]);
    expect(one.simultaneous).toEqual([[1, 1]]);
    expect(one.tauBest).toEqual([0]);
    expect(rankConfidenceSets(new Float64Array(0), new Float64Array(0), 0.05).ranked).toBe(0);
  });

  it('identical models (zero-variance difference) are never separated', () => {
    const B = 200;
    const rng = createRng(4);
    const reps = new Float64Array(B * 3);
    for (let b = 0; b < B; b++) {
      const e = rng.normal() * 0.01;
      reps[b * 3] = 0.5 + e;
      reps[b * 3 + 1] = 0.5 + e;
      reps[b * 3 + 2] = 0.2 + rng.normal() * 0.01;
    }
    const sets = rankConfidenceSets(Float64Array.from([0.5, 0.5, 0.2]), reps, 0.05);
    expect(sets.simultaneous).toEqual([[1, 2], [1, 2], [3, 3]]);
  });

  it('a model with missing cells uses pairwise-complete replicates; a model with no score gets no set', () => {
    const rng = createRng(5);
    const B = 400;
    const m = 4;
    const est = Float64Array.from([0.8, 0.5, 0.2, NaN]);
    const reps = new Float64Array(B * m);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 3; k++) reps[b * m + k] = est[k] + 0.02 * rng.normal();
      // Model 1 lacks a score in a third of the replicates (its prompts were not drawn).
      if (b % 3 === 0) reps[b * m + 1] = NaN;
      reps[b * m + 3] = NaN;
    }
    const se = pairwiseDiffSe(reps, m);
    expect(se[0 * m + 1]).toBeGreaterThan(0.02);
    expect(Number.isNaN(se[0 * m + 3])).toBe(true);
    const sets = rankConfidenceSets(est, reps, 0.05);
    expect(sets.ranked).toBe(3);
    expect(sets.simultaneous.slice(0, 3)).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(sets.marginal[3]).toBeNull();
    expect(Number.isNaN(sets.rank[3])).toBe(true);
  });
});

describe('rank confidence sets: coverage with near-ties (30 models, 1,000 prompts in 50 correlated clusters)', () => {
  it('marginal sets cover each true rank, simultaneous sets cover all jointly; percentile bootstrap rank intervals under-cover near ties', () => {
    const R = 100;
    const m = COVERAGE_SPEC.models; // groups of 5 models 0.001 apart; true rank = index + 1
    const marginal = new Array(m).fill(0);
    const percentile = new Array(m).fill(0);
    let joint = 0;
    for (let r = 0; r < R; r++) {
      const run = coverageRun(7000 + r, 300);
      run.marginal.forEach((hit, k) => (marginal[k] += hit ? 1 : 0));
      run.percentile.forEach((hit, k) => (percentile[k] += hit ? 1 : 0));
      if (run.joint) joint++;
    }
    const slack = 3 * Math.sqrt((0.95 * 0.05) / R);
    for (let k = 0; k < m; k++) expect(marginal[k] / R, `model ${k}`).toBeGreaterThanOrEqual(0.95 - slack);
    expect(marginal.reduce((a, b) => a + b, 0) / (R * m)).toBeGreaterThanOrEqual(0.95);
    expect(joint / R).toBeGreaterThanOrEqual(0.95 - slack);
    // Models at either end of a near-tied group: the percentile interval is centred on the
    // estimated rank, so when the group's order comes out reversed it misses the true rank.
    const ends = Array.from({ length: m }, (_, k) => k).filter((k) => k % 5 === 0 || k % 5 === 4);
    const endCoverage = ends.reduce((a, k) => a + percentile[k], 0) / (R * ends.length);
    expect(endCoverage).toBeLessThan(0.95 - 3 * Math.sqrt((0.95 * 0.05) / (R * ends.length)));
  });
});

describe('controlled swaps', () => {
  const paired = (uni: number[], sch: number[], seed: number, B = 1000, sdShared = 0.01, sdOwn = 0.01) => {
    const rng = createRng(seed);
    const m = uni.length;
    const ru = new Float64Array(B * m);
    const rs = new Float64Array(B * m);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < m; k++) {
        const e = sdShared * rng.normal(); // the same resampled prompts move both weightings alike
        ru[b * m + k] = uni[k] + e;
        rs[b * m + k] = sch[k] + e + sdOwn * rng.normal();
      }
    }
    return rankSwaps([Float64Array.from(uni), Float64Array.from(sch)], [ru, rs], 0.05);
  };

  it('a planted swap is found; a gap that shrinks without changing order is not a swap', () => {
    // Uniform: 0 > 1 > 2 clearly. Scheme: 1 > 0 clearly (swap); the 1–2 gap shrinks but keeps its order.
    const res = paired([0.7, 0.6, 0.4], [0.55, 0.65, 0.5], 11);
    expect(res.family).toBe(3);
    expect(res.pointSwaps).toEqual([0, 1]);
    expect(res.swaps).toHaveLength(1);
    expect(res.swaps[0].models).toEqual([0, 1]);
    expect(res.swaps[0].significant).toBe(true);
    expect(res.swaps[0].pAdjusted).toBeLessThanOrEqual(0.05);
    expect(res.swaps[0].pAdjusted).toBeGreaterThanOrEqual(res.swaps[0].p);
    expect(res.swaps[0].pOrder).toBeLessThan(0.01);
  });

  it('a near-tie that flips by chance (the gap barely moves) is not significant', () => {
    const res = paired([0.601, 0.6], [0.5995, 0.6], 12);
    expect(res.swaps).toHaveLength(1);
    expect(res.swaps[0].significant).toBe(false);
    expect(res.swaps[0].p).toBeGreaterThan(0.2);
  });

  it('pOrder flags a significant swap whose uniform order is itself within noise', () => {
    // The gap moves by 0.2 (far beyond noise) but uniform barely separates the pair: the swap is
    // significant on the difference-in-differences, and pOrder says one of the orders is not clear.
    const res = paired([0.601, 0.6], [0.5, 0.7], 13);
    expect(res.swaps[0].significant).toBe(true);
    expect(res.swaps[0].pOrder).toBeGreaterThan(0.2);
  });

  it('false alarms: weights unrelated to model-specific skills report a swap in at most ~5% of benchmarks', () => {
    // Additive truth with model × cluster interactions; the schemes re-weight clusters at random or
    // by their shared difficulty, never by model-specific skill: no population gap changes.
    const R = 80;
    const B = 200;
    const spec = COVERAGE_SPEC;
    const m = spec.models;
    const theta = nearTieTheta(m);
    let alarms = 0;
    let pointSwapRuns = 0;
    for (let r = 0; r < R; r++) {
      const rng = createRng(9000 + r);
      const sim = simulateScores(spec, theta, rng.fork('data'));
      const { estimates, replicates } = nullSchemes(sim, m, B, rng.fork('schemes'));
      const res = rankSwaps(estimates, replicates, 0.05);
      if (res.swaps.some((x) => x.significant)) alarms++;
      if (res.pointSwaps.some((x) => x > 0)) pointSwapRuns++;
    }
    expect(pointSwapRuns).toBeGreaterThan(R / 2); // point estimates do swap: the test has something to reject
    expect(alarms / R).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / R));
  });
});
