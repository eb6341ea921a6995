/**
 * Adapters from each stage's stored result to its report section. Pure functions; the report's
 * numbers are the stages' numbers, renamed where the report's JSON contract asks for it.
 */
import type { CorrelationArtifact, NullTest } from '../correlate/index.ts';
import type { Clustering, ClusterResult } from '../cluster/index.ts';
import type { ReweightResult } from '../reweight/index.ts';
import type { ExplainResult } from '../explain/index.ts';
import type { ClusterSection, CorrelationSection, ExplanationSection, ReweightingSection } from './schema.ts';
import { FEW_CLUSTERS } from '../reweight/bootstrap.ts';
import { fmt, intCount, pValue } from './format.ts';

const nz = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

export function nullBlock(t: NullTest): CorrelationSection['nullA'] {
  return {
    observed: nz(t.observed),
    nullMean: nz(t.nullMean),
    nullSd: nz(t.nullSd),
    z: nz(t.z),
    p: nz(t.p),
    replicates: t.B,
    method: t.method,
    meanSquared: { observed: nz(t.meanSquared.observed), nullMean: nz(t.meanSquared.nullMean), nullSd: nz(t.meanSquared.nullSd), z: nz(t.meanSquared.z), p: nz(t.meanSquared.p) },
    ks: { D: nz(t.ks.D), observed: nz(t.ks.observed), nullMean: nz(t.ks.nullMean), nullSd: nz(t.ks.nullSd), z: nz(t.ks.z), p: nz(t.ks.p) },
    ...(t.mixing ? { mixing: t.mixing } : {}),
  };
}

export function correlationSection(c: CorrelationArtifact): CorrelationSection {
  const r = c.result;
  const h = r.histograms;
  const edges = Array.from({ length: h.bins + 1 }, (_, i) => h.lo + ((h.hi - h.lo) * i) / h.bins);
  return {
    metric: r.metric,
    promptsUsed: r.prompts.used,
    promptsTotal: r.prompts.total,
    tooFewModels: r.prompts.tooFewModels,
    zeroVariance: { total: r.prompts.zeroVariance.total, allCorrect: r.prompts.zeroVariance.allCorrect, allWrong: r.prompts.zeroVariance.allWrong },
    pairs: { evaluated: r.pairs.exact ? r.pairs.total : r.pairs.sampled, exact: r.pairs.exact, lackingCommonModels: r.pairs.allPairs.lackingCommonModels },
    estimators: r.estimators,
    meanSimilarity: nz(r.observed.mean),
    meanSquaredSimilarity: nz(r.observed.meanSquared),
    quantiles: r.observed.quantiles,
    nullA: nullBlock(r.nullA),
    nullB: nullBlock(r.nullB),
    // Null C comes from the irt stage; the report model fills it in (model.ts).
    nullC: null,
    ks: { nullA: nz(r.nullA.ks.D), nullB: nz(r.nullB.ks.D) },
    histogram: { edges, observed: h.observed.map(nz), nullA: h.nullA.map(nz), nullB: h.nullB.map(nz) },
    notes: r.notes,
    ...(r.testPrompts ? { testPrompts: r.testPrompts } : {}),
  };
}

function clusteringBlock(c: Omit<Clustering, 'assignments'> | null): ClusterSection['semantic'] {
  if (!c) return null;
  return {
    k: c.k,
    silhouette: nz(c.silhouette),
    stabilityAri: nz(c.stability?.meanAri ?? null),
    kSelection: c.kSelection ?? null,
    silhouetteByK: c.silhouetteByK ?? [],
    clusters: c.sizes.map((size, id) => ({ id, size, label: c.labels[id] ?? String(id), examples: c.examples?.[id] ?? [] })),
  };
}

export function clusterSection(r: ClusterResult): ClusterSection {
  return { semantic: clusteringBlock(r.semantic), performance: clusteringBlock(r.performance), category: clusteringBlock(r.category), notes: r.notes };
}

