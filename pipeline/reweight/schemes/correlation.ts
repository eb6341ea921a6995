/**
 * Correlation-adjusted weights: a prompt whose performance vector is strongly correlated with many
 * others carries a signal that is already counted, so it is down-weighted. Its redundancy
 * ("degree") is (n−1) × the mean over a seeded sample of partner prompts of the positive excess
 * squared Pearson correlation r² − 1/(m−1) (the chance level with m models), taken only where r > 0.
 * A prompt with g exact performance-copies and nothing else correlated gets degree ≈ g − 1 and
 * weight ≈ 1/g of a lone prompt's. Zero-variance prompts (all right or all wrong) have no defined
 * correlation and say nothing about rankings: they keep their uniform weight 1/n, and the
 * adjustment redistributes only the weight of the prompts that vary. Cost O(n · sample · m).
 */
import { normalizeWeights } from '../scores.ts';
import type { Scheme } from './types.ts';
import type { Rng } from '../../core/rng.ts';
import { preparePromptSimilarity, promptSimilarity } from '../../correlate/index.ts';

/**
 * Redundancy per prompt (0 for zero-variance prompts, flagged by a non-NaN `constant`). Pearson
 * correlations are the correlate stage's: pairwise-complete over the models that have both scores
 * (never filling missing cells), so models without a result do not shrink them.
 */
export function correlationDegrees(scores: Float64Array, m: number, n: number, sample: number, rng: Rng): { degree: Float64Array; zeroVariance: number; constant: Float64Array } {
  const pc = preparePromptSimilarity(scores, m, n, 'pearson', Math.min(5, m));
  const varying: number[] = [];
  const constant = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (pc.eligible[i]) {
      constant[i] = NaN;
      varying.push(i);
    }
  }
  const nv = varying.length;
  const degree = new Float64Array(n);
  const chance = m > 1 ? 1 / (m - 1) : 0;
  const P = Math.min(sample, Math.max(0, nv - 1));
  if (P > 0) {
    // One seeded partner set for everyone (a prompt that is itself in it skips itself).
    const partners = rng.sample(nv, Math.min(nv, P + 1));
    for (const i of varying) {
      let acc = 0;
      let used = 0;
      for (let t = 0; t < partners.length && used < P; t++) {
        const j = varying[partners[t]];
        if (j === i) continue;
        used++;
        const r = promptSimilarity(pc, i, j);
        if (r > 0) {
          const e = r * r - chance;
          if (e > 0) acc += e;
        }
      }
      degree[i] = used ? ((nv - 1) * acc) / used : 0;
    }
  }
  return { degree, zeroVariance: n - nv, constant };
}

export const correlationAdjusted: Scheme = {
  name: 'correlation-adjusted',
  describe: 'down-weights prompts whose performance is strongly correlated with many others (each independent signal counts about once)',
  weights(x) {
    if (x.m < 3) return { skip: `needs at least 3 models to estimate correlations between prompts (has ${x.m})` };
    const { degree, zeroVariance, constant } = correlationDegrees(x.scores, x.m, x.n, x.correlationSample, x.rng);
    const raw = new Float64Array(x.n);
    let varyingSum = 0;
    for (let i = 0; i < x.n; i++) {
      if (constant[i] !== constant[i]) {
        raw[i] = 1 / (1 + degree[i]);
        varyingSum += raw[i];
      }
    }
    // varying prompts share the weight (n − zeroVariance)/n; zero-variance prompts keep 1/n each
    const scale = varyingSum > 0 ? (x.n - zeroVariance) / x.n / varyingSum : 0;
    for (let i = 0; i < x.n; i++) raw[i] = constant[i] !== constant[i] ? raw[i] * scale : 1 / x.n;
    const P = Math.min(x.correlationSample, Math.max(0, x.n - zeroVariance - 1));
    return {
      weights: normalizeWeights(raw, 'correlation-adjusted weights'),
      note: `weight ∝ 1/(1 + redundancy), redundancy from squared performance correlations above chance (1/(m−1)) with ${P} sampled partner prompts; the ${zeroVariance} zero-variance prompts keep their uniform weight`,
    };
  },
};
