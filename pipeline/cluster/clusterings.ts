/**
 * The cluster stage's computation (pure): semantic clusters on prompt embeddings, performance
 * clusters on standardised performance vectors, and the given categories from item metadata.
 */
import type { Rng } from '../core/rng.ts';
import { cappedSampleSize } from '../core/caps.ts';
import type { Item } from '../core/dataset.ts';
import type { Clustering, Clusterings } from './index.ts';
import { clusterPoints, defaultKMax, DEFAULT_MAX_FIT_VALUES, nearestCentroids, type ChosenClustering, type KmeansOptions } from './cluster.ts';
import { performanceVectors, type PerformanceVectors } from './performance.ts';
import { canonicalLabels, fitKmeans, toRows } from './kmeans.ts';
import { distinctiveWords, opening } from './labels.ts';

/**
 * Performance vectors use at most this many models (a seeded sample beyond it). Every k-means pass
 * costs prompts × k × models: at 30,000 prompts, 500 models took 4 minutes; 120 keeps every shared
 * benchmark (toxicity has 116 models) exact.
 */
export const MAX_PERFORMANCE_MODELS = 120;
/**
 * Above this many points × dimensions × k per pass, the inference partition's k-means (k ≈ √n, up
 * to 200 centroids) is fitted on a seeded point sample and every point assigned to its nearest
 * centroid; every shared benchmark is below it (MMLU-Pro's semantic partition: 6.8e8).
 */
export const MAX_INFERENCE_FIT_WORK = 1e9;

export interface ClusteringInputs {
  items: Item[];
  m: number;
  /** m × n row-major scores, NaN = missing. */
  scores: Float64Array;
  /** n × dims L2-normalised embeddings, or null (no text / embed not run). */
  embeddings: { vectors: Float32Array; dims: number } | null;
  /** Why embeddings are null (goes into the notes). */
  embeddingsMissingReason?: string;
}

export interface ClusteringOptions {
  kmeans: KmeansOptions;
  /** Fixed k for performance clusters (default: the same search). */
  performanceK: number | null;
  categoryField: string;
}

function sizesOf(assignments: Int32Array, k: number): number[] {
  const s = new Array<number>(k).fill(0);
  for (const a of assignments) if (a >= 0) s[a]++;
  return s;
}

/** Assignments over all n prompts from a clustering of the subset `rows` (the others −1). */
function spread(sub: Int32Array, rows: ArrayLike<number>, n: number): Int32Array {
  const out = new Int32Array(n).fill(-1);
  for (let r = 0; r < rows.length; r++) out[rows[r]] = sub[r];
  return out;
}

/** A k-means result on the prompts `rows`, as a Clustering over all n prompts. */
function subsetClustering(kind: 'semantic' | 'performance', c: ChosenClustering, rows: ArrayLike<number>, assignments: Int32Array, labels: string[]): Clustering {
  return {
    kind,
    k: c.k,
    assignments,
    sizes: sizesOf(assignments, c.k),
    silhouette: Number.isFinite(c.silhouette) ? c.silhouette : null,
    labels,
    medoids: c.medoids.map((r) => rows[r]),
    kSelection: c.kSelection,
    silhouetteByK: c.silhouetteByK,
    silhouettePoints: c.silhouettePoints,
    stability: c.stability,
    unassigned: assignments.length - rows.length,
  };
}

export function categoryClustering(items: Item[], field: string): { clustering: Clustering | null; note?: string } {
  const values = items.map((it) => (Object.prototype.hasOwnProperty.call(it.metadata, field) ? it.metadata[field] : undefined));
  const present = values.filter((v) => v !== undefined && v !== null && String(v).trim() !== '').length;
  if (present === 0) return { clustering: null, note: `no item has a "${field}" metadata field: no given categories` };
  const names = values.map((v) => (v === undefined || v === null || String(v).trim() === '' ? '(none)' : String(v)));
  const labels = [...new Set(names)].sort();
  const index = new Map(labels.map((l, j) => [l, j]));
  const assignments = Int32Array.from(names.map((nm) => index.get(nm)!));
  const k = labels.length;
  const clustering: Clustering = { kind: 'category', k, assignments, sizes: sizesOf(assignments, k), silhouette: null, labels, kSelection: 'metadata', unassigned: 0, field };
  const notes: string[] = [];
  if (present < items.length) notes.push(`${items.length - present} items have no "${field}": grouped as "(none)"`);
  if (k > items.length / 2) notes.push(`"${field}" has ${k} distinct values for ${items.length} items: it looks like an identifier rather than a category`);
  return { clustering, note: notes.length ? notes.join('; ') : undefined };
}

