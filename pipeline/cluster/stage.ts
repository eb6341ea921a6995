/** `covary cluster`: load dataset + embeddings, cluster, save assignments (binary) and summaries. */
import { checkMatrixStageMemory } from '../core/memory.ts';
import type { StageModule, StageContext } from '../core/stage.ts';
import { createRng } from '../core/rng.ts';
import { CovaryError, isCovaryError } from '../core/errors.ts';
import { loadEmbeddings } from '../embed/index.ts';
import { computeClusterings, MIN_INFERENCE_CATEGORIES } from './clusterings.ts';
import { DEFAULT_KMEANS_OPTIONS } from './cluster.ts';
import { CLUSTER_KINDS, type ClusterResult, type Clusterings } from './index.ts';

/** Peak memory in 8·m·n-byte matrices (the scores and the performance vectors: 2,421 MiB measured at 5,000 × 30,000, 2,508 MiB estimated). */
const CLUSTER_MATRIX_COPIES = 2;

function intOpt(argv: Record<string, unknown>, key: string, flag: string, min: number): number | null {
  const v = argv[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new CovaryError(`${flag} must be an integer ≥ ${min} (got ${String(v)})`, { field: flag });
  return v;
}

async function embeddingsFor(ctx: StageContext, bench: string, textPresent: boolean): Promise<{ emb: { vectors: Float32Array; dims: number } | null; reason?: string; hash: string }> {
  if (!textPresent) return { emb: null, reason: 'the benchmark has no prompt text', hash: 'no-text' };
  try {
    const e = await loadEmbeddings(ctx.store, bench);
    const hash = (await ctx.store.stageHash(bench, 'embed')) ?? 'none';
    if (!e) return { emb: null, reason: 'the embed stage was skipped (no prompt text)', hash };
    return { emb: { vectors: e.vectors, dims: e.dims }, hash };
  } catch (err) {
    if (!isCovaryError(err)) throw err;
    ctx.reporter.warn(`semantic clusters skipped: embeddings unavailable (${err.message}); run \`covary embed --name ${bench}\` first`);
    return { emb: null, reason: `${err.message} (run covary embed --name ${bench})`, hash: 'unavailable' };
  }
}

function parseClusterOptions(argv: Record<string, unknown>) {
  const kMin = intOpt(argv, 'kMin', '--k-min', 2) ?? DEFAULT_KMEANS_OPTIONS.kMin;
  const kMax = intOpt(argv, 'kMax', '--k-max', 2) ?? DEFAULT_KMEANS_OPTIONS.kMax;
  if (kMax < kMin) throw new CovaryError(`--k-max (${kMax}) is below --k-min (${kMin})`, { field: '--k-max' });
  return {
    kmeans: {
      k: intOpt(argv, 'k', '--k', 1),
      kMin,
      kMax,
      restarts: intOpt(argv, 'restarts', '--restarts', 1) ?? DEFAULT_KMEANS_OPTIONS.restarts,
      silhouetteSample: intOpt(argv, 'silhouetteSample', '--silhouette-sample', 10) ?? DEFAULT_KMEANS_OPTIONS.silhouetteSample,
      maxIterations: DEFAULT_KMEANS_OPTIONS.maxIterations,
    },
    performanceK: intOpt(argv, 'performanceK', '--performance-k', 1),
    categoryField: typeof argv.categoryField === 'string' ? argv.categoryField : 'category',
  };
}

export const stage: StageModule = {
  name: 'cluster',
  describe: 'Cluster prompts semantically (embeddings) and by performance; read given categories',
  built: true,
  options: {
    k: { type: 'number', describe: 'Fixed number of semantic clusters (default: best mean silhouette over --k-min..--k-max)' },
    'k-min': { type: 'number', default: DEFAULT_KMEANS_OPTIONS.kMin, describe: 'Smallest k tried' },
    'k-max': { type: 'number', default: DEFAULT_KMEANS_OPTIONS.kMax, describe: 'Largest k tried (also capped at √n)' },
    'performance-k': { type: 'number', describe: 'Fixed number of performance clusters (default: silhouette search)' },
    restarts: { type: 'number', default: DEFAULT_KMEANS_OPTIONS.restarts, describe: 'k-means runs with different seeds (best kept; their agreement = stability)' },
    'silhouette-sample': { type: 'number', default: DEFAULT_KMEANS_OPTIONS.silhouetteSample, describe: 'Above this many prompts, choose k and compute silhouettes on a seeded sample of this size' },
    'category-field': { type: 'string', default: 'category', describe: 'Item metadata field holding the given category' },
  },
  validate: (argv) => void parseClusterOptions(argv),
  async run(ctx, bench, argv) {
    const options = parseClusterOptions(argv);
    // Freshness first, from the manifest: a cached result is reused without loading the matrix
    // (and without the memory guard, which is about computing it).
    const manifest = await ctx.store.readManifest(bench);
    const { emb, reason, hash } = await embeddingsFor(ctx, bench, manifest.counts.itemsWithText > 0);
    const inputs = { dataset: manifest.contentHash, embed: hash };
    // The inference partition's rule is part of the options so results made before it are recomputed.
    const stageOptions = { ...options, inference: { k: 'sqrt(n) in [30, 200]', minCategories: MIN_INFERENCE_CATEGORIES }, seed: ctx.seed };
    if (!ctx.force && (await ctx.store.isFresh(bench, 'cluster', inputs, stageOptions))) {
      return { stage: 'cluster', status: 'cached', message: 'clusterings are up to date', path: ctx.store.stagePath(bench, 'cluster') };
    }
    await checkMatrixStageMemory(ctx, bench, 'cluster', CLUSTER_MATRIX_COPIES);
    const dataset = await ctx.store.loadDatasetMatching(bench, manifest.contentHash);
    const started = Date.now();
    const steps = (options.kmeans.k === null ? options.kmeans.kMax - options.kmeans.kMin + 2 : 1) * 2;
    const bar = ctx.reporter.bar('cluster', steps, 'fits');
    const c: Clusterings & { notes: string[] } = computeClusterings(
      { items: dataset.items, m: dataset.models.length, scores: dataset.scores, embeddings: emb, embeddingsMissingReason: reason },
      options,
      createRng(ctx.seed).fork('cluster'),
      () => bar.tick(),
    );
    bar.stop();
    const result: ClusterResult = { semantic: null, performance: null, category: null, inference: null, notes: c.notes };
    const binaries: Record<string, { data: Int32Array; shape: number[] }> = {};
    for (const kind of CLUSTER_KINDS) {
      const cl = c[kind];
      if (!cl) continue;
      const { assignments, ...summary } = cl;
      result[kind] = summary;
      binaries[`${kind}Assignments`] = { data: assignments, shape: [assignments.length] };
    }
    await ctx.store.writeStage(bench, 'cluster', { inputs, options: stageOptions, result }, binaries);
    await ctx.store.appendLog(bench, `cluster: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const parts = CLUSTER_KINDS.filter((k) => c[k]).map((k) => {
      const cl = c[k]!;
      return `${k} k=${cl.k}${cl.silhouette !== null ? ` (silhouette ${cl.silhouette.toFixed(3)}${cl.stability ? `, ARI ${cl.stability.meanAri.toFixed(2)}` : ''})` : ''}`;
    });
    for (const note of c.notes) ctx.reporter.info(`cluster: ${note}`);
    return { stage: 'cluster', status: 'computed', message: parts.length ? parts.join('; ') : 'no clustering could be made', path: ctx.store.stagePath(bench, 'cluster') };
  },
};
