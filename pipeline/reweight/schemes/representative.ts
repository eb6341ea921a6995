/** The paper's cluster-representative evaluation: one medoid prompt per semantic cluster, equal weights. */
import type { Scheme } from './types.ts';

export const representative: Scheme = {
  name: 'representative',
  describe: 'one representative prompt (medoid) per semantic cluster, equally weighted',
  weights(x) {
    const c = x.semantic;
    if (!c) return { skip: 'no semantic clusters (the benchmark has no prompt text, or the embed stage was not run)' };
    const medoids = c.medoids ?? [];
    const chosen = [...new Set(medoids.filter((i) => i >= 0 && i < x.n))];
    if (chosen.length === 0) return { skip: 'the semantic clustering has no medoids' };
    const w = new Float64Array(x.n);
    for (const i of chosen) w[i] = 1 / chosen.length;
    return { weights: w, note: `${chosen.length} medoid prompts (one per semantic cluster) get 1/${chosen.length} each; all other prompts 0 — scores move in steps of 1/${chosen.length}, so many models tie` };
  },
};
