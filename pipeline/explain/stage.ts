/** `covary explain`: tag failure categories, fit the pairwise explanation model, save. */
import { checkMatrixStageMemory } from '../core/memory.ts';
import type { StageContext, StageModule } from '../core/stage.ts';
import { createRng } from '../core/rng.ts';
import { CovaryError, isCovaryError } from '../core/errors.ts';
import { sha256File } from '../core/hash.ts';
import { loadEmbeddings } from '../embed/index.ts';
import { loadKnnGraph, type KnnGraph } from '../index/index.ts';
import { loadClusterings, type Clustering } from '../cluster/index.ts';
import { nullBPairExpectationParallel } from '../correlate/index.ts';
import { DEFAULT_OPTIONS, resolveOptions, type ExplainOptions, type PerfMetric } from './options.ts';
import { explain } from './explain.ts';
import { readUserTagsFile } from './user-tags.ts';
import { permutationRunnerFor } from './parallel.ts';
import { inThreadPermutations } from './mrqap.ts';
import { availableParallelism } from 'node:os';
import type { Embedding } from './design.ts';
import type { UserTags } from './tags.ts';
import { irtResiduals } from './irt-input.ts';

/** Peak memory in 8·m·n-byte matrices (the scores, the Float32 residuals and the similarity columns of a 1,000-model sample: 3,885 MiB measured at 5,000 × 30,000, 3,995 MiB estimated). */
const EXPLAIN_MATRIX_COPIES = 3.3;

const D = DEFAULT_OPTIONS;

/** argv key (yargs camelCase) → option name. */
const NUMERIC: [keyof ExplainOptions, string][] = [
  ['permutations', 'permutations'],
  ['maxPairs', 'max-pairs'],
  ['knnShare', 'knn-share'],
  ['tagShare', 'tag-share'],
  ['correctThreshold', 'correct-threshold'],
  ['hardThreshold', 'hard-threshold'],
  ['formatThreshold', 'format-threshold'],
  ['distractorThreshold', 'distractor-threshold'],
  ['distractorMinFailing', 'distractor-min-failing'],
  ['distractorAlpha', 'distractor-alpha'],
  ['lengthBins', 'length-bins'],
  ['maxCategories', 'max-categories'],
  ['nnK', 'nn-k'],
  ['nnTestEdges', 'nn-test-edges'],
  ['nullBSamples', 'null-b-samples'],
  ['minTagPairs', 'min-tag-pairs'],
  ['minCommonModels', 'min-common-models'],
];

async function optional<T>(ctx: StageContext, bench: string, what: string, stage: string, load: () => Promise<T | null>): Promise<{ value: T | null; hash: string }> {
  try {
    const value = await load();
    return { value, hash: (await ctx.store.stageHash(bench, stage)) ?? 'none' };
  } catch (err) {
    if (!isCovaryError(err)) throw err;
    ctx.reporter.warn(`explain: ${what} unavailable (${err.message}); run \`covary ${stage} --name ${bench}\` first for the semantic analysis`);
    return { value: null, hash: 'unavailable' };
  }
}

/** Explain options from argv, all but the metric (which defaults to the correlate stage's). */
function parsePartialOptions(argv: Record<string, unknown>): Partial<ExplainOptions> {
  const partial: Partial<ExplainOptions> = {};
  for (const [key, flag] of NUMERIC) {
    const camel = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = argv[camel];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new CovaryError(`--${flag} must be a number (got ${String(v)})`, { field: `--${flag}` });
    (partial as Record<string, unknown>)[key] = v;
  }
  if (typeof argv.categoryFields === 'string') partial.categoryFields = argv.categoryFields.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return partial;
}

