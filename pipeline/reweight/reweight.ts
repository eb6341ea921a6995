/**
 * The reweight computation (pure): weights per scheme → scores, ranks, uncertainty and the
 * comparison of every scheme's ranking with uniform's, judged against bootstrap noise.
 */
import type { Rng } from '../core/rng.ts';
import type { Clustering, Clusterings } from '../cluster/index.ts';
import type { KnnGraph } from '../index/index.ts';
import { SCHEMES, schemeByName, type SchemeInputs } from './schemes/index.ts';
import type { TargetMix } from './schemes/target-mix.ts';
import { weightedScores, kishEss, clusteredSe } from './scores.ts';
import { prepare, bootstrapScores, wildSetup, wildBootstrapScores, wildWeightsFor, FEW_CLUSTERS, type ClusterIndex, type ClusterMethod, type WildSetup } from './bootstrap.ts';
import { wildIntervals } from './wild-batch.ts';
import { ranksOf, kendallTauB, topKOverlap, maxAbsRankShift, quantileSorted, sortedFinite } from './ranking.ts';
import { rankConfidenceSets, rankSwaps, type RankSets, type Swap } from './rank-sets.ts';
import { EXACT_RANK_MODELS, LISTED_SWAPS, projectionRankSets, projectionSwaps } from './rank-projection.ts';
import type { ModelRow, NoiseFloor, ReweightResult, SchemeResult, SwapRow } from './types.ts';

/** Level of the rank confidence sets (1 − RANK_ALPHA) and family-wise error rate of the swaps. */
export const RANK_ALPHA = 0.05;
/** Non-significant swaps kept per scheme (smallest adjusted p first), to show how close the nearest came. */
const NEAREST_SWAPS = 5;

export interface ReweightInputs {
  models: string[];
  /** m × n row-major, NaN = missing. */
  scores: Float64Array;
  clusterings: Clusterings;
  knn: KnnGraph | null;
  targetMix: TargetMix | null;
  /** Why the semantic clusters / kNN graph are absent, when known. */
  missing?: { semantic?: string; knn?: string };
}

export interface ReweightOptions {
  /** Schemes to compute (uniform is always added first). */
  schemes: string[];
  bootstrap: number;
  topK: number;
  correlationSample: number;
  /** Clusters for the cluster bootstrap and CR1; auto = the inference partition (else semantic, category, performance). */
  clusterSource: 'auto' | 'inference' | 'semantic' | 'category' | 'performance';
  /** How the cluster intervals are made: wild cluster bootstrap-t (default) or pairs cluster bootstrap (whole clusters resampled). */
  clusterMethod?: ClusterMethod;
}

export const DEFAULT_REWEIGHT_OPTIONS: ReweightOptions = {
  schemes: SCHEMES.map((s) => s.name),
  bootstrap: 1000,
  topK: 5,
  correlationSample: 2000,
  clusterSource: 'auto',
};

export interface ReweightOutput {
  result: ReweightResult;
  /** Weights of the computed schemes, in result.schemes order (each length n, sums to 1). */
  weights: Float64Array[];
}

export interface ReweightProgress {
  onReplicate?: () => void;
  /** Milliseconds spent in the rank confidence sets and swaps (for the bench). */
  onRankInference?: (ms: number) => void;
}

/** Clusters for the cluster bootstrap: unassigned prompts become singletons so every prompt is in one. */
export function clusterIndexOf(c: Clustering): ClusterIndex {
  const n = c.assignments.length;
  const of = new Int32Array(n);
  const remap = new Map<number, number>();
  let C = 0;
  for (let i = 0; i < n; i++) {
    const a = c.assignments[i];
    if (a >= 0) {
      let g = remap.get(a);
      if (g === undefined) {
        g = C++;
        remap.set(a, g);
      }
      of[i] = g;
    } else of[i] = C++;
  }
  return { of, C };
}

type ClusterSource = Exclude<ReweightOptions['clusterSource'], 'auto'>;

