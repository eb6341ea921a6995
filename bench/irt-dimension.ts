/**
 * Power and specificity of the cross-validated dimension (issue #11): how often CV picks dimension
 * 1 on unidimensional data (target ≥ 90%) and ≥ 2 on two families with abilities correlated 0.5
 * (target ≥ 80%), at shapes like the real ones. Slow-ish:
 *   IRT_DIMENSION_SIMS=40 nice npm run bench -- irt-dimension
 * (default 10 matrices per setting; IRT_DIMENSION_ONLY=<substring>[,…] runs the matching settings).
 * Shapes: 30–120 models × 500–1,000 prompts drawn per matrix, 5% floor/ceiling prompts, 1% missing.
 * Results go in docs/irt.md.
 */
import type { BenchEnv } from './index.ts';
import { crossValidateDimension, DEFAULT_DIMENSION } from '../pipeline/irt/dimension.ts';
import { simulateIrt, type SimSpec } from '../test/irt/helpers.ts';
import { createRng } from '../pipeline/core/rng.ts';

const SETTINGS: { name: string; spec: Omit<SimSpec, 'm' | 'n'>; wantAtLeast2: boolean }[] = [
  { name: 'unidimensional 2PL σ(log a) = 0.3', spec: { logASd: 0.3, bSd: 1.2, extremes: 0.05, missing: 0.01 }, wantAtLeast2: false },
  { name: 'unidimensional 2PL σ(log a) = 0.6', spec: { logASd: 0.6, bSd: 1.2, extremes: 0.05, missing: 0.01 }, wantAtLeast2: false },
  { name: 'two families, abilities correlated 0.5, σ(log a) = 0.3', spec: { logASd: 0.3, bSd: 1.2, extremes: 0.05, missing: 0.01, familyCorrelation: 0.5 }, wantAtLeast2: true },
];

export async function run(_env: BenchEnv): Promise<void> {
  const sims = Number(process.env.IRT_DIMENSION_SIMS ?? 10);
  const only = process.env.IRT_DIMENSION_ONLY?.split(',');
  for (const st of SETTINGS.filter((x) => !only || only.some((o) => x.name.includes(o)))) {
    const picked = new Map<number, number>();
    let hits = 0;
    const t0 = performance.now();
    for (let s = 0; s < sims; s++) {
      const shape = createRng(7000 + s);
      const m = 30 + shape.int(91);
      const n = 500 + shape.int(501);
      const sim = simulateIrt({ ...st.spec, m, n }, 20_000 + s);
      const d = crossValidateDimension(sim.scores, m, n, true, { ...DEFAULT_DIMENSION }, createRng(31 + s)).dimension;
      picked.set(d, (picked.get(d) ?? 0) + 1);
      if (st.wantAtLeast2 ? d >= 2 : d === 1) hits++;
    }
    const dist = [...picked.entries()].sort((a, b) => a[0] - b[0]).map(([d, c]) => `${d}: ${c}`).join(', ');
    console.log(`${st.name}: ${sims} matrices — dimension ${st.wantAtLeast2 ? '≥ 2' : '1'} in ${hits}/${sims} = ${((100 * hits) / sims).toFixed(1)}% (picked ${dist}) (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}
