/** `covary correlate`: loads the dataset, runs the correlate computation, stores the artifact. */
import { availableParallelism } from 'node:os';
import type { StageContext, StageModule, StageOutcome } from '../core/stage.ts';
import { CovaryError } from '../core/errors.ts';
import { correlate, CorrelateSkip, DEFAULT_OPTIONS, inThread, type CorrelateOptions, type Executors } from './analyze.ts';
import { DEFAULT_MAX_TEST_CELLS } from './pairs.ts';
import { topKParallel, workerRunner } from './parallel.ts';
import type { SimilarityMetric } from './index.ts';
import { checkMemory } from '../core/memory.ts';
import { correlateMemoryAdvice, estimateCorrelateMemory } from './memory.ts';

const METRICS: SimilarityMetric[] = ['pearson', 'cosine', 'jaccard', 'hamming'];

export function intOption(argv: Record<string, unknown>, key: string, flag: string, fallback: number, min: number): number {
  const v = argv[key];
  if (v === undefined || v === null) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new CovaryError(`${flag} must be an integer ≥ ${min}, got ${String(v)}`, { field: flag });
  return x;
}

export function parseOptions(argv: Record<string, unknown>): CorrelateOptions {
  const metric = (argv.metric ?? DEFAULT_OPTIONS.metric) as SimilarityMetric;
  if (!METRICS.includes(metric)) throw new CovaryError(`unknown metric ${JSON.stringify(metric)}`, { field: '--metric' }, `use one of ${METRICS.join(', ')}`);
  return {
    metric,
    permutations: intOption(argv, 'permutations', '--permutations', DEFAULT_OPTIONS.permutations, 1),
    permutationsB: intOption(argv, 'permutationsB', '--permutations-b', DEFAULT_OPTIONS.permutationsB, 1),
    pairSample: intOption(argv, 'pairSample', '--pair-sample', DEFAULT_OPTIONS.pairSample, 100),
    topK: intOption(argv, 'topK', '--top-k', DEFAULT_OPTIONS.topK, 0),
    minCommonModels: intOption(argv, 'minCommonModels', '--min-common-models', DEFAULT_OPTIONS.minCommonModels, 2),
    histogramBins: DEFAULT_OPTIONS.histogramBins,
    heatmapSize: DEFAULT_OPTIONS.heatmapSize,
    // Recorded only when given, so artifacts computed before the option existed stay fresh.
    ...(argv.maxTestCells === undefined || argv.maxTestCells === null ? {} : { maxTestCells: intOption(argv, 'maxTestCells', '--max-test-cells', DEFAULT_MAX_TEST_CELLS, 1000) }),
  };
}

/** Worker threads pay off only when the permutation loops are long (each worker starts in ~0.5 s). */
export function executorsFor(workers: number, m: number, n: number, o: CorrelateOptions): Executors {
  const work = (o.permutations + o.permutationsB) * Math.min(o.pairSample, (n * (n - 1)) / 2) * m;
  if (workers <= 1 || work < 2e9) return inThread;
  return { replicates: workerRunner(workers), topK: (p, k, tick) => topKParallel(p, k, workers, tick) };
}