export function computeClusterings(input: ClusteringInputs, opt: ClusteringOptions, rng: Rng, onStep?: (what: string) => void): Clusterings & { notes: string[] } {
  const { items, m, scores } = input;
  const n = items.length;
  const notes: string[] = [];

  let semantic: Clustering | null = null;
  if (!input.embeddings) {
    notes.push(`no semantic clusters: ${input.embeddingsMissingReason ?? 'no embeddings'}`);
  } else {
    // Prompts without text have zero embeddings: they are left out (unassigned), not clustered together.
    const withText: number[] = [];
    items.forEach((it, i) => {
      if (it.text !== null && it.text.trim() !== '') withText.push(i);
    });
    const nt = withText.length;
    if (nt < 3) notes.push(`no semantic clusters: fewer than 3 prompts with text (${nt})`);
    else {
      const { vectors, dims } = input.embeddings;
      let data: Float32Array = vectors;
      if (nt < n) {
        data = new Float32Array(nt * dims);
        withText.forEach((i, r) => data.set(vectors.subarray(i * dims, (i + 1) * dims), r * dims));
      }
      const ko = { ...opt.kmeans, kMax: defaultKMax(nt, opt.kmeans.kMin, opt.kmeans.kMax) };
      const c = clusterPoints(data, nt, dims, ko, rng.fork('semantic'), (w) => onStep?.(`semantic ${w}`));
      if (c.fitPoints) notes.push(`semantic clusters were fitted on a seeded sample of ${c.fitPoints} of the ${nt} prompts with text; every prompt was then assigned to its nearest centroid`);
      const assignments = spread(c.assignments, withText, n);
      const central = c.central.map((rows) => rows.map((r) => withText[r]));
      const texts = items.map((it) => it.text);
      const words = distinctiveWords(texts, assignments, c.k);
      const examples = central.map((rows) => rows.slice(0, 2).map((i) => (texts[i] ? opening(texts[i]!) : `(item ${items[i].id})`)));
      const labels = words.map((w, j) => (w.length ? w.slice(0, 3).join(', ') : examples[j][0] ?? `cluster ${j}`));
      semantic = { ...subsetClustering('semantic', c, withText, assignments, labels), words, examples };
      if (n - nt > 0) notes.push(`semantic clusters use the ${nt} of ${n} prompts with text; the ${n - nt} without text are in no semantic cluster`);
    }
  }

  let performance: Clustering | null = null;
  if (m < 2) notes.push('no performance clusters: fewer than 2 models');
  else {
    // Beyond MAX_PERFORMANCE_MODELS models a prompt's performance vector is its scores on a seeded
    // sample of that many: its correlations with other prompts are as well estimated, and every
    // k-means pass costs prompts × k × models.
    const { pv, dims } = sampledPerformanceVectors(scores, m, n, rng.fork('performance-models'));
    if (dims < m) notes.push(`performance clusters use the scores of a seeded sample of ${dims} of the ${m} models as each prompt's performance vector`);
    const nv = pv.varying.length;
    if (nv < 3) notes.push(`no performance clusters: only ${nv} prompts vary across models`);
    else {
      const data = toRowMajor(pv.z, pv.varying, dims);
      const ko = { ...opt.kmeans, k: opt.performanceK, kMax: defaultKMax(nv, opt.kmeans.kMin, opt.kmeans.kMax) };
      const c = clusterPoints(data, nv, dims, ko, rng.fork('performance'), (w) => onStep?.(`performance ${w}`));
      if (c.fitPoints) notes.push(`performance clusters were fitted on a seeded sample of ${c.fitPoints} of the ${nv} prompts; every prompt was then assigned to its nearest centroid`);
      const assignments = spread(c.assignments, pv.varying, n);
      // Label: how many models get the cluster's prompts right on average.
      const labels = Array.from({ length: c.k }, (_, j) => {
        let s = 0;
        let cnt = 0;
        for (let r = 0; r < nv; r++) {
          if (c.assignments[r] !== j) continue;
          const i = pv.varying[r];
          for (let kk = 0; kk < m; kk++) {
            const v = scores[kk * n + i];
            if (v === v) {
              s += v;
              cnt++;
            }
          }
        }
        return `perf ${j}: mean score ${cnt ? (s / cnt).toFixed(2) : 'n/a'}`;
      });
      performance = subsetClustering('performance', c, pv.varying, assignments, labels);
      if (n - nv > 0) notes.push(`${n - nv} zero-variance prompts (every model${dims < m ? " of the sample" : ""} right, or every model wrong) are not in any performance cluster`);
    }
  }

  const cat = categoryClustering(items, opt.categoryField);
  if (cat.note) notes.push(cat.note);
  const inference = inferenceClustering(input, cat.clustering, rng.fork('inference'), opt.kmeans.maxIterations);
  if (!inference) notes.push('no inference partition: too few prompts');
  return { semantic, performance, category: cat.clustering, inference, notes };
}

