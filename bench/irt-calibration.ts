/**
 * Null C calibration at real shapes (issue 11): rejection rate at α = 0.05 over many matrices
 * simulated from a unidimensional model, per setting. Slow: run with
 *   IRT_CALIBRATION_SIMS=200 nice npm run bench -- irt-calibration
 * (default 20 matrices per setting; B = 99; IRT_CALIBRATION_ONLY=<substring>[,<substring>…] runs the matching settings;
 * IRT_CALIBRATION_Q3=<k> runs Q3, whose refits dominate the time, on the first k matrices only;
 * IRT_CALIBRATION_SHARD=<i>/<k> runs matrices s ≡ i mod k, so k processes share a setting). Each matrix's
 * outcome is printed on stderr as it ends, so a run that is stopped early still says what it measured.
 * Results go in docs/irt.md.
 */
import type { BenchEnv } from './index.ts';
import { fitIrt } from '../pipeline/irt/fit.ts';
import { scaledNullC } from '../pipeline/irt/null.ts';
import { q3Test } from '../pipeline/irt/q3.ts';
import { DEFAULT_IRT } from '../pipeline/irt/analyze.ts';
import { Q3_P_THRESHOLD, Q3_Z_THRESHOLD } from '../pipeline/irt/index.ts';
import { simulateIrt, type SimSpec } from '../test/irt/helpers.ts';
import { createRng } from '../pipeline/core/rng.ts';

const SETTINGS: { name: string; spec: Omit<SimSpec, 'm' | 'n'>; guessing: number | null }[] = [
  { name: 'Rasch', spec: { bSd: 1.2, extremes: 0.05, missing: 0.01 }, guessing: null },
  { name: '2PL σ(log a) = 0.3', spec: { logASd: 0.3, bSd: 1.2, extremes: 0.05, missing: 0.01 }, guessing: null },
  { name: '2PL σ(log a) = 0.6', spec: { logASd: 0.6, bSd: 1.2, extremes: 0.05, missing: 0.01 }, guessing: null },
  { name: '3PL c = 0.25 (fitted with guessing 0.25)', spec: { logASd: 0.3, bSd: 1.2, guessing: 0.25, extremes: 0.05, missing: 0.01 }, guessing: 0.25 },
  // Power: the rejection rate here should be high (issue 11 asks ≥ 80%).
  { name: 'power: two families, abilities correlated 0.5, σ(log a) = 0.3', spec: { logASd: 0.3, bSd: 1.2, extremes: 0.05, missing: 0.01, familyCorrelation: 0.5 }, guessing: null },
];

