/**
 * Null C calibration at real shapes (issue 11): rejection rate at α = 0.05 over many matrices
 * simulated from a unidimensional model, per setting. Slow: run with
 *   IRT_CALIBRATION_SIMS=200 nice npm run bench -- irt-calibration
 * (default 20 matrices per setting; B = 99). Results go in docs/irt.md.
 */
import type { BenchEnv } from './index.ts';
import { fitIrt } from '../pipeline/irt/fit.ts';
import { discriminationBias, nullC } from '../pipeline/irt/null.ts';
import { simulateIrt, type SimSpec } from '../test/irt/helpers.ts';
import { createRng } from '../pipeline/core/rng.ts';

const SETTINGS: { name: string; spec: Omit<SimSpec, 'm' | 'n'>; guessing: number | null }[] = [
  { name: 'Rasch', spec: { bSd: 1.2, extremes: 0.05, missing: 0.01 }, guessing: null },
  { name: '2PL σ(log a) = 0.3', spec: { logASd: 0.3, bSd: 1.2, extremes: 0.05, missing: 0.01 }, guessing: null },
  { name: '2PL σ(log a) = 0.6', spec: { logASd: 0.6, bSd: 1.2, extremes: 0.05, missing: 0.01 }, guessing: null },
  { name: '3PL c = 0.25 (fitted with guessing 0.25)', spec: { logASd: 0.3, bSd: 1.2, guessing: 0.25, extremes: 0.05, missing: 0.01 }, guessing: 0.25 },
];

export async function run(_env: BenchEnv): Promise<void> {
  const sims = Number(process.env.IRT_CALIBRATION_SIMS ?? 20);
  const B = 99;
  for (const st of SETTINGS) {
    const hits = { mean: 0, meanSquared: 0, ks: 0 };
    const t0 = performance.now();
    for (let s = 0; s < sims; s++) {
      // Shapes like the real ones: 30–120 models, 500–2,000 prompts.
      const shape = createRng(9000 + s);
      const m = 30 + shape.int(91);
      const n = 500 + shape.int(1501);
      const sim = simulateIrt({ ...st.spec, m, n }, 10_000 + s);
      const opts = { tol: 1e-3, guessing: st.guessing === null ? null : new Float64Array(n).fill(st.guessing) };
      const fit = fitIrt(sim.scores, m, n, opts);
      const d = discriminationBias(fit, sim.scores, (x) => fitIrt(x, m, n, opts), s);
      const r = await nullC(sim.scores, m, n, { ...fit, a: fit.a.map((a) => a * Math.exp(-d)) }, true, { metric: 'pearson', pairSample: 200_000, minCommonModels: 5, B }, s);
      if (!r) continue;
      if (r.test.p < 0.05) hits.mean++;
      if (r.test.meanSquared.p < 0.05) hits.meanSquared++;
      if (r.test.ks.p < 0.05) hits.ks++;
    }
    const f = (h: number) => `${((100 * h) / sims).toFixed(1)}%`;
    console.log(`${st.name}: ${sims} matrices, B = ${B}: rejection at 0.05 — mean ${f(hits.mean)}, mean squared ${f(hits.meanSquared)}, KS ${f(hits.ks)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}