export function reweightingSection(r: ReweightResult): ReweightingSection {
  return {
    overlapK: r.topK,
    bootstrap: r.bootstrap.replicates,
    clusterSource: r.bootstrap.clusterSource,
    clusters: r.bootstrap.clusters,
    rankInference: r.rankInference,
    tauBest: r.tauBest,
    clusterInference:
      r.bootstrap.clusterSource && r.bootstrap.clusters !== null && r.bootstrap.clusterMethod
        ? {
            source: r.bootstrap.clusterSource,
            basis: r.bootstrap.inferenceBasis ?? null,
            clusters: r.bootstrap.clusters,
            method: r.bootstrap.clusterMethod,
            wildWeights: r.bootstrap.wildWeights ?? null,
            fewClusters: r.bootstrap.clusters < FEW_CLUSTERS,
            reason: r.bootstrap.inferenceReason ?? null,
          }
        : null,
    schemes: r.schemes.map((s) => ({
      name: s.name,
      description: s.describe + (s.note ? ` ${s.note}` : ''),
      sameAsUniform: s.sameAsUniform,
      kendallTau: nz(s.kendallTau),
      noiseFloorTau: nz(s.noiseFloorTau),
      noiseFloorTauP05: nz(s.noise.tauP05),
      tauNoiseShare: nz(s.tauNoiseShare),
      maxAbsRankShift: nz(s.maxAbsRankShift),
      noiseFloorMaxAbsRankShift: nz(s.noise.maxAbsRankShiftP95),
      top5Overlap: nz(s.topKOverlap),
      overlapK: r.topK,
      effectiveSampleSize: nz(s.kish),
      maxAbsDeltaScore: nz(s.maxAbsDeltaScore),
      maxAbsRelDeltaScore: nz(s.maxAbsRelDeltaScore),
      modelsRankBeyondNoise: s.modelsRankBeyondNoise,
      modelsScoreBeyondNoise: s.modelsScoreBeyondNoise,
      tauBest: s.tauBest,
      pointSwaps: s.pointSwaps,
      significantSwaps: s.significantSwaps,
      swaps: s.swaps.map((x) => ({ ...x, uniformGap: nz(x.uniformGap), gap: nz(x.gap) })),
      models: s.models.map((m) => ({
        model: m.model,
        score: nz(m.score),
        ciLow: nz(m.ciLow),
        ciHigh: nz(m.ciHigh),
        clusterCiLow: nz(m.clusterCiLow),
        clusterCiHigh: nz(m.clusterCiHigh),
        clusterDeltaCiLow: nz(m.clusterDeltaCiLow),
        clusterDeltaCiHigh: nz(m.clusterDeltaCiHigh),
        clusteredSe: nz(m.clusteredSe),
        rank: nz(m.rank),
        rankSet: m.rankSet,
        rankLow: nz(m.rankLow),
        rankHigh: nz(m.rankHigh),
        pRank1: nz(m.pRank1),
        deltaScore: nz(m.deltaScore),
        deltaScoreCiLow: nz(m.deltaScoreCiLow),
        deltaScoreCiHigh: nz(m.deltaScoreCiHigh),
        relDeltaScore: nz(m.relDeltaScore),
        deltaRank: nz(m.deltaRank),
        rankNoise: nz(m.rankNoise),
        beyondNoise: s.name === 'uniform' ? null : m.rankChangeBeyondNoise,
        scoreChangeBeyondNoise: s.name === 'uniform' ? null : m.scoreChangeBeyondNoise,
        missingWeight: nz(m.missingWeight),
        kish: nz(m.kish),
      })),
    })),
    skipped: r.skipped,
    notes: r.notes,
  };
}

