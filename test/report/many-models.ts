/**
 * A benchmark with thousands of models and a hand-made reweight result for it (issue #15 item 4):
 * the report's tables and figures at scale, without running the stages (their rank inference is
 * quadratic in the number of models).
 */
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import type { ModelRow, ReweightResult, SchemeResult, SwapRow } from '../../pipeline/reweight/index.ts';
import { saveDataset } from './run-helpers.ts';

/** Names a CSV or a table must survive: commas, quotes, a line break, markdown and markup. */
export const TRICKY = ['Acme, Inc. "Turbo", v2', 'say "hi"', 'two\nlines, "both"', 'pipe | and <b>bold</b>'];

/** Model k's name: plain, except a few tricky ones at fixed positions (top, middle, bottom by strength). */
export function modelName(k: number, m: number): string {
  const at = [1, Math.floor(m / 2), m - 2, Math.floor(m / 3)];
  const t = at.indexOf(k);
  return t >= 0 ? `${TRICKY[t]} #${k}` : `org-${k % 97}/model-${String(k).padStart(5, '0')}`;
}

/** m models × n prompts of graded scores (so no two models tie); model k is stronger the larger k (the best are last). */
export function manyModelsDataset(m: number, n = 30, name = 'many'): Dataset {
  const rng = createRng(11);
  const scores = new Float64Array(m * n);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) scores[k * n + i] = Math.min(1, Math.max(0, 0.1 + (0.8 * k) / m + 0.3 * (rng.next() - 0.5)));
  return {
    name,
    models: Array.from({ length: m }, (_, k) => modelName(k, m)),
    items: Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: null, metadata: {}, tags: [] })),
    scores,
    answers: null,
  };
}

const SCHEMES = ['uniform', 'cluster-balanced', 'inverse-density'];

/** Competition ranks (1 = best) of scores. */
function ranksOf(scores: number[]): number[] {
  return scores.map((s) => 1 + scores.filter((x) => x > s).length);
}

/**
 * A reweight result shaped like the stage's: uniform scores = the plain means, each other scheme
 * the same plus a little noise, rank sets that widen in the middle of the field, and under each
 * other scheme one controlled swap of two mid-field models plus one within noise.
 */