/** Given categories are used for inference from this many up. */
export const MIN_INFERENCE_CATEGORIES = 30;

/**
 * k of the inference partition: ≈ √n bounded to [30, 200] (Cameron, Gelbach & Miller 2008; MacKinnon &
 * Webb: cluster-robust inference needs tens of clusters), and at most n/3 so clusters are not mostly singletons.
 */
export function inferenceK(n: number): number {
  return Math.min(Math.max(30, Math.min(200, Math.round(Math.sqrt(n)))), Math.floor(n / 3));
}

/**
 * The partition used for uncertainty, chosen for validity rather than display: a finer semantic
 * k-means (k = inferenceK(n)) when there are embeddings; else the given categories when there are at
 * least MIN_INFERENCE_CATEGORIES of them; else performance clusters at the same k (prompts every model
 * gets right, or every model wrong, form one cluster per constant score). Null below 6 prompts.
 */
export function inferenceClustering(input: ClusteringInputs, category: Clustering | null, rng: Rng, maxIterations: number): Clustering | null {
  const { items, m, scores } = input;
  const n = items.length;
  const k = inferenceK(n);
  if (k < 2) return null;
  const make = (basis: 'semantic' | 'category' | 'performance', assignments: Int32Array, kk: number, reason: string): Clustering => ({
    kind: 'inference',
    k: kk,
    assignments,
    sizes: sizesOf(assignments, kk),
    silhouette: null,
    labels: Array.from({ length: kk }, (_, j) => `${basis} ${j}`),
    kSelection: basis === 'category' ? 'metadata' : 'given',
    unassigned: 0,
    basis,
    reason,
  });
  const withText: number[] = [];
  items.forEach((it, i) => {
    if (it.text !== null && it.text.trim() !== '') withText.push(i);
  });
  if (input.embeddings && inferenceK(withText.length) >= 2) {
    const { vectors, dims } = input.embeddings;
    const nt = withText.length;
    const data = new Float32Array(nt * dims);
    withText.forEach((i, r) => data.set(vectors.subarray(i * dims, (i + 1) * dims), r * dims));
    const fit = inferenceKmeans(data, null, nt, dims, inferenceK(nt), rng.fork('semantic'), maxIterations);
    // Prompts without text have no embedding: together they form one more cluster (dependence among
    // them is then allowed for, not assumed away).
    const assignments = new Int32Array(n).fill(fit.k);
    withText.forEach((i, r) => (assignments[i] = fit.assignments[r]));
    const extra = nt < n ? 1 : 0;
    const why = `semantic k-means with k ≈ √n = ${fit.k} (bounded to 30–200${fitSampleText(fit, nt)}): enough clusters for cluster-robust intervals, unlike the display clusters chosen by silhouette`;
    return make('semantic', assignments, fit.k + extra, extra ? `${why}; the ${n - nt} prompts without text form one more cluster` : why);
  }
  if (category && category.k >= MIN_INFERENCE_CATEGORIES) {
    return make('category', category.assignments, category.k, `the ${category.k} given categories ("${category.field}"), enough for cluster-robust intervals (no prompt embeddings)`);
  }
  if (m < 2) return null;
  const { pv, dims } = sampledPerformanceVectors(scores, m, n, rng.fork('performance-models'));
  const { assignments, fitPoints } = performanceInferenceAssignments(pv, dims, n, k, rng.fork('performance'), maxIterations);
  const kk = Math.max(...assignments) + 1;
  const why = category ? `only ${category.k} given categories, fewer than ${MIN_INFERENCE_CATEGORIES}` : 'no given categories';
  const sampledText = `${dims < m ? `; vectors over a seeded sample of ${dims} of the ${m} models` : ''}${fitSampleText({ fitPoints }, pv.varying.length)}`;
  return make('performance', assignments, kk, `performance k-means with k ≈ √n bounded to 30–200 (no prompt embeddings; ${why}${sampledText}), prompts that every model gets right, or every model wrong, forming one cluster each`);
}

