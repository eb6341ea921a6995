/**
 * The explain computation (METHOD.md §5), pure: dataset + embeddings + kNN graph + semantic
 * clusters + user tags + options + rng → result. The stage wrapper (stage.ts) does the I/O.
 */
import type { Dataset } from '../core/dataset.ts';
import type { Rng } from '../core/rng.ts';
import { cappedSampleSize } from '../core/caps.ts';
import { silentReporter, type Reporter } from '../core/progress.ts';
import type { KnnGraph } from '../index/index.ts';
import type { Clustering } from '../cluster/index.ts';
import type { ExplainOptions, PerfMetric, TagThresholds } from './options.ts';
import { computeTags, FAILURE_KINDS, promptStats, type TagSummary, type UserTags } from './tags.ts';
import { prepareColumns, pairSimilarity } from '../correlate/prompt-similarity.ts';
import { samplePairs } from './pairs.ts';
import { cosineAt, type Embedding, type PredictorSpec } from './design.ts';
import { finishMrqap, inThreadPermutations, prepareMrqap, type DroppedPredictor, type PermutationRunner, type RegressionResult } from './mrqap.ts';
import { allPairsMantelTest, decileCurve, nearestNeighbourEffect, tagEffect, type DecileBin, type NearestNeighbourEffect, type TagEffect } from './effects.ts';

/** Expected similarity of each pair under Null B (the correlate stage's nullBPairExpectation). */
export type NullBExpectation = (scores: Float64Array, m: number, n: number, pairs: Int32Array, metric: PerfMetric, B: number, rng: Rng, minCommonModels?: number) => Float64Array | Promise<Float64Array>;

export interface ExplainInputs {
  dataset: Dataset;
  /** L2-normalised prompt embeddings (null: no text, semantic predictors dropped). */
  embeddings: Embedding | null;
  knn: KnnGraph | null;
  semanticClusters: Clustering | null;
  userTags: UserTags | null;
  nullB: NullBExpectation | null;
  /**
   * m × n residuals S − P̂ of the irt stage's one-ability fit (NaN missing). When given, the main
   * response is residual similarity (Q3: their Pearson correlation over the models that have both),
   * i.e. co-variation beyond model strength; raw performance similarity becomes the secondary response.
   */
  residuals?: Float32Array | Float64Array | null;
}

/** Above this many eligible pairs the exact all-pairs Mantel r is not computed. */
export const ALL_PAIRS_MANTEL_LIMIT = 3_000_000;
/** Pair visits allowed for the all-pairs Mantel permutations (pairs × permutations); fewer permutations are run above it. */
export const ALL_PAIRS_MANTEL_BUDGET = 1_000_000_000;
/** Below this many affordable permutations the all-pairs p is not computed. */
export const ALL_PAIRS_MANTEL_MIN_PERMUTATIONS = 99;

export const DEFINITIONS = {
  residualResponse: 'residual similarity (Yen\'s Q3): the Pearson correlation, over the models that have both scores, of two prompts\' residuals S − P̂ after the irt stage\'s one-ability-axis fit — co-variation beyond model strength, prompt difficulty and discrimination; the main response when the irt stage has run and converged',
  response: 'performance similarity of two prompts (the correlate metric over the models that have both scores); "excess" = similarity minus its expectation under Null B (ability-preserving), estimated per pair from Null B replicates',
  weights: 'pairs are all pairs of eligible prompts, or a stratified sample (semantic kNN pairs; pairs inside small failure tags; uniform random pairs from the rest; each stratum sampled uniformly) with Horvitz–Thompson weights 1/(inclusion probability), so weighted estimates refer to all pairs',
  r2: 'weighted R² of the full pairwise regression',
  partialR2: 'per block: (R²_full − R²_without_block) / (1 − R²_without_block), the share of the variance left unexplained by the other blocks that the block explains (coefficient of partial determination)',
  uniqueR2: 'per block: R²_full − R²_without_block (variance explained by the block alone beyond the others)',
  coefficientP: 'MRQAP with double semi-partialling (Dekker et al. 2007): the focal predictor residualised on the others is evaluated at permuted prompt labels (π(i), π(j)) and correlated with the response residualised on the others; two-sided p = (1 + #{|T_perm| ≥ |T_obs|}) / (B + 1); no OLS p-values',
  mantel: 'Mantel test: weighted correlation of semantic cosine and the response over the pairs; semantic matrix relabelled by permuting prompt labels; p one-sided (greater) = (1 + #{T_perm ≥ T_obs}) / (B + 1); rAllPairs = the same correlation, unweighted, over every pair of eligible prompts (when at most 3 million pairs); pAllPairs = its own permutation p over all pairs (same permutation scheme; at most 10⁹ pair visits, so possibly fewer permutations), null when not affordable',
  standardized: 'coefficient × sd(predictor) / sd(response), weighted',
  nearestNeighbours: 'mean similarity of each prompt with its k semantic nearest neighbours; p one-sided from permuting prompt labels of the neighbour graph',
} as const;

