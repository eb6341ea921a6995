/**
 * Coverage of cluster-robust intervals (issue #17), printed, never asserted: simulated benchmarks of
 * 600 prompts in G true clusters of unequal size with random cluster effects (test/reweight/clustered-sim.ts),
 * 3 models, B = 399. For each G: the share of runs whose interval covers the truth, for the intervals
 * the reweight stage reports (cluster CI of a model's score, cluster CI of a scheme's paired difference
 * against uniform, and a model-pair difference by the same method) and for comparators on a model's
 * score: CR1 ± 1.96·SE, CR1 ± t(G−1)·SE, and the percentile pairs cluster bootstrap.
 * `npm run bench -- inference`; COVERAGE_RUNS sets the runs per G (default 1000), COVERAGE_G the cluster counts. Results: docs/inference.md.
 */
import { coverage } from '../test/reweight/clustered-sim.ts';
import type { BenchEnv } from './index.ts';

/** t(G−1) 0.975 quantiles (standard tables). */
const T975: Record<number, number> = { 5: 2.776, 10: 2.262, 20: 2.093, 50: 2.01, 100: 1.984 };

export async function run(_env: BenchEnv): Promise<void> {
  const runs = Number(process.env.COVERAGE_RUNS ?? 1000);
  console.log(`coverage at nominal 95%, ${runs} runs per row (Monte Carlo sd ≈ ${(100 * Math.sqrt((0.95 * 0.05) / runs)).toFixed(1)} points)`);
  console.log('| clusters | reported method | score | scheme − uniform | model − model | CR1 ± 1.96 SE | CR1 ± t(G−1) SE | pairs cluster bootstrap (percentile) | seconds |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const G of (process.env.COVERAGE_G ?? '5,10,20,50,100').split(',').map(Number)) {
    const t = performance.now();
    const c = coverage(G, 600, runs, 399, 17, { tCrit: T975[G] });
    const f = (x: number) => `${((100 * x) / c.runs).toFixed(1)}%`;
    const method = G < 12 ? 'wild-t, Webb' : 'wild-t, Rademacher';
    console.log(`| ${G} | ${method} | ${f(c.reportedScore)} | ${f(c.reportedDelta)} | ${f(c.reportedPair)} | ${f(c.cr1Normal)} | ${f(c.cr1T)} | ${f(c.pairsPercentile)} | ${((performance.now() - t) / 1000).toFixed(0)} |`);
  }
}