export const stage: StageModule = {
  name: 'correlate',
  describe: 'Performance similarity between prompts and its significance under two nulls (column permutation; ability-preserving curveball / residual permutation)',
  built: true,
  validate: (argv) => void parseOptions(argv),
  options: {
    metric: { type: 'string', choices: METRICS, default: DEFAULT_OPTIONS.metric, describe: 'Similarity of two prompts\u2019 performance vectors' },
    permutations: { type: 'number', default: DEFAULT_OPTIONS.permutations, describe: 'Replicates B of Null A (column permutations)' },
    'permutations-b': { type: 'number', default: DEFAULT_OPTIONS.permutationsB, describe: 'Replicates B of Null B (ability-preserving)' },
    'pair-sample': { type: 'number', default: DEFAULT_OPTIONS.pairSample, describe: 'Prompt pairs for distribution statistics (all pairs when there are fewer)' },
    'top-k': { type: 'number', default: DEFAULT_OPTIONS.topK, describe: 'Most similar prompts kept per prompt' },
    'max-test-cells': { type: 'number', describe: `Models × prompts above which the tests and nulls run on a seeded prompt sample of about this many cells (default ${DEFAULT_MAX_TEST_CELLS}; every replicate costs this many cells)` },
    'min-common-models': { type: 'number', default: DEFAULT_OPTIONS.minCommonModels, describe: 'Fewest models with both scores for a pair similarity to count' },
    workers: { type: 'number', default: Math.min(2, availableParallelism()), describe: 'Worker threads for the permutation loops (results do not depend on it)' },
  },
  async run(ctx: StageContext, bench: string, argv: Record<string, unknown>): Promise<StageOutcome> {
    const o = parseOptions(argv);
    const workers = intOption(argv, 'workers', '--workers', Math.min(2, availableParallelism()), 1);
    const { store } = ctx;
    const manifest = await store.readManifest(bench);
    const inputs = { dataset: manifest.contentHash };
    const options: Record<string, unknown> = { ...o, seed: ctx.seed };
    const path = store.stagePath(bench, 'correlate');
    if (!ctx.force && (await store.isFresh(bench, 'correlate', inputs, options))) {
      return { stage: 'correlate', status: 'cached', message: 'up to date (use --force to recompute)', path };
    }
    {
      // From the manifest, before the matrix is loaded: too big for memory is a clear error, not an OOM crash.
      const { models: mm, items: nn } = manifest.counts;
      const threads = executorsFor(workers, mm, nn, o) === inThread ? 0 : workers;
      checkMemory('correlate', estimateCorrelateMemory(mm, nn, o, threads, manifest.counts.binary), ctx.memoryBudget, correlateMemoryAdvice(mm, nn, threads));
    }
    const { dataset } = await store.loadDataset(bench);
    const m = dataset.models.length;
    const n = dataset.items.length;
    const executors = executorsFor(workers, m, n, o);
    const started = Date.now();
    try {
      const out = await correlate({ scores: dataset.scores, m, n }, o, ctx.seed, ctx.reporter, executors);
      const k = out.topK.k;
      const h = out.result.heatmap.size;
      await store.writeStage(bench, 'correlate', { inputs, options, result: out.result }, {
        'topk-indices': { data: out.topK.indices, shape: [n, k] },
        'topk-values': { data: out.topK.values, shape: [n, k] },
        'heatmap-items': { data: out.heatmap.items, shape: [h] },
        'heatmap-values': { data: out.heatmap.values, shape: [h, h] },
        'nullA-replicates': { data: out.replicatesA, shape: [o.permutations, 3] },
        'nullB-replicates': { data: out.replicatesB, shape: [o.permutationsB, 3] },
      });
      const secs = (Date.now() - started) / 1000;
      await store.appendLog(bench, `correlate: ${secs.toFixed(1)} s, m=${m} n=${n} B_A=${o.permutations} B_B=${o.permutationsB} workers=${workers}`);
      const r = out.result;
      const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
      ctx.reporter.info(
        `${r.prompts.used} of ${n} prompts used (${r.prompts.zeroVariance.allCorrect} all correct, ${r.prompts.zeroVariance.allWrong} all wrong, ${r.prompts.tooFewModels} with too few models); mean ${r.metric} ${f(r.observed.mean)}`,
      );
      return {
        stage: 'correlate',
        status: 'computed',
        message:
          `mean ${r.metric} ${f(r.observed.mean)}; Null A z ${f(r.nullA.z, 1)} p ${f(r.nullA.p, 4)}; ` +
          `Null B (${r.nullB.method}) mean z ${f(r.nullB.z, 1)} p ${f(r.nullB.p, 4)}, mean squared z ${f(r.nullB.meanSquared.z, 1)} p ${f(r.nullB.meanSquared.p, 4)}, KS D ${f(r.nullB.ks.D)} p ${f(r.nullB.ks.p, 4)}`,
        path,
      };
    } catch (e) {
      if (!(e instanceof CorrelateSkip)) throw e;
      await store.writeStage(bench, 'correlate', { inputs, options, result: null, status: 'skipped', skipReason: e.message });
      return { stage: 'correlate', status: 'skipped', message: e.message, path };
    }
  },
};