export interface ExplainResult {
  metric: PerfMetric;
  /** What the main fields (r2, partialR2, coefficients, mantel, excess aside) explain. */
  response: 'residual-similarity' | 'performance-similarity';
  /** The tag thresholds used (written into the report). */
  thresholds: Omit<TagThresholds, 'maxCategories'>;
  permutations: number;
  counts: {
    models: number;
    prompts: number;
    /** Prompts with a defined similarity (e.g. non-zero variance for Pearson). */
    eligiblePrompts: number;
    /** Prompts set aside (zero variance / too few models). */
    excludedPrompts: number;
  };
  tags: TagSummary[];
  lengthCuts: number[] | null;
  pairs: {
    design: 'all' | 'stratified';
    sampled: number;
    populationPairs: number;
    knnPopulation: number;
    knnSampled: number;
    /** Pairs inside small failure tags (not kNN): population and sampled. */
    tagPopulation: number;
    tagSampled: number;
    randomSampled: number;
    /** Sampled pairs dropped because the similarity (or its Null B expectation) is undefined. */
    undefinedDropped: number;
  } | null;
  /** Main response (performance similarity). Null fields when the regression could not run. */
  r2: number | null;
  partialR2: RegressionResult['partialR2'] | null;
  uniqueR2: RegressionResult['uniqueR2'] | null;
  intercept: number | null;
  coefficients: RegressionResult['coefficients'];
  mantel: RegressionResult['mantel'];
  /** The same model for the excess over Null B (null when Null B is unavailable). */
  excess: RegressionResult | null;
  /** With the residual response: the same model for raw performance similarity (secondary); null otherwise. */
  performance: RegressionResult | null;
  droppedPredictors: DroppedPredictor[];
  effects: {
    semanticDeciles: DecileBin[];
    nearestNeighbours: NearestNeighbourEffect | null;
    tags: TagEffect[];
  };
  definitions: typeof DEFINITIONS;
  notes: string[];
}

/** Models × prompts above which pair similarities use a seeded sample of models (MMLU-Pro: 3.5e5). */
export const MAX_SIMILARITY_CELLS = 3e7;

/** Rows `rows` of a row-major matrix with row length n. */
function selectRows<T extends Float64Array | Float32Array>(x: T, rows: Int32Array, n: number): T {
  const out = new (x.constructor as { new (len: number): T })(rows.length * n);
  rows.forEach((k, r) => out.set(x.subarray(k * n, (k + 1) * n), r * n));
  return out;
}

export interface ExplainOutput {
  result: ExplainResult;
  /** membership[t] for result.tags[t] (n each). */
  membership: Uint8Array[];
}

/**
 * `runner` runs the MRQAP permutations (in this thread by default; the stage passes a worker-thread
 * runner for long loops — results are identical either way).
 */