export function performanceInferenceAssignments(pv: PerformanceVectors, m: number, n: number, k: number, rng: Rng, maxIterations: number, maxFitValues = DEFAULT_MAX_FIT_VALUES): { assignments: Int32Array; fitPoints: number } {
  const assignments = new Int32Array(n).fill(-1);
  const nv = pv.varying.length;
  let next = 0;
  let fitPoints = nv;
  if (nv >= 2) {
    const fit = inferenceKmeans(pv.z, pv.varying, nv, m, k, rng, maxIterations, maxFitValues);
    for (let r = 0; r < nv; r++) assignments[pv.varying[r]] = fit.assignments[r];
    next = fit.k;
    fitPoints = fit.fitPoints;
  } else if (nv === 1) assignments[pv.varying[0]] = next++;
  const constants = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (assignments[i] >= 0) continue;
    const c = pv.constant[i];
    let g = constants.get(c);
    if (g === undefined) {
      g = next++;
      constants.set(c, g);
    }
    assignments[i] = g;
  }
  return { assignments, fitPoints };
}

/** Performance vectors over all models, or over a seeded sample of MAX_PERFORMANCE_MODELS of them. */
function sampledPerformanceVectors(scores: Float64Array, m: number, n: number, rng: Rng): { pv: PerformanceVectors; dims: number } {
  const dims = Math.min(m, MAX_PERFORMANCE_MODELS);
  if (dims === m) return { pv: performanceVectors(scores, m, n), dims };
  return { pv: performanceVectors(toRowMajor(scores, rng.sample(m, dims).sort(), n), dims, n), dims };
}

/** The rows `idx` of a row-major matrix with row length d, packed in that order. */
function toRowMajor(z: Float32Array | Float64Array, idx: Int32Array, d: number): Float64Array {
  const out = new Float64Array(idx.length * d);
  idx.forEach((i, r) => out.set(z.subarray(i * d, (i + 1) * d), r * d));
  return out;
}

/**
 * k-means of the inference partition over n points (rows `rows` of the row-major matrix `data`, or
 * its first n rows). Above maxFitValues values, or MAX_INFERENCE_FIT_WORK values × k, it is fitted on
 * a seeded sample of points (at least 20 per centroid) and every point is assigned to its nearest
 * centroid (labels renumbered by size, empty clusters dropped):
 * k ≈ √n means hundreds of centroids, and a pass over 30,000 prompts × 768 dimensions × 173 of them
 * repeated for up to 100 iterations would take hours.
 */
function inferenceKmeans(data: Float32Array | Float64Array, rows: Int32Array | null, n: number, d: number, k: number, rng: Rng, maxIterations: number, maxFitValues = DEFAULT_MAX_FIT_VALUES): { assignments: Int32Array; k: number; fitPoints: number } {
  const keep = cappedSampleSize(n, d, Math.min(maxFitValues, MAX_INFERENCE_FIT_WORK / Math.max(1, k)), Math.min(n, 20 * k));
  if (keep === null) {
    const fit = fitKmeans(rows ? toRows(data, n, d, rows) : toRows(data, n, d), Math.min(k, n), rng, maxIterations);
    return { assignments: fit.assignments, k: fit.k, fitPoints: n };
  }
  const picked = rng.fork('fit-sample').sample(n, keep).sort();
  const fit = fitKmeans(toRows(data, n, d, rows ? Int32Array.from(picked, (r) => rows[r]) : picked), Math.min(k, picked.length), rng, maxIterations);
  const packed = rows ? toRowMajor(data, rows, d) : data;
  const near = nearestCentroids(packed, n, d, fit.centroids, fit.k);
  const { labels, k: kOut } = canonicalLabels(Array.from(near));
  return { assignments: Int32Array.from(labels), k: kOut, fitPoints: picked.length };
}

function fitSampleText(fit: { fitPoints: number }, n: number): string {
  return fit.fitPoints < n ? `; fitted on a seeded sample of ${fit.fitPoints} of the ${n} prompts, every prompt then assigned to its nearest centroid` : '';
}
