/**
 * Group-balanced weights: every group gets the same total weight, shared equally by its prompts.
 * Prompts a clustering left unassigned (-1, e.g. zero-variance prompts in performance clusters)
 * keep their uniform weight 1/n: the clustering says nothing about them, and giving them a
 * group's share would let a handful of all-right or all-wrong prompts shift every score.
 */
import type { Clustering } from '../../cluster/index.ts';
import { normalizeWeights } from '../scores.ts';
import type { Scheme, SchemeOutcome } from './types.ts';

export function groupBalancedWeights(assignments: Int32Array, shares?: Float64Array): Float64Array {
  const n = assignments.length;
  let maxG = -1;
  for (let i = 0; i < n; i++) if (assignments[i] > maxG) maxG = assignments[i];
  const G = maxG + 1;
  const size = new Float64Array(G);
  let unassigned = 0;
  for (let i = 0; i < n; i++) {
    if (assignments[i] >= 0) size[assignments[i]]++;
    else unassigned++;
  }
  let groups = 0;
  for (let g = 0; g < G; g++) if (size[g] > 0) groups++;
  const assignedMass = (n - unassigned) / n;
  const raw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = assignments[i];
    if (g < 0) raw[i] = 1 / n;
    else raw[i] = (assignedMass * (shares ? shares[g] : 1 / groups)) / size[g];
  }
  return normalizeWeights(raw, 'group-balanced weights');
}

function balanced(c: Clustering | null, what: string, missing: string): SchemeOutcome {
  if (!c) return { skip: missing };
  let unassigned = 0;
  for (const a of c.assignments) if (a < 0) unassigned++;
  const groups = c.sizes.filter((s) => s > 0).length;
  return {
    weights: groupBalancedWeights(c.assignments),
    note: unassigned
      ? `each of ${groups} ${what} gets an equal share of the weight of the ${c.assignments.length - unassigned} prompts in them; the ${unassigned} unassigned prompts keep their uniform weight`
      : `each of ${groups} ${what} gets 1/${groups} of the weight`,
  };
}

export const clusterBalanced: Scheme = {
  name: 'cluster-balanced',
  describe: 'each semantic cluster gets equal total weight',
  weights: (x) => balanced(x.semantic, 'semantic clusters', x.missing?.semantic ? `no semantic clusters: ${x.missing.semantic}` : 'no semantic clusters (the benchmark has no prompt text, or the embed stage was not run)'),
};

export const categoryBalanced: Scheme = {
  name: 'category-balanced',
  describe: 'each given category gets equal total weight',
  weights: (x) => balanced(x.category, 'categories', 'no categories in the item metadata'),
};

export const performanceClusterBalanced: Scheme = {
  name: 'performance-cluster-balanced',
  describe: 'each performance cluster (prompts models get right and wrong together) gets equal total weight',
  weights: (x) => balanced(x.performance, 'performance clusters', 'no performance clusters (too few prompts with variance across models)'),
};