export async function explain(inp: ExplainInputs, o: ExplainOptions, rng: Rng, reporter: Reporter = silentReporter, runner: PermutationRunner = inThreadPermutations): Promise<ExplainOutput> {
  const d = inp.dataset;
  const m = d.models.length;
  const n = d.items.length;
  const notes: string[] = [];
  const tagSet = computeTags(d, o, inp.userTags);
  notes.push(...tagSet.notes);

  const residuals = inp.residuals && inp.residuals.length === m * n ? inp.residuals : null;
  if (inp.residuals && !residuals) notes.push(`the irt residuals hold ${inp.residuals.length} cells, the dataset ${m * n}: ignored, so the main response is raw performance similarity`);
  const base = {
    metric: o.metric,
    response: (residuals ? 'residual-similarity' : 'performance-similarity') as ExplainResult['response'],
    thresholds: {
      correctThreshold: o.correctThreshold,
      hardThreshold: o.hardThreshold,
      formatThreshold: o.formatThreshold,
      distractorThreshold: o.distractorThreshold,
      distractorMinFailing: o.distractorMinFailing,
      distractorAlpha: o.distractorAlpha,
      lengthBins: o.lengthBins,
      categoryFields: o.categoryFields,
    },
    permutations: o.permutations,
    tags: tagSet.tags,
    lengthCuts: tagSet.lengthCuts,
    definitions: DEFINITIONS,
  };

  const emb = inp.embeddings;
  if (emb && emb.vectors.length !== n * emb.d) throw new Error(`embeddings hold ${emb.vectors.length / emb.d} rows, the dataset ${n} prompts`);
  if (!emb) notes.push('no embeddings (no prompt text or embed stage skipped): semantic predictors, the Mantel test and the semantic effects are dropped');
  let knn = inp.knn;
  if (knn && knn.n !== n) {
    notes.push(`kNN graph has ${knn.n} prompts, the dataset ${n}: ignored`);
    knn = null;
  }
  if (!knn && emb) notes.push('no kNN graph: the pair sample is uniform random pairs only and the nearest-neighbour effect is skipped');
  let clusters = inp.semanticClusters;
  if (clusters && clusters.assignments.length !== n) {
    notes.push('semantic clustering does not match the dataset: ignored');
    clusters = null;
  }

  // Pair similarities (raw, Q3, Null B) are computed from column copies of the matrix, several
  // bytes a cell each: above MAX_SIMILARITY_CELLS, over a seeded sample of models (as correlate and
  // cluster do); tags and difficulties still use every model.
  const simModels = cappedSampleSize(m, n, MAX_SIMILARITY_CELLS, 200);
  let sm = m;
  let simScores = d.scores;
  let simResiduals = residuals;
  if (simModels !== null) {
    const rows = rng.fork('similarity-models').sample(m, simModels).sort();
    sm = simModels;
    simScores = selectRows(d.scores, rows, n);
    simResiduals = residuals ? selectRows(residuals, rows, n) : null;
    notes.push(`pair similarities (the responses) are computed over a seeded sample of ${sm} of the ${m} models (models × prompts above ${MAX_SIMILARITY_CELLS.toExponential(0)}); tags and difficulties use every model`);
  }
  // Prompts that can take part, and their difficulty.
  const pc = prepareColumns(simScores, sm, n, o.metric, o.minCommonModels);
  // Q3 columns: residuals are continuous, so Pearson whatever the performance metric; straight from
  // the stored Float32 residuals (a Float64 copy would be another 8 bytes a cell).
  const pcQ3 = simResiduals ? prepareColumns(simResiduals, sm, n, 'pearson', o.minCommonModels) : null;
  const stats = promptStats(d, o.correctThreshold);
  // Prompts without text have all-zero embedding rows: their cosine means nothing, so they are set aside.
  const hasVector = new Uint8Array(n).fill(1);
  let noVector = 0;
  if (emb) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < emb.d; k++) s += emb.vectors[i * emb.d + k] * emb.vectors[i * emb.d + k];
      if (!(s > 1e-6)) {
        hasVector[i] = 0;
        noVector++;
      }
    }
    if (noVector) notes.push(`${noVector} prompt(s) without text (zero embedding) set aside from the pairwise model`);
  }
  const eligibleList: number[] = [];
  let undefinedPrompts = 0;
  let noResidual = 0;
  for (let i = 0; i < n; i++) {
    if (!pc.eligible[i] || stats.meanScore[i] !== stats.meanScore[i]) undefinedPrompts++;
    else if (pcQ3 && !pcQ3.eligible[i]) noResidual++;
    else if (hasVector[i]) eligibleList.push(i);
  }
  if (noResidual) notes.push(`${noResidual} prompt(s) set aside from the pairwise model: no residual variance (not estimated by the irt fit, or too few models)`);
  if (pcQ3) notes.push('main response: residual similarity (Q3) after the irt stage\'s one-ability-axis fit, i.e. co-variation beyond model strength; raw performance similarity is the secondary response');
  const eligible = Int32Array.from(eligibleList);
  const counts = { models: m, prompts: n, eligiblePrompts: eligible.length, excludedPrompts: n - eligible.length };
  if (undefinedPrompts > 0) notes.push(`${undefinedPrompts} prompt(s) set aside from the pairwise model: ${o.metric === 'pearson' ? 'no variance across models (all right or all wrong) or ' : ''}fewer than ${o.minCommonModels} models with a score`);

  const empty = (why: string, pairs: ExplainResult['pairs'] = null): ExplainOutput => {
    notes.push(why);
    return {
      result: { ...base, counts, pairs, r2: null, partialR2: null, uniqueR2: null, intercept: null, coefficients: [], mantel: null, excess: null, performance: null, droppedPredictors: [], effects: { semanticDeciles: [], nearestNeighbours: null, tags: [] }, notes },
      membership: tagSet.membership,
    };
  };
  if (eligible.length < 8) return empty(`pairwise model not fitted: only ${eligible.length} eligible prompt(s) (need 8)`);

  // Pairs and responses.
  const failureTags = tagSet.tags.map((t, c) => (FAILURE_KINDS.includes(t.kind) ? tagSet.membership[c] : null)).filter((x): x is Uint8Array => x !== null);
  const sample = samplePairs(eligible, n, emb ? knn : null, o.maxPairs, o.knnShare, rng.fork('pairs'), failureTags, o.tagShare);
  const P0 = sample.i.length;
  const y0 = new Float64Array(P0);
  for (let p = 0; p < P0; p++) y0[p] = pairSimilarity(pc, sample.i[p], sample.j[p]);
  const q0 = pcQ3 ? Float64Array.from({ length: P0 }, (_, p) => pairSimilarity(pcQ3, sample.i[p], sample.j[p])) : null;
  let ex0: Float64Array | null = null;
  if (inp.nullB && o.nullBSamples > 0) {
    const flat = new Int32Array(2 * P0);
    for (let p = 0; p < P0; p++) {
      flat[2 * p] = sample.i[p];
      flat[2 * p + 1] = sample.j[p];
    }
    reporter.info(`explain: Null B expectation of ${P0} pair similarities (${o.nullBSamples} replicates)`);
    const e = await inp.nullB(simScores, sm, n, flat, o.metric, o.nullBSamples, rng.fork('nullB'), o.minCommonModels);
    ex0 = new Float64Array(P0);
    for (let p = 0; p < P0; p++) ex0[p] = y0[p] - e[p];
  } else notes.push(inp.nullB ? 'excess over Null B not computed (--null-b-samples 0)' : 'excess over Null B not computed: the Null B expectation is unavailable');
  // Keep pairs with defined responses.
  const keep: number[] = [];
  for (let p = 0; p < P0; p++) if (y0[p] === y0[p] && (!ex0 || ex0[p] === ex0[p]) && (!q0 || q0[p] === q0[p])) keep.push(p);
  const P = keep.length;
  const I = Int32Array.from(keep, (p) => sample.i[p]);
  const J = Int32Array.from(keep, (p) => sample.j[p]);
  const w = Float64Array.from(keep, (p) => sample.weight[p]);
  const y = Float64Array.from(keep, (p) => y0[p]);
  const yEx = ex0 ? Float64Array.from(keep, (p) => ex0![p]) : null;
  const q = q0 ? Float64Array.from(keep, (p) => q0[p]) : null;
  const undefinedDropped = P0 - P;
  const pairsInfo = { design: sample.design, sampled: P, populationPairs: sample.populationPairs, knnPopulation: sample.knnPopulation, knnSampled: sample.knnSampled, tagPopulation: sample.tagPopulation, tagSampled: sample.tagSampled, randomSampled: sample.randomSampled, undefinedDropped };
  if (undefinedDropped) notes.push(`${undefinedDropped} sampled pair(s) dropped: similarity undefined (too few shared models or no variance over them)`);
  if (P < 30) return empty(`pairwise model not fitted: only ${P} pair(s) with a defined similarity`, pairsInfo);

  // Predictors.
  const specs: PredictorSpec[] = [];
  if (emb) specs.push({ name: 'semantic cosine', block: 'semantic', kind: 'cosine' });
  if (clusters && emb) specs.push({ name: 'same semantic cluster', block: 'semantic', kind: 'same', codes: clusters.assignments });
  else if (emb) notes.push('no semantic clustering: the "same semantic cluster" predictor is dropped');
  tagSet.tags.forEach((t, c) => {
    if (FAILURE_KINDS.includes(t.kind)) specs.push({ name: `both ${t.kind === 'user' ? t.id : t.label.split(' (')[0]}`, block: 'failure', kind: 'both', mem: tagSet.membership[c] });
  });
  for (const g of tagSet.groups) specs.push({ name: g.label, block: 'failure', kind: 'same', codes: g.codes });
  specs.push({ name: '|p_i − p_j|', block: 'difficulty', kind: 'absdiff', values: stats.meanScore });
  specs.push({ name: 'p_i + p_j', block: 'difficulty', kind: 'sum', values: stats.meanScore });

  const B = o.permutations;
  // Responses in a fixed order: the main one first (Q3 when there are residuals), then raw similarity, then its excess over Null B.
  const responses = [...(q ? [q] : []), y, ...(yEx ? [yEx] : [])];
  const prep = prepareMrqap({ specs, emb, I, J, w, responses, universe: eligible, n, minTagPairs: o.minTagPairs }, rng.fork('mrqap').int(0x7fffffff));
  let permCounts = null;
  if (B > 0 && prep.state) {
    const bar = reporter.bar('explain: MRQAP permutations', B, 'permutations');
    permCounts = await runner(prep.state, B, (k) => bar.tick(k));
    bar.stop();
  }
  const fit = finishMrqap(prep, permCounts, B);
  const main = fit.results[0];
  const performance = q ? fit.results[1] : null;
  const excess = fit.results[q ? 2 : 1] ?? null;
  for (const dp of fit.dropped) notes.push(`predictor "${dp.name}" dropped: ${dp.reason}`);

  // Readable effects.
  let W = 0;
  let sy = 0;
  for (let p = 0; p < P; p++) {
    W += w[p];
    sy += w[p] * y[p];
  }
  const meanAll = sy / W;
  let deciles: DecileBin[] = [];
  let nn: NearestNeighbourEffect | null = null;
  if (emb) {
    const s = new Float64Array(P);
    cosineAt(emb, I, J, null, s);
    deciles = decileCurve(s, y, yEx, w);
    // Same cosines and weights, so the same bins: add the residual similarity's mean per bin.
    if (q) {
      const dq = decileCurve(s, q, null, w);
      deciles.forEach((bin, b) => (bin.meanResidual = dq[b]?.meanSimilarity ?? null));
    }
    if (knn) {
      const bar2 = reporter.bar('explain: nearest-neighbour permutations', B, 'permutations');
      nn = nearestNeighbourEffect(knn, pc, eligible, meanAll, o.nnK, o.nnTestEdges, B, rng.fork('nn'), () => bar2.tick());
      bar2.stop();
    }
  }
  if (emb && main.mantel) {
    const ne = eligible.length;
    const allPairs = (ne * (ne - 1)) / 2;
    main.mantel.rAllPairs = null;
    main.mantel.allPairs = null;
    main.mantel.pAllPairs = null;
    main.mantel.pAllPairsTwoSided = null;
    main.mantel.allPairsPermutations = null;
    if (allPairs <= ALL_PAIRS_MANTEL_LIMIT) {
      // With every pair in the regression the sample test already is the all-pairs test.
      const sampled = sample.design === 'stratified';
      const affordable = Math.min(B, Math.floor(ALL_PAIRS_MANTEL_BUDGET / Math.max(1, allPairs)));
      const perms = sampled && affordable >= ALL_PAIRS_MANTEL_MIN_PERMUTATIONS ? affordable : 0;
      const bar3 = perms ? reporter.bar('explain: all-pairs Mantel permutations', perms, 'permutations') : null;
      const exact = allPairsMantelTest(emb.vectors, emb.d, pcQ3 ?? pc, eligible, perms, rng.fork('mantel-all-pairs'), () => bar3?.tick());
      bar3?.stop();
      main.mantel.rAllPairs = exact.r;
      main.mantel.allPairs = exact.pairs;
      if (!sampled) {
        main.mantel.pAllPairs = main.mantel.p;
        main.mantel.pAllPairsTwoSided = main.mantel.pTwoSided;
        main.mantel.allPairsPermutations = main.mantel.p === null ? null : B;
      } else if (exact.p !== null) {
        main.mantel.pAllPairs = exact.p;
        main.mantel.pAllPairsTwoSided = exact.pTwoSided;
        main.mantel.allPairsPermutations = exact.permutations;
        if (exact.permutations < B) notes.push(`the all-pairs Mantel p uses ${exact.permutations} permutations (of ${B}) to bound its cost (${allPairs} pairs each)`);
      } else if (B > 0) notes.push(`the Mantel p-value belongs to the sampled pairs' r: a permutation test over all ${allPairs} pairs would exceed the cost bound`);
    } else notes.push(`the Mantel r and p come from the sample of pairs: the exact all-pairs statistic is computed up to ${ALL_PAIRS_MANTEL_LIMIT} pairs (here ${allPairs})`);
  }
  const tagEffects = tagSet.tags.map((t, c) => tagEffect(t.id, tagSet.membership[c], I, J, y, yEx, w));

  return {
    result: {
      ...base,
      counts,
      pairs: pairsInfo,
      r2: main.r2,
      partialR2: main.partialR2,
      uniqueR2: main.uniqueR2,
      intercept: main.intercept,
      coefficients: main.coefficients,
      mantel: main.mantel,
      excess,
      performance,
      droppedPredictors: fit.dropped,
      effects: { semanticDeciles: deciles, nearestNeighbours: nn, tags: tagEffects },
      notes,
    },
    membership: tagSet.membership,
  };
}
