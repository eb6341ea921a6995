/**
 * The paper's cluster-representative evaluation: one medoid prompt per semantic cluster, equal
 * weights. With few clusters that is an evaluation on a handful of prompts whose "ranking" is
 * mostly ties, so the scheme needs at least MIN_REPRESENTATIVES clusters.
 */
import type { Scheme } from './types.ts';

export const MIN_REPRESENTATIVES = 10;

export const representative: Scheme = {
  name: 'representative',
  describe: 'one representative prompt (medoid) per semantic cluster, equally weighted',
  weights(x) {
    const c = x.semantic;
    if (!c) return { skip: x.missing?.semantic ? `no semantic clusters: ${x.missing.semantic}` : 'no semantic clusters (the benchmark has no prompt text, or the embed stage was not run)' };
    const medoids = c.medoids ?? [];
    const chosen = [...new Set(medoids.filter((i) => i >= 0 && i < x.n))];
    if (chosen.length === 0) return { skip: 'the semantic clustering has no medoids' };
    if (chosen.length < MIN_REPRESENTATIVES) {
      return { skip: `only ${chosen.length} semantic clusters: an evaluation on ${chosen.length} representative prompts would be mostly ties (needs ≥ ${MIN_REPRESENTATIVES}; run covary cluster with --k ${MIN_REPRESENTATIVES} or more)` };
    }
    const w = new Float64Array(x.n);
    for (const i of chosen) w[i] = 1 / chosen.length;
    return { weights: w, note: `${chosen.length} medoid prompts (one per semantic cluster) get 1/${chosen.length} each; all other prompts 0 — scores move in steps of 1/${chosen.length}, so many models tie` };
  },
};
