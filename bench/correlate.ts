/**
 * Correlate speed and memory (printed, never asserted). Targets: shared MMLU-Pro (29 × 12,032)
 * full correlate with B = 999 (Null A) and B = 199 (Null B) in ≤ 60 s on 2 cores, peak memory
 * ≤ 2 GiB; and a synthetic 500 models × 20,000 prompts case.
 */
import { availableParallelism } from 'node:os';
import { phaseReporter } from './_phases.ts';
import type { BenchEnv } from './index.ts';
import { correlate, DEFAULT_OPTIONS, type CorrelateOptions } from '../pipeline/correlate/analyze.ts';
import { executorsFor } from '../pipeline/correlate/stage.ts';
import { loadSharedMatrix } from '../test/correlate/shared-data.ts';
import { plantedFamilies } from '../test/correlate/helpers.ts';


async function measure(label: string, scores: Float64Array, m: number, n: number, o: CorrelateOptions, workers: number): Promise<void> {
  console.log(`${label}: ${m} models × ${n} prompts, B_A=${o.permutations}, B_B=${o.permutationsB}, pair sample ${o.pairSample}, workers=${workers}`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await correlate({ scores, m, n }, o, 1, phaseReporter(), executorsFor(workers, m, n, o));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const r = out.result;
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  console.log(`  total ${wall.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (all threads), peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`  used ${r.prompts.used}/${n} prompts; mean r ${f(r.observed.mean, 4)} (${r.estimators.mean}); Null A z ${f(r.nullA.z, 1)} p ${f(r.nullA.p, 4)}; Null B z ${f(r.nullB.z, 1)} p ${f(r.nullB.p, 4)}; Null B mean r² z ${f(r.nullB.meanSquared.z, 1)}; KS D A ${f(r.nullA.ks.D)} B ${f(r.nullB.ks.D)}`);
  if (r.nullB.mixing) console.log(`  curveball: ${r.nullB.mixing.tradesPerReplicate} trades/replicate (95% of plateau after ${r.nullB.mixing.tradesTo95}); lag-1 autocorrelation of mean r² ${f(r.nullB.mixing.autocorrelation.meanSquared, 2)}`);
}

export async function run(env: BenchEnv): Promise<void> {
  const workers = Math.min(2, availableParallelism());
  if (!env.sharedData) console.log('MMLU-Pro: skipped (no shared data)');
  else {
    const d = loadSharedMatrix('mmlu-pro');
    await measure('MMLU-Pro (target ≤ 60 s, ≤ 2 GiB)', d.scores, d.m, d.n, { ...DEFAULT_OPTIONS }, workers);
  }
  const m = 500, n = 20_000;
  const { scores } = plantedFamilies(m, n, 20, 7, 0.7);
  await measure('Synthetic (planted families)', scores, m, n, { ...DEFAULT_OPTIONS }, workers);
}