export const stage: StageModule = {
  name: 'explain',
  describe: 'Explain prompt co-variation by semantic similarity and failure categories (tags, MRQAP, Mantel)',
  built: true,
  options: {
    workers: { type: 'number', describe: 'Worker threads for the permutation loop (default: up to 2; results do not depend on it)' },
    tags: { type: 'string', describe: 'User tags: JSONL {"id","tags":[...]} or CSV (id,tags with ";"-separated tags)' },
    metric: { type: 'string', choices: ['pearson', 'cosine', 'jaccard', 'hamming'], describe: 'Performance similarity (default: the correlate stage\'s metric, else pearson)' },
    permutations: { type: 'number', default: D.permutations, describe: 'Permutations for MRQAP, Mantel and the nearest-neighbour test' },
    'max-pairs': { type: 'number', default: D.maxPairs, describe: 'All pairs when there are at most this many, else a stratified sample of this size' },
    'knn-share': { type: 'number', default: D.knnShare, describe: 'Largest share of the pair sample taken by semantic kNN pairs' },
    'tag-share': { type: 'number', default: D.tagShare, describe: 'Largest share of the pair sample taken by pairs inside small failure tags' },
    'correct-threshold': { type: 'number', default: D.correctThreshold, describe: 'A score at or above this counts as correct (graded scores)' },
    'hard-threshold': { type: 'number', default: D.hardThreshold, describe: 'Hard prompt: share of models correct below this' },
    'format-threshold': { type: 'number', default: D.formatThreshold, describe: 'Format failure: share of models with no extracted answer above this' },
    'distractor-threshold': { type: 'number', default: D.distractorThreshold, describe: 'Shared wrong answer: share of failing models picking the most common wrong answer at least this' },
    'distractor-min-failing': { type: 'number', default: D.distractorMinFailing, describe: 'Shared wrong answer needs at least this many failing models with an answer' },
    'distractor-alpha': { type: 'number', default: D.distractorAlpha, describe: 'Shared wrong answer must beat chance: K × binomial tail ≤ this, K = wrong answers seen (1 = no check)' },
    'length-bins': { type: 'number', default: D.lengthBins, describe: 'Prompt-length quantile bins (0 = none)' },
    'category-fields': { type: 'string', describe: 'Comma-separated metadata fields used as categories (default: automatic)' },
    'max-categories': { type: 'number', default: D.maxCategories, describe: 'Automatic category fields have at most this many values' },
    'nn-k': { type: 'number', default: D.nnK, describe: 'Semantic nearest neighbours per prompt for the nearest-neighbour effect' },
    'nn-test-edges': { type: 'number', default: D.nnTestEdges, describe: 'At most this many neighbour edges enter its permutation test' },
    'null-b-samples': { type: 'number', default: D.nullBSamples, describe: 'Null B replicates for each pair\'s expected similarity (0 = no excess response)' },
    'min-tag-pairs': { type: 'number', default: D.minTagPairs, describe: 'A tag predictor needs at least this many sampled pairs inside the tag' },
    'min-common-models': { type: 'number', default: D.minCommonModels, describe: 'Similarity needs at least this many models with both scores' },
  },
  validate: (argv) => void resolveOptions({ ...parsePartialOptions(argv), metric: (typeof argv.metric === 'string' ? argv.metric : 'pearson') as PerfMetric }),
  async run(ctx, bench, argv) {
    const partial = parsePartialOptions(argv);
    const correlateArt = await ctx.store.readStage<unknown>(bench, 'correlate');
    const correlateMetric = (correlateArt?.options as { metric?: PerfMetric } | undefined)?.metric;
    partial.metric = (typeof argv.metric === 'string' ? argv.metric : correlateMetric ?? 'pearson') as PerfMetric;
    const options = resolveOptions(partial);

    // Freshness first, from the manifest and the other inputs' hashes: a cached result is reused without
    // loading the matrix or the residuals (and without the memory guard, which is about computing it).
    const manifest = await ctx.store.readManifest(bench);
    let userTags: UserTags | null = null;
    let tagsHash = 'none';
    if (typeof argv.tags === 'string' && argv.tags !== '') {
      userTags = await readUserTagsFile(argv.tags);
      tagsHash = await sha256File(argv.tags);
    }
    const text = manifest.counts.itemsWithText > 0;
    const embR = text ? await optional(ctx, bench, 'embeddings', 'embed', () => loadEmbeddings(ctx.store, bench)) : { value: null, hash: 'no-text' };
    const knnR: { value: KnnGraph | null; hash: string } = text ? await optional(ctx, bench, 'kNN graph', 'index', () => loadKnnGraph(ctx.store, bench)) : { value: null, hash: 'no-text' };
    const clR: { value: Clustering | null; hash: string } = text
      ? await optional(ctx, bench, 'semantic clusters', 'cluster', async () => (await loadClusterings(ctx.store, bench)).semantic)
      : { value: null, hash: 'no-text' };
    const irtHash = (await irtResiduals(ctx, bench, manifest.contentHash, false)).hash;
    const inputs = { dataset: manifest.contentHash, embed: embR.hash, index: knnR.hash, cluster: clR.hash, tags: tagsHash, irt: irtHash };
    const stageOptions = { ...options, seed: ctx.seed, tagsFile: typeof argv.tags === 'string' ? argv.tags : null };
    if (!ctx.force && (await ctx.store.isFresh(bench, 'explain', inputs, stageOptions))) {
      return { stage: 'explain', status: 'cached', message: 'explanation is up to date', path: ctx.store.stagePath(bench, 'explain') };
    }
    await checkMatrixStageMemory(ctx, bench, 'explain', EXPLAIN_MATRIX_COPIES);
    const dataset = await ctx.store.loadDatasetMatching(bench, manifest.contentHash);
    const irtR = await irtResiduals(ctx, bench, manifest.contentHash);
    if (irtR.hash !== irtHash) throw new CovaryError('the irt result changed while explain was starting (irt re-run meanwhile?)', { file: ctx.store.stagePath(bench, 'irt') }, 'run the command again');
    const e = embR.value;
    const emb: Embedding | null = e ? { vectors: e.vectors, d: e.dims } : null;

    // Unknown ids in the user tag file: reported, never silently dropped.
    const notesExtra: string[] = [];
    if (irtR.note) {
      if (irtR.expected) ctx.reporter.info(`explain: ${irtR.note}`);
      else ctx.reporter.warn(`explain: ${irtR.note}`);
      notesExtra.push(irtR.note);
    }
    if (userTags) {
      const ids = new Set(dataset.items.map((it) => it.id));
      const unknown = [...userTags.byId.keys()].filter((id) => !ids.has(id));
      if (unknown.length) {
        const msg = `${unknown.length} of ${userTags.byId.size} item id(s) in ${argv.tags} are not in the benchmark (e.g. ${unknown.slice(0, 5).join(', ')})`;
        ctx.reporter.warn(`explain: ${msg}`);
        notesExtra.push(msg);
      }
    }

    const started = Date.now();
    const workers = typeof argv.workers === 'number' && Number.isInteger(argv.workers) && argv.workers >= 1 ? argv.workers : Math.min(2, availableParallelism());
    const runner = permutationRunnerFor(workers, options.permutations, options.maxPairs, emb?.d ?? 0) ?? inThreadPermutations;
    const { result, membership } = await explain(
      { dataset, embeddings: emb, knn: knnR.value, semanticClusters: clR.value, userTags, nullB: nullBPairExpectationParallel(workers), residuals: irtR.residuals },
      options,
      createRng(ctx.seed).fork('explain'),
      ctx.reporter,
      runner,
    );
    result.notes.unshift(...notesExtra);
    const n = dataset.items.length;
    const flat = new Uint8Array(membership.length * n);
    membership.forEach((mem, t) => flat.set(mem, t * n));
    await ctx.store.writeStage(bench, 'explain', { inputs, options: stageOptions, result }, membership.length ? { tagMembership: { data: flat, shape: [membership.length, n] } } : {});
    await ctx.store.appendLog(bench, `explain: ${((Date.now() - started) / 1000).toFixed(1)} s (${options.permutations} permutations, ${result.pairs?.sampled ?? 0} pairs)`);
    for (const note of result.notes) ctx.reporter.info(`explain: ${note}`);
    const sem = result.coefficients.find((c) => c.name === 'semantic cosine');
    const parts = [`${result.tags.filter((t) => t.count > 0).length} tags`, result.response === 'residual-similarity' ? 'main response: residual similarity (Q3)' : 'main response: performance similarity'];
    if (result.r2 !== null) parts.push(`R² ${result.r2.toFixed(3)}`);
    if (result.mantel) parts.push(`Mantel r ${result.mantel.r.toFixed(3)}${result.mantel.p !== null ? ` (p ${result.mantel.p.toPrecision(2)})` : ''}`);
    if (sem) parts.push(`semantic coefficient ${sem.estimate.toPrecision(3)}${sem.p !== null ? ` (p ${sem.p.toPrecision(2)})` : ''}`);
    return { stage: 'explain', status: 'computed', message: parts.join('; '), path: ctx.store.stagePath(bench, 'explain') };
  },
};
