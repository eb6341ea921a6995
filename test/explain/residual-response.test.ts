/**
 * explain's main response with the irt stage's residuals (issue #11 item 5): residual similarity
 * (Q3) is what is explained, raw performance similarity stays as the secondary regression.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { explain, type ExplainInputs } from '../../pipeline/explain/explain.ts';
import { resolveOptions } from '../../pipeline/explain/options.ts';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { exactKnn, familyEmbeddings } from './helpers.ts';
import { simulateIrt } from '../irt/helpers.ts';

const fast = resolveOptions({ permutations: 99, maxPairs: 3000, nullBSamples: 0 });
const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One ability axis, no families, but prompts that read alike also discriminate alike (embeddings
 * grouped by discrimination quartile): raw similarity then rises with semantic similarity through
 * discrimination alone, while the residuals after the (true) one-axis model carry nothing.
 */
function discriminationLooksSemantic(seed: number, m = 60, n = 160): { inputs: ExplainInputs; residuals: Float64Array } {
  const sim = simulateIrt({ m, n, logASd: 1.0 }, seed);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => sim.a[x] - sim.a[y]);
  const fam = new Int32Array(n);
  order.forEach((i, r) => (fam[i] = Math.floor((4 * r) / n)));
  const d = 12;
  const vectors = familyEmbeddings(fam, d, 0.7, createRng(seed).fork('emb'));
  const residuals = new Float64Array(m * n);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) residuals[k * n + i] = sim.scores[k * n + i] - logistic(sim.a[i] * (sim.theta[k] - sim.b[i]));
  const dataset: Dataset = {
    name: 'sim',
    models: Array.from({ length: m }, (_, k) => `m${k}`),
    items: Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: `prompt ${i}`, metadata: {}, tags: [] })),
    scores: sim.scores,
    answers: null,
  };
  const inputs: ExplainInputs = { dataset, embeddings: { vectors, d }, knn: exactKnn(vectors, n, d, 5), semanticClusters: { kind: 'semantic', k: 4, assignments: fam, sizes: [], silhouette: null, labels: [] } as never, userTags: null, nullB: null };
  return { inputs, residuals };
}

describe('explain with irt residuals', () => {
  it('the main response is Q3: discrimination that looks semantic explains raw similarity, not the residuals', async () => {
    for (const seed of [1, 2, 3]) {
      const { inputs, residuals } = discriminationLooksSemantic(seed);
      const { result: r } = await explain({ ...inputs, residuals }, fast, createRng(1));
      expect(r.response).toBe('residual-similarity');
      expect(r.performance).not.toBeNull();
      const raw = r.performance!.partialR2.semantic!;
      const q3 = r.partialR2!.semantic!;
      // Measured (seeds 1–3): raw 0.011–0.029, Q3 ≤ 0.0012.
      expect(raw).toBeGreaterThan(0.008);
      expect(q3).toBeLessThan(0.005);
      expect(q3).toBeLessThan(raw / 4);
      expect(r.effects.semanticDeciles.every((d) => typeof d.meanResidual === 'number')).toBe(true);
      expect(r.notes.join(' ')).toMatch(/main response: residual similarity \(Q3\)/);
    }
  });

  it('raw similarity is the secondary regression, unchanged; with residuals equal to the scores Q3 is raw Pearson similarity', async () => {
    const { inputs } = discriminationLooksSemantic(4);
    const { result: plain } = await explain(inputs, fast, createRng(1));
    expect(plain.response).toBe('performance-similarity');
    expect(plain.performance).toBeNull();
    // P̂ = 0: the residual columns are the score columns, so both responses are the same numbers.
    const { result: same } = await explain({ ...inputs, residuals: Float64Array.from(inputs.dataset.scores) }, fast, createRng(1));
    expect(same.response).toBe('residual-similarity');
    expect(same.r2!).toBeCloseTo(plain.r2!, 12);
    expect(same.performance!.r2).toBeCloseTo(plain.r2!, 12);
    same.coefficients.forEach((c, j) => expect(c.estimate).toBeCloseTo(plain.coefficients[j].estimate, 12));
    // With real residuals the main response changes, and the secondary one stays the raw regression.
    const { residuals } = discriminationLooksSemantic(4);
    const { result: q } = await explain({ ...inputs, residuals }, fast, createRng(1));
    expect(q.performance!.r2).toBeCloseTo(plain.r2!, 12);
    expect(Math.abs(q.r2! - plain.r2!)).toBeGreaterThan(1e-3);
  });

  it('residuals that do not match the dataset are ignored, with a note', async () => {
    const { inputs } = discriminationLooksSemantic(5);
    const { result: r } = await explain({ ...inputs, residuals: new Float64Array(10) }, fast, createRng(1));
    expect(r.response).toBe('performance-similarity');
    expect(r.notes.join(' ')).toMatch(/irt residuals hold 10 cells.*ignored/);
  });
});
