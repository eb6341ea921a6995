/**
 * Calibration of rank confidence sets and controlled swaps (slower than the suite allows):
 * - coverage: 30 models, 1,000 prompts in 50 clusters with within-cluster correlation and near-tied
 *   groups of 5 (test/reweight/rank-sim.ts), B = 1,000 cluster-bootstrap replicates, 200 runs:
 *   marginal coverage per model, joint simultaneous coverage, percentile-bootstrap rank intervals;
 * - false alarms: the same benchmarks with two weightings unrelated to model-specific skills
 *   (random cluster shares; cluster shares by shared difficulty), 300 runs: share of runs with any
 *   controlled swap (the event that sets verdict.rankingsMoveBeyondNoise).
 * Printed, never asserted; the figures are copied into docs/rank-inference.md.
 */
import { createRng } from '../pipeline/core/rng.ts';
import { rankSwaps } from '../pipeline/reweight/rank-sets.ts';
import { COVERAGE_SPEC, nearTieTheta, simulateScores, coverageRun, nullSchemes } from '../test/reweight/rank-sim.ts';
import type { BenchEnv } from './index.ts';

const binomialSe = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

export async function run(_env: BenchEnv): Promise<void> {
  const spec = COVERAGE_SPEC;
  const m = spec.models;
  const theta = nearTieTheta(m);
  const B = 1000;

  const R = 200;
  const marginal = new Array(m).fill(0);
  const percentile = new Array(m).fill(0);
  let joint = 0;
  let width = 0;
  let simWidth = 0;
  let t0 = performance.now();
  for (let r = 0; r < R; r++) {
    const run = coverageRun(20_000 + r, B);
    run.marginal.forEach((hit, k) => (marginal[k] += hit ? 1 : 0));
    run.percentile.forEach((hit, k) => (percentile[k] += hit ? 1 : 0));
    if (run.joint) joint++;
    width += run.marginalWidth;
    simWidth += run.simultaneousWidth;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ends = Array.from({ length: m }, (_, k) => k).filter((k) => k % 5 === 0 || k % 5 === 4);
  const middles = Array.from({ length: m }, (_, k) => k).filter((k) => !ends.includes(k));
  console.log(`coverage (${R} runs, B=${B}, ${((performance.now() - t0) / 1000).toFixed(1)} s): 30 models, 50 clusters × 20 prompts, near-tied groups of 5`);
  console.log(`  marginal sets: mean coverage ${(mean(marginal) / R).toFixed(3)}, lowest model ${(Math.min(...marginal) / R).toFixed(3)} (binomial SE ${binomialSe(0.95, R).toFixed(3)}); mean width ${(width / R / m).toFixed(2)} ranks`);
  console.log(`  simultaneous sets: joint coverage of all 30 ranks ${(joint / R).toFixed(3)}; mean width ${(simWidth / R / m).toFixed(2)} ranks`);
  console.log(
    `  percentile bootstrap of ranks: mean coverage ${(mean(percentile) / R).toFixed(3)}; models at the ends of a near-tied group ${(mean(ends.map((k) => percentile[k])) / R).toFixed(3)}, lowest ${(Math.min(...percentile) / R).toFixed(3)}; inside a group ${(mean(middles.map((k) => percentile[k])) / R).toFixed(3)}`,
  );

  const F = 300;
  let alarms = 0;
  let pointRuns = 0;
  let swapsTotal = 0;
  t0 = performance.now();
  for (let r = 0; r < F; r++) {
    const rng = createRng(40_000 + r);
    const sim = simulateScores(spec, theta, rng.fork('data'));
    const { estimates, replicates } = nullSchemes(sim, m, B, rng.fork('schemes'));
    const res = rankSwaps(estimates, replicates, 0.05);
    const sig = res.swaps.filter((x) => x.significant).length;
    if (sig) alarms++;
    swapsTotal += sig;
    if (res.pointSwaps.some((x) => x > 0)) pointRuns++;
  }
  console.log(
    `false alarms (${F} runs, B=${B}, ${((performance.now() - t0) / 1000).toFixed(1)} s): weights unrelated to model-specific skills → runs with a controlled swap ${alarms} (${((100 * alarms) / F).toFixed(1)}% ± ${(100 * binomialSe(0.05, F)).toFixed(1)}%), ${swapsTotal} swap(s) in all; runs whose point estimates reorder some pair: ${pointRuns}`,
  );
}