function pickClusterSource(c: Clusterings, want: ReweightOptions['clusterSource']): { source: ClusterSource; clustering: Clustering } | null {
  // auto falls back to the display clusterings only for cluster results made before the inference partition existed.
  const order: ClusterSource[] = want === 'auto' ? ['inference', 'semantic', 'category', 'performance'] : [want];
  for (const s of order) {
    const cl = c[s];
    if (cl && cl.k >= 2) return { source: s, clustering: cl };
  }
  return null;
}

/**
 * Bytes of the bootstrap replicates for the memory guard: 2·S + 2 matrices of B × m (prompt and
 * cluster replicates per scheme; ranks and differences of one scheme at a time), S more when rank
 * inference resamples few clusters whole, and the wild bootstrap's cluster sums (2·S·C·m) and draws
 * (B·C). C counts unassigned prompts as singletons, as the bootstrap does.
 */
export function replicateBytes(m: number, schemes: number, clusterings: Clusterings, o: Pick<ReweightOptions, 'bootstrap' | 'clusterSource' | 'clusterMethod'>): number {
  const picked = pickClusterSource(clusterings, o.clusterSource);
  const C = picked ? clusterIndexOf(picked.clustering).C : 0;
  const wild = C >= 2 && (o.clusterMethod ?? 'wild') === 'wild';
  const matrices = 2 * schemes + 2 + (wild && C < FEW_CLUSTERS ? schemes : 0);
  return 8 * (o.bootstrap * m * matrices + (wild ? 2 * schemes * C * m + o.bootstrap * C : 0));
}

const TINY = 1e-12;

const nullable = (x: number): number | null => (Number.isFinite(x) ? x : null);

function noiseFloor(reps: Float64Array, ranks: Float64Array, B: number, m: number, topK: number, perModel: Float64Array | null): NoiseFloor {
  const pairs = Math.floor(B / 2);
  const taus = new Float64Array(pairs);
  const shifts = new Float64Array(pairs);
  const overlaps = new Float64Array(pairs);
  const diffs = perModel ? new Float64Array(pairs * m) : null;
  for (let p = 0; p < pairs; p++) {
    const a = 2 * p * m;
    const b = (2 * p + 1) * m;
    const sa = reps.subarray(a, a + m);
    const sb = reps.subarray(b, b + m);
    const ra = ranks.subarray(a, a + m);
    const rb = ranks.subarray(b, b + m);
    taus[p] = kendallTauB(sa, sb);
    shifts[p] = maxAbsRankShift(ra, rb);
    overlaps[p] = topKOverlap(sa, sb, topK);
    if (diffs) for (let k = 0; k < m; k++) diffs[k * pairs + p] = Math.abs(ra[k] - rb[k]);
  }
  if (perModel && diffs) {
    for (let k = 0; k < m; k++) perModel[k] = quantileSorted(sortedFinite(diffs.subarray(k * pairs, (k + 1) * pairs)), 0.95);
  }
  const st = sortedFinite(taus);
  const ss = sortedFinite(shifts);
  return {
    pairs,
    tauMedian: quantileSorted(st, 0.5),
    tauP05: quantileSorted(st, 0.05),
    maxAbsRankShiftMedian: quantileSorted(ss, 0.5),
    maxAbsRankShiftP95: quantileSorted(ss, 0.95),
    topKOverlapMedian: quantileSorted(sortedFinite(overlaps), 0.5),
  };
}

function allRanks(reps: Float64Array, B: number, m: number): Float64Array {
  const out = new Float64Array(B * m);
  for (let b = 0; b < B; b++) ranksOf(reps.subarray(b * m, (b + 1) * m), out.subarray(b * m, (b + 1) * m));
  return out;
}

function column(reps: Float64Array, B: number, m: number, k: number, out: Float64Array): Float64Array {
  for (let b = 0; b < B; b++) out[b] = reps[b * m + k];
  return out;
}