export function explanationSection(e: ExplainResult): ExplanationSection {
  const effects = new Map(e.effects.tags.map((t) => [t.tag, t]));
  const pr = e.partialR2;
  const residual = e.response === 'residual-similarity';
  const perf = e.performance ?? null;
  return {
    // Explain results from before the irt integration have no `response`: they explained raw similarity.
    response: residual ? 'residual similarity (Q3: the correlation over models of two prompts\' residuals after one ability axis)' : `${e.metric} performance similarity`,
    responseKind: residual ? 'residual-similarity' : 'performance-similarity',
    performanceSimilarity: perf
      ? {
          response: `${e.metric} performance similarity`,
          r2: nz(perf.r2),
          partialR2: { semantic: nz(perf.partialR2.semantic), failure: nz(perf.partialR2.failure), difficulty: nz(perf.partialR2.difficulty) },
          mantel: { r: nz(perf.mantel?.r), p: nz(perf.mantel?.p) },
          coefficients: perf.coefficients.map((c) => ({ name: c.name, block: c.block, estimate: nz(c.estimate), standardized: nz(c.standardized), p: nz(c.p) })),
        }
      : null,
    pairs: { used: e.pairs?.sampled ?? 0, sampled: e.pairs?.design === 'stratified', population: e.pairs?.populationPairs ?? 0 },
    permutations: e.permutations,
    r2: nz(e.r2),
    partialR2: { semantic: nz(pr?.semantic), failure: nz(pr?.failure), difficulty: nz(pr?.difficulty) },
    uniqueR2: { semantic: nz(e.uniqueR2?.semantic), failure: nz(e.uniqueR2?.failure), difficulty: nz(e.uniqueR2?.difficulty) },
    mantel: {
      r: nz(e.mantel?.r),
      p: nz(e.mantel?.p),
      rAllPairs: nz(e.mantel?.rAllPairs),
      allPairs: e.mantel?.allPairs ?? null,
      pAllPairs: nz(e.mantel?.pAllPairs),
      allPairsPermutations: e.mantel?.allPairsPermutations ?? null,
      lead: nz(e.mantel?.rAllPairs) !== null ? 'all-pairs' : 'sample',
    },
    coefficients: e.coefficients.map((c) => ({ name: c.name, block: c.block, estimate: nz(c.estimate), standardized: nz(c.standardized), p: nz(c.p) })),
    excessOverNullB: e.excess
      ? {
          r2: nz(e.excess.r2),
          partialR2: { semantic: nz(e.excess.partialR2.semantic), failure: nz(e.excess.partialR2.failure), difficulty: nz(e.excess.partialR2.difficulty) },
          coefficients: e.excess.coefficients.map((c) => ({ name: c.name, block: c.block, estimate: nz(c.estimate), p: nz(c.p) })),
        }
      : null,
    tags: e.tags.map((t) => {
      const ef = effects.get(t.id);
      return { tag: t.label, kind: t.kind, count: t.count, share: nz(t.share), meanAccuracy: nz(t.meanAccuracy), withinSimilarity: nz(ef?.meanWithin), outsideSimilarity: nz(ef?.meanOutside) };
    }),
    thresholds: Object.fromEntries(Object.entries(e.thresholds).filter((kv): kv is [string, number] => typeof kv[1] === 'number')),
    semanticDeciles: e.effects.semanticDeciles.map((d) => ({ decile: d.decile, semanticLow: nz(d.lo), semanticHigh: nz(d.hi), meanSimilarity: nz(d.meanSimilarity), meanExcess: nz(d.meanExcess), ...(d.meanResidual !== undefined ? { meanResidual: nz(d.meanResidual) } : {}), pairs: d.pairs })),
    nearestNeighbours: e.effects.nearestNeighbours
      ? { meanSimilarity: nz(e.effects.nearestNeighbours.meanNeighbours), randomMeanSimilarity: nz(e.effects.nearestNeighbours.meanRandom), p: nz(e.effects.nearestNeighbours.p), k: e.effects.nearestNeighbours.k }
      : null,
    droppedPredictors: e.droppedPredictors,
    definitions: e.definitions,
    notes: e.notes,
  };
}

/**
 * The one rule for "semantic similarity explains part of the co-variation", used by the verdict
 * and the results page: the semantic-cosine coefficient is positive with permutation p < alpha.
 */
export function semanticEffect(e: Pick<ExplanationSection, 'coefficients'>, alpha: number): { coefficient: ExplanationSection['coefficients'][number] | null; significant: boolean } {
  const c = e.coefficients.find((x) => x.name === 'semantic cosine') ?? null;
  return { coefficient: c, significant: c !== null && c.p !== null && c.p < alpha && (c.estimate ?? 0) > 0 };
}

/**
 * The Mantel result as the report states it: the exact all-pairs r first when it was computed, with
 * the p-value of the design that produced it, and the sampled estimate only as a cross-check.
 */
export function mantelText(e: Pick<ExplanationSection, 'mantel' | 'permutations' | 'pairs'>): string {
  const m = e.mantel;
  const sampleP = `p ${pValue(m.p, e.permutations)}`;
  const sampleOn = e.pairs.sampled ? ` on ${intCount(e.pairs.used)} sampled pairs` : '';
  if (m.lead !== 'all-pairs' || m.rAllPairs === null || m.rAllPairs === undefined) return `Mantel r = ${fmt(m.r)}, ${sampleP}${sampleOn}`;
  const over = `over all ${intCount(m.allPairs ?? null)} pairs`;
  if (!e.pairs.sampled) return `Mantel r = ${fmt(m.rAllPairs)} ${over}, ${sampleP}`;
  const crossCheck = `sampled estimate r = ${fmt(m.r)}${sampleOn}`;
  if (m.pAllPairs !== null && m.pAllPairs !== undefined)
    return `Mantel r = ${fmt(m.rAllPairs)} ${over}, p ${pValue(m.pAllPairs, m.allPairsPermutations ?? undefined)} (permutations over all pairs; cross-check: ${crossCheck})`;
  return `Mantel r = ${fmt(m.rAllPairs)} ${over} (no all-pairs p-value; cross-check: ${crossCheck}, whose ${sampleP} belongs to the sample)`;
}