export function manyModelsReweighting(d: Dataset): ReweightResult {
  const m = d.models.length;
  const n = d.items.length;
  const rng = createRng(5);
  const means = d.models.map((_, k) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += d.scores[k * n + i];
    return s / n;
  });
  const scoresBy = SCHEMES.map((_, j) => (j === 0 ? means : means.map((x) => Math.min(1, Math.max(0, x + 0.02 * rng.normal())))));
  const uniformRanks = ranksOf(means);
  const byRank = (ranks: number[]) => ranks.map((r, k) => ({ r, k })).sort((a, b) => a.r - b.r || a.k - b.k).map((x) => x.k);
  const schemes: SchemeResult[] = SCHEMES.map((name, j) => {
    const scores = scoresBy[j];
    const ranks = ranksOf(scores);
    const order = byRank(ranks);
    const half = (r: number) => Math.round(3 + (40 * Math.min(r, m - r)) / m);
    const models: ModelRow[] = d.models.map((model, k) => {
      const r = ranks[k];
      const set = (w: number): [number, number] => [Math.max(1, r - w), Math.min(m, r + w)];
      return {
        model,
        score: scores[k],
        ciLow: scores[k] - 0.15,
        ciHigh: scores[k] + 0.15,
        clusterCiLow: null,
        clusterCiHigh: null,
        bootstrapSe: 0.07,
        clusterBootstrapSe: null,
        clusteredSe: null,
        rank: r,
        rankSet: { marginal: set(half(r)), simultaneous: set(3 * half(r) + 10) },
        rankLow: set(half(r))[0],
        rankHigh: set(half(r))[1],
        clusterRankLow: null,
        clusterRankHigh: null,
        pRank1: r === 1 ? 0.4 : 0,
        uniformScore: means[k],
        uniformRank: uniformRanks[k],
        deltaScore: scores[k] - means[k],
        relDeltaScore: means[k] ? (scores[k] - means[k]) / means[k] : null,
        deltaScoreCiLow: -0.05,
        deltaScoreCiHigh: 0.05,
        clusterDeltaCiLow: null,
        clusterDeltaCiHigh: null,
        deltaRank: r - uniformRanks[k],
        rankNoise: 2 * half(r),
        rankChangeBeyondNoise: false,
        scoreChangeBeyondNoise: false,
        missingWeight: 0,
        kish: n,
      };
    });
    const swaps: SwapRow[] = [];
    if (j > 0) {
      // Two mid-field pairs of the scheme's order: the first a controlled swap, the second within noise.
      for (const [at, significant] of [[(Math.floor(m * 0.4) + 10 * j) % (m - 1), true], [(Math.floor(m * 0.7) + 10 * j) % (m - 1), false]] as const) {
        const [a, b] = [order[at], order[at + 1]];
        swaps.push({ models: [d.models[b], d.models[a]], uniformRanks: [uniformRanks[b], uniformRanks[a]], ranks: [ranks[b], ranks[a]], uniformGap: 0.01, gap: -0.01, p: significant ? 0.0001 : 0.3, pAdjusted: significant ? 0.01 : 0.9, significant, pOrder: 0.02 });
        if (significant) for (const k of [a, b]) models[k].rankChangeBeyondNoise = true;
      }
    }
    const shifts = models.map((x) => Math.abs(x.deltaRank));
    return {
      name,
      describe: `${name} weighting`,
      note: '',
      sameAsUniform: j === 0,
      kish: n,
      maxWeightRatio: 1,
      kendallTau: j === 0 ? 1 : 0.9,
      noiseFloorTau: 0.85,
      tauNoiseShare: 0.5,
      maxAbsRankShift: Math.max(...shifts),
      topKOverlap: 0.8,
      noise: { pairs: 100, tauMedian: 0.85, tauP05: 0.8, maxAbsRankShiftMedian: 100, maxAbsRankShiftP95: 200, topKOverlapMedian: 0.6 },
      clusterNoise: null,
      maxAbsDeltaScore: 0.05,
      maxAbsRelDeltaScore: 0.2,
      modelsRankBeyondNoise: j === 0 ? 0 : 2,
      modelsScoreBeyondNoise: 0,
      tauBest: models.filter((x) => x.rankSet.simultaneous![0] === 1).map((x) => x.model),
      pointSwaps: j === 0 ? 0 : 5000,
      significantSwaps: swaps.filter((x) => x.significant).length,
      swaps,
      largestRankChange: null,
      largestScoreChange: null,
      models,
    };
  });
  return {
    models: m,
    prompts: n,
    topK: 5,
    bootstrap: { replicates: 200, clusterSource: null, clusters: null, clusterMethod: null, wildWeights: null, inferenceBasis: null, inferenceReason: null, primary: 'prompt' },
    rankInference: { alpha: 0.05, method: m > 200 ? 'projection' : 'step-down', bootstrap: 'prompt', df: null, clusterMethod: null, swapFamily: ((SCHEMES.length - 1) * m * (m - 1)) / 2, swapSchemes: SCHEMES.slice(1) },
    tauBest: schemes[0].tauBest,
    schemes,
    skipped: [],
    notes: [],
  };
}

/** Saves the dataset and its reweight result as the stages would, so that `covary report` can run on them alone. */
export async function saveManyModels(dataDir: string, m: number, name = 'many'): Promise<Dataset> {
  const d = manyModelsDataset(m, 30, name);
  await saveDataset(dataDir, d);
  const store = new ArtifactStore(dataDir);
  const { manifest } = await store.loadDataset(name);
  await store.writeStage(name, 'reweight', { inputs: { dataset: manifest.contentHash }, options: {}, result: manyModelsReweighting(d) });
  return d;
}