export function computeReweighting(input: ReweightInputs, options: ReweightOptions, rng: Rng, progress: ReweightProgress = {}): ReweightOutput {
  const { models, scores, clusterings, knn, targetMix } = input;
  const m = models.length;
  const n = scores.length / Math.max(m, 1);
  const B = options.bootstrap;
  const notes: string[] = [];

  const schemeInputs: SchemeInputs = {
    m,
    n,
    scores,
    semantic: clusterings.semantic,
    performance: clusterings.performance,
    category: clusterings.category,
    knn,
    targetMix,
    correlationSample: options.correlationSample,
    missing: input.missing,
    rng: rng.fork('correlation-adjusted'),
  };
  const wanted = ['uniform', ...options.schemes.filter((s) => s !== 'uniform')];
  const computed: { name: string; describe: string; note: string; weights: Float64Array }[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of wanted) {
    const scheme = schemeByName(name);
    if (!scheme) throw new Error(`unknown scheme ${name}`);
    const out = scheme.weights(schemeInputs);
    if ('skip' in out) skipped.push({ name, reason: out.skip });
    else computed.push({ name, describe: scheme.describe, note: out.note, weights: out.weights });
  }

  const picked = pickClusterSource(clusterings, options.clusterSource);
  const cidx = picked ? clusterIndexOf(picked.clustering) : null;
  const wild = cidx !== null && (options.clusterMethod ?? 'wild') === 'wild';
  const wildKind = wild ? wildWeightsFor(cidx!.C) : null;
  if (!picked) notes.push('no clustering with at least 2 clusters: cluster bootstrap and clustered SE are not available');
  else if (cidx!.C < FEW_CLUSTERS)
    notes.push(
      `cluster-robust intervals rest on few clusters: only ${cidx!.C} ${picked.source} clusters are available for inference; ${
        wild ? `the cluster intervals come from a wild cluster bootstrap-t (${wildKind === 'webb' ? 'Webb 6-point' : 'Rademacher'} weights, critical values at least Student's t(C−1))` : 'resampling so few clusters whole under-covers (--cluster-method wild does better)'
      }; treat them as approximate`,
    );

  const prepared = prepare({ m, n, scores, weights: computed.map((c) => c.weights) });
  const point = computed.map((c) => weightedScores(scores, m, n, c.weights));
  const promptReps = bootstrapScores(prepared, 'prompt', B, rng.fork('prompt-bootstrap'), null, progress.onReplicate);
  let clusterReps: Float64Array[] | null = null;
  let wildState: { setup: WildSetup; draws: Float64Array } | null = null;
  if (cidx && wild) {
    const setup = wildSetup(prepared, cidx, point.map((p) => p.score));
    const out = wildBootstrapScores(setup, m, B, wildKind!, rng.fork('wild-cluster-bootstrap'), progress.onReplicate);
    clusterReps = out.replicates;
    wildState = { setup, draws: out.draws };
  } else if (cidx) clusterReps = bootstrapScores(prepared, 'cluster', B, rng.fork('cluster-bootstrap'), cidx, progress.onReplicate);
  // Rank inference uses the cluster bootstrap when there are clusters (prompts within a cluster are
  // not independent), the prompt bootstrap otherwise. Replicate b shares its counts across schemes,
  // so the scheme-vs-uniform comparisons are paired.
  // Below FEW_CLUSTERS the wild bootstrap's maximum over many pairs is not calibrated (5 re-weighted
  // families gave confident swaps in test/reweight/reweight.test.ts): rank inference then resamples
  // whole clusters, which is conservative there.
  const fewWild = wild && cidx !== null && cidx.C < FEW_CLUSTERS;
  const rankClusterReps = fewWild ? bootstrapScores(prepared, 'cluster', B, rng.fork('cluster-bootstrap'), cidx) : clusterReps;
  if (fewWild) notes.push(`rank confidence sets and swaps resample the ${cidx!.C} clusters whole (few clusters: the wild bootstrap is used for intervals only)`);
  const inferenceReps = rankClusterReps ?? promptReps;
  const inferenceKind: 'cluster' | 'prompt' = rankClusterReps ? 'cluster' : 'prompt';
  if (!clusterReps) notes.push('rank confidence sets and swaps use the prompt bootstrap (no clusters): they ignore any dependence between prompts');
  const identical = new Set<number>();
  computed.forEach((c, s) => {
    if (s > 0 && c.weights.every((w) => Math.abs(w * n - 1) < 1e-9)) identical.add(s);
  });
  // SEs from C clusters: observed t's are referred to t(C − 1) (see rank-sets.ts).
  const rankDf = clusterReps && cidx ? cidx.C - 1 : null;
  const rankStart = performance.now();
  // The pairwise step-down costs B × m² per step: above EXACT_RANK_MODELS ranked models, projection (rank-projection.ts).
  const ranked = point[0].score.reduce((c, x) => c + (Number.isFinite(x) ? 1 : 0), 0);
  const projection = ranked > EXACT_RANK_MODELS;
  if (projection)
    notes.push(
      `${ranked} ranked models (more than ${EXACT_RANK_MODELS}): rank confidence sets and swaps come from simultaneous max-t intervals of the centred scores and of their changes (projection), which cost B × m instead of B × m² but are wider than the pairwise step-down; the marginal sets equal the simultaneous ones; at most ${LISTED_SWAPS} significant swaps are listed per scheme (all are counted)`,
    );
  const rankSets: RankSets[] = point.map((p, s) => (projection ? projectionRankSets : rankConfidenceSets)(p.score, inferenceReps[s], RANK_ALPHA, rankDf));
  const swapResult = (projection ? projectionSwaps : rankSwaps)(
    point.map((p) => p.score),
    inferenceReps,
    RANK_ALPHA,
    identical,
    rankDf,
  );
  progress.onRankInference?.(performance.now() - rankStart);
  const uniformScore = point[0].score;
  const uniformRank = ranksOf(uniformScore);
  const uniformPromptReps = promptReps[0];
  const col = new Float64Array(B);
  const col2 = new Float64Array(B);

  const schemes: SchemeResult[] = computed.map((c, s) => {
    const w = c.weights;
    const { score, missingWeight } = point[s];
    const rank = ranksOf(score);
    const pr = promptReps[s];
    const prRanks = allRanks(pr, B, m);
    const rankNoise = new Float64Array(m);
    const noise = noiseFloor(pr, prRanks, B, m, options.topK, rankNoise);
    let clusterNoise: NoiseFloor | null = null;
    let crRanks: Float64Array | null = null;
    if (clusterReps) {
      crRanks = allRanks(clusterReps[s], B, m);
      clusterNoise = noiseFloor(clusterReps[s], crRanks, B, m, options.topK, null);
    }
    const cse = cidx ? clusteredSe(scores, m, n, w, cidx.of, cidx.C, score) : null;
    const sets = rankSets[s];
    const schemeSwaps = swapResult.swaps.filter((x) => x.scheme === s);
    const swapping = swapResult.beyondNoise[s];
    // Wild intervals of every model's score and (s > 0) change against uniform, the whole scheme at once.
    const wildCis = wildState ? wildIntervals(wildState.setup, wildState.draws, s, s > 0 ? 0 : null) : null;
    const rows: ModelRow[] = [];
    for (let k = 0; k < m; k++) {
      const sc = sortedFinite(column(pr, B, m, k, col));
      const rk = sortedFinite(column(prRanks, B, m, k, col2));
      let top = 0;
      for (let b = 0; b < B; b++) if (prRanks[b * m + k] === 1) top++;
      for (let b = 0; b < B; b++) col[b] = pr[b * m + k] - uniformPromptReps[b * m + k];
      const dsorted = sortedFinite(col);
      let csc: Float64Array | null = null;
      let crk: Float64Array | null = null;
      let clusterCi: [number, number] | null = null;
      let clusterDeltaCi: [number, number] | null = null;
      if (clusterReps && crRanks) {
        csc = sortedFinite(column(clusterReps[s], B, m, k, col));
        crk = sortedFinite(column(crRanks, B, m, k, col2));
        if (wildCis) {
          clusterCi = [wildCis.low[k], wildCis.high[k]];
          if (s > 0) clusterDeltaCi = [wildCis.deltaLow![k], wildCis.deltaHigh![k]];
        } else {
          clusterCi = [quantileSorted(csc, 0.025), quantileSorted(csc, 0.975)];
          const cd = new Float64Array(B);
          for (let b = 0; b < B; b++) cd[b] = clusterReps[s][b * m + k] - clusterReps[0][b * m + k];
          const cds = sortedFinite(cd);
          clusterDeltaCi = [quantileSorted(cds, 0.025), quantileSorted(cds, 0.975)];
        }
      }
      // Differences below floating-point noise are exactly 0 (a scheme can coincide with uniform).
      const rawDelta = score[k] - uniformScore[k];
      const deltaScore = Math.abs(rawDelta) < TINY ? 0 : rawDelta;
      const deltaRank = rank[k] - uniformRank[k];
      const dLo = quantileSorted(dsorted, 0.025);
      const dHi = quantileSorted(dsorted, 0.975);
      rows.push({
        model: models[k],
        score: score[k],
        ciLow: quantileSorted(sc, 0.025),
        ciHigh: quantileSorted(sc, 0.975),
        clusterCiLow: clusterCi ? nullable(clusterCi[0]) : null,
        clusterCiHigh: clusterCi ? nullable(clusterCi[1]) : null,
        bootstrapSe: sd(sc),
        clusterBootstrapSe: csc ? nullable(sd(csc)) : null,
        clusteredSe: cse ? nullable(cse[k]) : null,
        rank: rank[k],
        rankSet: { marginal: sets.marginal[k], simultaneous: sets.simultaneous[k] },
        rankLow: rk.length ? rk[Math.floor(0.025 * (rk.length - 1))] : NaN,
        rankHigh: rk.length ? rk[Math.ceil(0.975 * (rk.length - 1))] : NaN,
        clusterRankLow: crk && crk.length ? crk[Math.floor(0.025 * (crk.length - 1))] : null,
        clusterRankHigh: crk && crk.length ? crk[Math.ceil(0.975 * (crk.length - 1))] : null,
        pRank1: top / B,
        uniformScore: uniformScore[k],
        uniformRank: uniformRank[k],
        deltaScore,
        relDeltaScore: uniformScore[k] !== 0 ? nullable(deltaScore / uniformScore[k]) : null,
        deltaScoreCiLow: dLo,
        deltaScoreCiHigh: dHi,
        clusterDeltaCiLow: clusterDeltaCi ? nullable(clusterDeltaCi[0]) : null,
        clusterDeltaCiHigh: clusterDeltaCi ? nullable(clusterDeltaCi[1]) : null,
        deltaRank,
        rankNoise: rankNoise[k],
        rankChangeBeyondNoise: s > 0 && swapping[k] === 1,
        scoreChangeBeyondNoise: s > 0 && deltaScore !== 0 && (dLo > TINY || dHi < -TINY),
        missingWeight: missingWeight[k],
        kish: kishEss(w, scores, n, k),
      });
    }
    const tau = kendallTauB(score, uniformScore);
    let below = 0;
    let pairs = 0;
    for (let p = 0; p + 1 < B; p += 2) {
      const t = kendallTauB(pr.subarray(p * m, (p + 1) * m), pr.subarray((p + 1) * m, (p + 2) * m));
      if (t === t) {
        pairs++;
        if (t <= tau) below++;
      }
    }
    let maxW = 0;
    for (let i = 0; i < n; i++) if (w[i] > maxW) maxW = w[i];
    const sameAsUniform = identical.has(s);
    const byRank = rows.filter((r) => Number.isFinite(r.deltaRank)).sort((a, b) => Math.abs(b.deltaRank) - Math.abs(a.deltaRank) || a.uniformRank - b.uniformRank);
    const byScore = rows.filter((r) => Number.isFinite(r.deltaScore)).sort((a, b) => Math.abs(b.deltaScore) - Math.abs(a.deltaScore) || a.uniformRank - b.uniformRank);
    return {
      name: c.name,
      describe: c.describe,
      note: sameAsUniform ? `${c.note} — identical to uniform on this benchmark` : c.note,
      sameAsUniform,
      kish: kishEss(w),
      maxWeightRatio: maxW * n,
      kendallTau: tau,
      noiseFloorTau: noise.tauMedian,
      tauNoiseShare: pairs ? below / pairs : NaN,
      maxAbsRankShift: maxAbsRankShift(rank, uniformRank),
      topKOverlap: topKOverlap(score, uniformScore, options.topK),
      noise,
      clusterNoise,
      maxAbsDeltaScore: byScore.length ? Math.abs(byScore[0].deltaScore) : 0,
      maxAbsRelDeltaScore: Math.max(0, ...rows.map((r) => (r.relDeltaScore === null ? 0 : Math.abs(r.relDeltaScore)))),
      modelsRankBeyondNoise: rows.filter((r) => r.rankChangeBeyondNoise).length,
      tauBest: sets.tauBest.map((k) => models[k]),
      pointSwaps: swapResult.pointSwaps[s] ?? 0,
      significantSwaps: swapResult.significant[s] ?? 0,
      swaps: [...schemeSwaps.filter((x) => x.significant), ...schemeSwaps.filter((x) => !x.significant).slice(0, NEAREST_SWAPS)].map((x) => swapRow(x, models, uniformRank, rank)),
      modelsScoreBeyondNoise: rows.filter((r) => r.scoreChangeBeyondNoise).length,
      largestRankChange: byRank.length ? { model: byRank[0].model, deltaRank: byRank[0].deltaRank, beyondNoise: byRank[0].rankChangeBeyondNoise } : null,
      largestScoreChange: byScore.length
        ? { model: byScore[0].model, deltaScore: byScore[0].deltaScore, relDeltaScore: byScore[0].relDeltaScore, beyondNoise: byScore[0].scoreChangeBeyondNoise }
        : null,
      models: rows,
    };
  });

  const incomplete = prepared.incomplete.length;
  if (incomplete) notes.push(`${incomplete} model(s) lack results for some prompts: their weights are renormalised over the prompts they have (see missingWeight)`);
  return {
    result: {
      models: m,
      prompts: n,
      topK: options.topK,
      bootstrap: {
        replicates: B,
        clusterSource: picked?.source ?? null,
        clusters: cidx?.C ?? null,
        clusterMethod: cidx ? (wild ? 'wild' : 'pairs') : null,
        wildWeights: wildKind,
        inferenceBasis: picked?.source === 'inference' ? (picked.clustering.basis ?? null) : null,
        inferenceReason: picked?.source === 'inference' ? (picked.clustering.reason ?? null) : null,
        primary: 'prompt',
      },
      rankInference: {
        alpha: RANK_ALPHA,
        method: projection ? 'projection' : 'step-down',
        bootstrap: inferenceKind,
        clusterMethod: rankClusterReps ? (wild && !fewWild ? 'wild' : 'pairs') : null,
        df: rankDf,
        swapFamily: swapResult.family,
        swapSchemes: computed.filter((_, s) => s > 0 && !identical.has(s)).map((c) => c.name),
      },
      tauBest: rankSets[0].tauBest.map((k) => models[k]),
      schemes,
      skipped,
      notes,
    },
    weights: computed.map((c) => c.weights),
  };
}

function swapRow(x: Swap, models: string[], uniformRank: Float64Array, rank: Float64Array): SwapRow {
  const [a, b] = x.models;
  return {
    models: [models[a], models[b]],
    uniformRanks: [uniformRank[a], uniformRank[b]],
    ranks: [rank[a], rank[b]],
    uniformGap: x.referenceGap,
    gap: x.schemeGap,
    p: x.p,
    pAdjusted: x.pAdjusted,
    significant: x.significant,
    pOrder: x.pOrder,
  };
}

function sd(sorted: Float64Array): number {
  const n = sorted.length;
  if (n < 2) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += sorted[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}
