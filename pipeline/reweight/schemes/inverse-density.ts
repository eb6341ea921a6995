/**
 * Inverse-density weights from the kNN graph of prompt embeddings. A prompt's density is a soft
 * count of its close neighbours: each neighbour j contributes (s_ij − s0)/(1 − s0), clipped at 0,
 * where s0 is the median neighbour similarity over the whole graph. So an exact duplicate counts
 * 1, a neighbour at typical similarity 0; weight ∝ 1 / (1 + density). A prompt with g near-copies
 * and nothing else close ends up with about 1/(1+g) of a lone prompt's weight.
 */
import { normalizeWeights } from '../scores.ts';
import type { Scheme } from './types.ts';
import type { KnnGraph } from '../../index/index.ts';

export function densityFromKnn(g: KnnGraph): { density: Float64Array; s0: number } {
  const vals: number[] = [];
  for (let t = 0; t < g.neighbors.length; t++) {
    const s = g.similarities[t];
    if (g.neighbors[t] >= 0 && s === s) vals.push(s);
  }
  vals.sort((a, b) => a - b);
  const s0 = vals.length ? vals[Math.floor((vals.length - 1) / 2)] : 0;
  const density = new Float64Array(g.n);
  const span = 1 - s0;
  for (let i = 0; i < g.n; i++) {
    let d = 0;
    for (let t = i * g.k; t < (i + 1) * g.k; t++) {
      const s = g.similarities[t];
      if (g.neighbors[t] < 0 || s !== s) continue;
      d += span > 1e-12 ? Math.max(0, Math.min(1, (s - s0) / span)) : 1;
    }
    density[i] = d;
  }
  return { density, s0 };
}

export const inverseDensity: Scheme = {
  name: 'inverse-density',
  describe: 'down-weights prompts with many close semantic neighbours (kNN graph of embeddings)',
  weights(x) {
    const g = x.knn;
    if (!g) return { skip: x.missing?.knn ? `no kNN graph: ${x.missing.knn}` : 'no kNN graph (the benchmark has no prompt text, or the index stage was not run)' };
    if (g.n !== x.n) return { skip: `the kNN graph has ${g.n} prompts but the dataset has ${x.n} (re-run covary index)` };
    const { density, s0 } = densityFromKnn(g);
    // A prompt without neighbours has no embedding (no text): it keeps its uniform weight 1/n, and the
    // prompts with text share the rest by inverse density.
    const placed = new Uint8Array(x.n);
    let nPlaced = 0;
    for (let i = 0; i < x.n; i++) {
      for (let t = i * g.k; t < (i + 1) * g.k; t++) if (g.neighbors[t] >= 0) placed[i] = 1;
      nPlaced += placed[i];
    }
    const raw = new Float64Array(x.n);
    let crowded = 0;
    let sumPlaced = 0;
    for (let i = 0; i < x.n; i++) {
      if (!placed[i]) continue;
      raw[i] = 1 / (1 + density[i]);
      sumPlaced += raw[i];
      if (density[i] >= 1) crowded++;
    }
    const unplaced = x.n - nPlaced;
    if (unplaced && nPlaced) for (let i = 0; i < x.n; i++) raw[i] = placed[i] ? (raw[i] / sumPlaced) * (nPlaced / x.n) : 1 / x.n;
    else if (unplaced) raw.fill(1);
    const rest = unplaced ? `; the ${unplaced} prompts without text (no neighbours) keep their uniform weight` : '';
    return {
      weights: normalizeWeights(raw, 'inverse-density weights'),
      note: `weight ∝ 1/(1 + soft count of the ${g.k} nearest neighbours above the median similarity ${s0.toFixed(3)}); ${crowded} prompts have the equivalent of ≥ 1 near-copy${rest}`,
    };
  },
};