export async function run(_env: BenchEnv): Promise<void> {
  const sims = Number(process.env.IRT_CALIBRATION_SIMS ?? 20);
  const B = 99;
  const [shard, shards] = (process.env.IRT_CALIBRATION_SHARD ?? '0/1').split('/').map(Number);
  if (!(Number.isInteger(shard) && Number.isInteger(shards) && shards >= 1 && shard >= 0 && shard < shards)) throw new Error(`IRT_CALIBRATION_SHARD: expected <i>/<k> with 0 ≤ i < k, got ${process.env.IRT_CALIBRATION_SHARD}`);
  for (const st of SETTINGS.filter((x) => !process.env.IRT_CALIBRATION_ONLY || process.env.IRT_CALIBRATION_ONLY.split(',').some((only) => x.name.includes(only)))) {
    const hits = { mean: 0, meanSquared: 0, ks: 0, q3: 0, q3Strict: 0, c025: 0, either: 0 };
    const zs: number[] = [];
    const q3z: number[] = [];
    const t0 = performance.now();
    let done = 0;
    // The stage prints no verdict on a fit that did not converge: the summary says how many there
    // were (the rates below include them; the per-matrix lines on stderr tell them apart).
    let unconverged = 0;
    let cycles = 0;
    for (let s = shard; s < sims; s += shards) {
      const tMatrix = performance.now();
      // Shapes like the real ones: 30–120 models, 500–2,000 prompts.
      const shape = createRng(9000 + s);
      const m = 30 + shape.int(91);
      const n = 500 + shape.int(1501);
      const sim = simulateIrt({ ...st.spec, m, n }, 10_000 + s);
      const opts = { tol: 1e-3, guessing: st.guessing === null ? null : new Float64Array(n).fill(st.guessing) };
      const fit = fitIrt(sim.scores, m, n, opts);
      if (!fit.convergence.converged) unconverged++;
      cycles = Math.max(cycles, fit.convergence.iterations);
      const { result: r, fit: gen } = await scaledNullC(sim.scores, m, n, fit, true, { metric: 'pearson', pairSample: 200_000, minCommonModels: 5, B }, s);
      if (!r) {
        process.stderr.write(`${st.name} matrix ${s} (${m} × ${n}): Null C gave no result (too few usable prompt pairs)\n`);
        continue;
      }
      // The families verdict's two tests, each at 0.025 (Bonferroni), and their union.
      // IRT_CALIBRATION_Q3=<k>: Q3 only on the first k matrices of a setting (its refits dominate the time).
      const runQ3 = s < Number(process.env.IRT_CALIBRATION_Q3 ?? Infinity);
      const q3 = runQ3 ? q3Test(sim.scores, m, n, fit, gen, true, r.columns, r.pairs, r.exactPairs, DEFAULT_IRT.q3Replicates, 77 + s).summary : null;
      const q3p = q3 ? (q3.nullC.meanSquaredNormalP ?? 1) : 1;
      if (q3p < 0.025) hits.q3++;
      if (q3p < Q3_P_THRESHOLD) hits.q3Strict++;
      if (r.test.meanSquared.p < 0.025) hits.c025++;
      if (q3p < Q3_P_THRESHOLD || r.test.meanSquared.p < 0.025) hits.either++;
      if (q3) q3z.push(q3.nullC.meanSquared.z);
      zs.push(r.test.meanSquared.z);
      if (r.test.p < 0.05) hits.mean++;
      if (r.test.meanSquared.p < 0.05) hits.meanSquared++;
      if (r.test.ks.p < 0.05) hits.ks++;
      done++;
      process.stderr.write(`${st.name} matrix ${s} (${m} × ${n}): Null C mean-squared z ${r.test.meanSquared.z.toFixed(3)} p ${r.test.meanSquared.p.toFixed(4)}, mean p ${r.test.p.toFixed(4)}, KS p ${r.test.ks.p.toFixed(4)}${q3 ? `, Q3 z ${q3.nullC.meanSquared.z.toFixed(3)} p ${q3p.toExponential(2)}` : ''}; fit ${fit.convergence.converged ? 'converged' : 'NOT converged'} in ${fit.convergence.iterations} cycles (${((performance.now() - tMatrix) / 1000).toFixed(0)} s)\n`);
    }
    const f = (h: number, of = done) => (of > 0 ? `${h}/${of} = ${((100 * h) / of).toFixed(1)}%` : `${h}/0`);
    const zMean = zs.reduce((x, y) => x + y, 0) / zs.length;
    const q3zMean = q3z.reduce((x, y) => x + y, 0) / q3z.length;
    const q3zSd = Math.sqrt(q3z.reduce((x, y) => x + (y - q3zMean) ** 2, 0) / Math.max(1, q3z.length - 1));
    const zSd = Math.sqrt(zs.reduce((x, y) => x + (y - zMean) ** 2, 0) / Math.max(1, zs.length - 1));
    console.log(`${st.name}: ${done} matrices${shards > 1 ? ` (shard ${shard}/${shards} of ${sims})` : ''}, B = ${B}: fits not converged ${unconverged} (most EM cycles ${cycles}); rejection at 0.05 — mean ${f(hits.mean)} (matched, so ~0), mean squared ${f(hits.meanSquared)}, KS ${f(hits.ks)}; mean squared z ${zMean.toFixed(2)} ± ${zSd.toFixed(2)}; verdict tests: Null C at 0.025 ${f(hits.c025)}, Q3 at 0.025 ${f(hits.q3, q3z.length)} and at z > ${Q3_Z_THRESHOLD} ${f(hits.q3Strict, q3z.length)} (Q3 z ${q3zMean.toFixed(2)} ± ${q3zSd.toFixed(2)}), either as the verdict uses them (= "families" without CV; Q3 on the first ${q3z.length}) ${f(hits.either)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}
