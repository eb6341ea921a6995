/**
 * Public face of the reweight stage: model scores and rankings under alternative prompt
 * weightings, with bootstrap uncertainty, compared with the uniform ranking against noise.
 */
import type { ArtifactStore } from '../core/store.ts';

export type { ModelRow, NoiseFloor, SchemeResult, ReweightResult, SwapRow } from './types.ts';
export { computeReweighting, DEFAULT_REWEIGHT_OPTIONS, RANK_ALPHA } from './reweight.ts';
export { rankConfidenceSets, rankSwaps } from './rank-sets.ts';
export type { RankSets, RankInterval, Swap, SwapResult } from './rank-sets.ts';
export type { ReweightInputs, ReweightOptions, ReweightOutput } from './reweight.ts';
export { SCHEMES, SCHEME_NAMES } from './schemes/index.ts';
export { parseTargetMix } from './schemes/target-mix.ts';
import type { ReweightResult } from './types.ts';

export interface Reweighting extends ReweightResult {
  /** Weights of each computed scheme (same order as `schemes`), each of length n summing to 1. */
  weights: Record<string, Float64Array>;
}

/** The reweight result with its weight vectors. Throws when the stage was not run. */
export async function loadReweighting(store: ArtifactStore, bench: string): Promise<Reweighting> {
  const art = await store.requireStage<ReweightResult>(bench, 'reweight', 'loading the reweighting');
  const weights: Record<string, Float64Array> = {};
  const ref = art.binaries.weights;
  if (ref) {
    const all = (await store.readBinary(bench, ref)) as Float64Array;
    const n = ref.shape[1];
    art.result.schemes.forEach((s, j) => {
      weights[s.name] = all.slice(j * n, (j + 1) * n);
    });
  }
  return { ...art.result, weights };
}
