/**
 * irt speed and memory (printed, never asserted). Targets (issue 11), shared MMLU-Pro
 * (29 × 12,032) on 2 cores: fit ≤ 20 s, Null C with 199 replicates ≤ 60 s, CV dimensionality
 * ≤ 60 s, memory ≤ 2 GiB.
 */
import { availableParallelism } from 'node:os';
import type { BenchEnv } from './index.ts';
import { createRng } from '../pipeline/core/rng.ts';
import { fitIrt } from '../pipeline/irt/fit.ts';
import { inThreadNullC, scaledNullC, workerNullC } from '../pipeline/irt/null.ts';
import { crossValidateDimension, DEFAULT_DIMENSION } from '../pipeline/irt/dimension.ts';
import { DEFAULT_IRT } from '../pipeline/irt/analyze.ts';
import { DEFAULT_PRIOR } from '../pipeline/irt/fit.ts';
import { loadSharedMatrix } from '../test/correlate/shared-data.ts';

const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
const rss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB peak RSS`;

export async function run(env: BenchEnv): Promise<void> {
  if (!env.sharedData) {
    console.log('MMLU-Pro: skipped (no shared data)');
    return;
  }
  const d = loadSharedMatrix('mmlu-pro');
  const { scores, m, n } = d;
  const workers = Math.min(2, availableParallelism());
  console.log(`MMLU-Pro: ${m} models × ${n} prompts, workers=${workers}`);
  let t0 = performance.now();
  const opts = { prior: DEFAULT_PRIOR, tol: 1e-4 };
  const fit = fitIrt(scores, m, n, opts);
  console.log(`  fit (target ≤ 20 s): ${secs(t0)} s, ${fit.convergence.iterations} EM cycles, converged ${fit.convergence.converged}, max gradient ${fit.convergence.maxGradient.toExponential(2)}, logLik ${fit.logLik.toFixed(1)}; ${rss()}`);
  t0 = performance.now();
  const { scale, result: nc } = await scaledNullC(scores, m, n, fit, true, { metric: 'pearson', pairSample: DEFAULT_IRT.pairSample, minCommonModels: 5, B: 199 }, 1, workers > 1 ? workerNullC(workers) : inThreadNullC);
  const t = nc!.test;
  console.log(`  Null C, B = 199, with the discrimination scale matched (${scale.evaluations} × 10 replicates, log s = ${scale.logScale.toFixed(3)}) (target ≤ 60 s): ${secs(t0)} s; mean z ${t.z.toFixed(1)} p ${t.p.toFixed(4)}, mean squared z ${t.meanSquared.z.toFixed(1)} p ${t.meanSquared.p.toFixed(4)}, KS D ${t.ks.D.toFixed(4)} p ${t.ks.p.toFixed(4)}; ${rss()}`);
  t0 = performance.now();
  const cv = crossValidateDimension(scores, m, n, true, DEFAULT_DIMENSION, createRng(1));
  console.log(`  CV dimension (target ≤ 60 s): ${secs(t0)} s; dimension ${cv.dimension}; ${cv.rows.map((r) => `${r.model} k=${r.k} ${r.loss.toFixed(4)}±${r.se.toFixed(4)}`).join(', ')}; ${rss()}`);
}
