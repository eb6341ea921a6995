/** `covary reweight`: load dataset, clusterings, kNN graph and target mix; compute; save. */
import { checkMatrixStageMemory, formatCount } from '../core/memory.ts';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { StageModule } from '../core/stage.ts';
import { createRng } from '../core/rng.ts';
import { CovaryError, isCovaryError } from '../core/errors.ts';
import { sha256 } from '../core/hash.ts';
import { loadClusterings, type Clusterings } from '../cluster/index.ts';
import { loadKnnGraph, type KnnGraph } from '../index/index.ts';
import { computeReweighting, DEFAULT_REWEIGHT_OPTIONS, replicateBytes, type ReweightOptions } from './reweight.ts';
import { SCHEME_NAMES } from './schemes/index.ts';
import { WEBB_BELOW } from './bootstrap.ts';
import { parseTargetMix, type TargetMix } from './schemes/target-mix.ts';
import type { ReweightResult } from './types.ts';

/**
 * Peak memory: 2 matrices of 8·m·n bytes (the scores and what is derived from them) plus the
 * bootstrap replicates (`replicateBytes`: 2·S + 2 matrices of 8·B·m bytes and more). Measured (docs/scale.md, "The memory guard"): 5,000 × 30,000,
 * B = 1,000, 3 schemes: 2,454 MiB (estimated about 2,855); 2,000 × 2,000, B = 1,000: 412 (408); B = 5,000: 882 (897).
 */
const REWEIGHT_MATRIX_COPIES = 2;

/** How many schemes can be computed given what the earlier stages left (an upper bound: a scheme may still skip). */
function schemesThatMayApply(names: string[], c: Clusterings, knn: KnnGraph | null, mix: TargetMix | null): number {
  const needs: Record<string, boolean> = {
    'cluster-balanced': c.semantic !== null,
    representative: c.semantic !== null,
    'category-balanced': c.category !== null,
    'performance-cluster-balanced': c.performance !== null,
    'inverse-density': knn !== null,
    'target-mix': mix !== null,
  };
  return new Set(['uniform', ...names].filter((s) => needs[s] ?? true)).size;
}

function parseSchemes(v: unknown, hasMix: boolean): string[] {
  if (v === undefined || v === null) return [...SCHEME_NAMES]; // target-mix without a file is listed as skipped
  const list = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    if (!SCHEME_NAMES.includes(s)) throw new CovaryError(`unknown scheme "${s}"`, { field: '--schemes' }, `choose from ${SCHEME_NAMES.join(', ')}`);
  }
  if (list.includes('target-mix') && !hasMix) throw new CovaryError('scheme target-mix needs --target-mix <file.json>', { field: '--schemes' });
  if (hasMix && !list.includes('target-mix')) list.push('target-mix');
  return [...new Set(list)];
}

function posInt(v: unknown, flag: string, dflt: number, min: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new CovaryError(`${flag} must be an integer ≥ ${min} (got ${String(v)})`, { field: flag });
  return v;
}

function parseReweightOptions(argv: Record<string, unknown>, hasTargetMix: boolean): ReweightOptions {
  return {
    schemes: parseSchemes(argv.schemes, hasTargetMix),
    bootstrap: posInt(argv.bootstrap, '--bootstrap', DEFAULT_REWEIGHT_OPTIONS.bootstrap, 2),
    topK: posInt(argv.overlapK, '--overlap-k', DEFAULT_REWEIGHT_OPTIONS.topK, 1),
    correlationSample: posInt(argv.correlationSample, '--correlation-sample', DEFAULT_REWEIGHT_OPTIONS.correlationSample, 10),
    clusterSource: (typeof argv.bootstrapClusters === 'string' ? argv.bootstrapClusters : 'auto') as ReweightOptions['clusterSource'],
    clusterMethod: argv.clusterMethod === 'pairs' ? 'pairs' : 'wild',
  };
}

export const stage: StageModule = {
  name: 'reweight',
  describe: 'Re-weight prompts under alternative distributions and compare rankings against bootstrap noise',
  built: true,
  options: {
    schemes: { type: 'string', array: true, describe: `Schemes (comma-separated or repeated; default all that apply): ${SCHEME_NAMES.join(', ')}` },
    'target-mix': { type: 'string', describe: 'JSON file with a target share per category or cluster, e.g. {"by":"category","shares":{"math":0.5,"law":0.5}}' },
    bootstrap: { type: 'number', default: DEFAULT_REWEIGHT_OPTIONS.bootstrap, describe: 'Bootstrap replicates (prompt and cluster bootstrap each)' },
    'overlap-k': { type: 'number', default: DEFAULT_REWEIGHT_OPTIONS.topK, describe: 'k of the top-k overlap between rankings (top-5 by default)' },
    'correlation-sample': { type: 'number', default: DEFAULT_REWEIGHT_OPTIONS.correlationSample, describe: 'Partner prompts sampled per prompt for the correlation-adjusted scheme' },
    'bootstrap-clusters': {
      type: 'string',
      default: 'auto',
      choices: ['auto', 'inference', 'semantic', 'category', 'performance'],
      describe: 'Clusters for the cluster-robust intervals and the clustered SE (auto = inference: the cluster stage\'s partition with enough clusters for valid intervals)',
    },
    'cluster-method': {
      type: 'string',
      default: 'wild',
      choices: ['wild', 'pairs'],
      describe: 'Cluster-robust intervals: wild cluster bootstrap-t (residuals of whole clusters sign-flipped; covers at nominal even with few clusters) or pairs (whole clusters resampled, percentile)',
    },
  },
  validate: (argv) => void parseReweightOptions(argv, typeof argv.targetMix === 'string' && argv.targetMix !== ''),
  async run(ctx, bench, argv) {
    let targetMix: TargetMix | null = null;
    let mixHash = 'none';
    if (typeof argv.targetMix === 'string' && argv.targetMix !== '') {
      const file = resolve(argv.targetMix);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        throw new CovaryError('cannot read the target mix file', { file: argv.targetMix }, 'check the path');
      }
      targetMix = parseTargetMix(text, argv.targetMix);
      mixHash = sha256(text);
    }
    const options = parseReweightOptions(argv, targetMix !== null);
    // Freshness first, from the manifest and the small inputs: a cached result is reused without
    // loading the matrix (and without the memory guard, which is about computing it).
    const manifest = await ctx.store.readManifest(bench);
    const clusterings = await loadClusterings(ctx.store, bench);
    let knn: KnnGraph | null = null;
    let knnHash = 'none';
    const missing: { semantic?: string; knn?: string } = {};
    try {
      knn = await loadKnnGraph(ctx.store, bench);
      knnHash = (await ctx.store.stageHash(bench, 'index')) ?? 'none';
      if (!knn) missing.knn = 'the index stage was skipped: no prompt text';
    } catch (err) {
      if (!isCovaryError(err)) throw err;
      knnHash = 'unavailable';
      missing.knn = `${err.message} (run covary index --name ${bench})`;
    }
    if (!clusterings.semantic) {
      const art = await ctx.store.readStage<{ notes?: string[] }>(bench, 'cluster');
      const note = art?.result.notes?.find((x) => x.startsWith('no semantic clusters: '));
      if (note) missing.semantic = note.slice('no semantic clusters: '.length);
    }
    const inputs = {
      dataset: manifest.contentHash,
      cluster: (await ctx.store.stageHash(bench, 'cluster')) ?? 'none',
      index: knnHash,
      targetMix: mixHash,
    };
    const stageOptions = { ...options, webbBelow: WEBB_BELOW, targetMixFile: targetMix?.file ?? null, seed: ctx.seed };
    if (!ctx.force && (await ctx.store.isFresh(bench, 'reweight', inputs, stageOptions))) {
      return { stage: 'reweight', status: 'cached', message: 'reweighting is up to date', path: ctx.store.stagePath(bench, 'reweight') };
    }
    const S = schemesThatMayApply(options.schemes, clusterings, knn, targetMix);
    await checkMatrixStageMemory(ctx, bench, 'reweight', REWEIGHT_MATRIX_COPIES, {
      bytes: (m) => replicateBytes(m, S, clusterings, options),
      size: `with ${formatCount(options.bootstrap)} bootstrap replicates of ${S} scheme${S === 1 ? '' : 's'}`,
      advice: 'lower --bootstrap or name fewer --schemes',
    });
    const dataset = await ctx.store.loadDatasetMatching(bench, manifest.contentHash);
    const started = Date.now();
    const m = dataset.models.length;
    const n = dataset.items.length;
    const total = options.bootstrap * 2;
    const bar = ctx.reporter.bar('reweight bootstrap', total, 'replicates');
    const { result, weights } = computeReweighting(
      { models: dataset.models, scores: dataset.scores, clusterings, knn, targetMix, missing },
      options,
      createRng(ctx.seed).fork('reweight'),
      { onReplicate: () => bar.tick() },
    );
    bar.stop();
    const all = new Float64Array(weights.length * n);
    weights.forEach((w, j) => all.set(w, j * n));
    await ctx.store.writeStage<ReweightResult>(bench, 'reweight', { inputs, options: stageOptions, result }, { weights: { data: all, shape: [weights.length, n] } });
    await ctx.store.appendLog(bench, `reweight: ${((Date.now() - started) / 1000).toFixed(1)} s (${m} models × ${n} prompts, ${result.schemes.length} schemes, B=${options.bootstrap})`);
    for (const s of result.skipped) ctx.reporter.info(`reweight: ${s.name} skipped — ${s.reason}`);
    const lines = result.schemes
      .filter((s) => s.name !== 'uniform')
      .map((s) => `${s.name}: τ_b ${s.kendallTau.toFixed(3)}, max |Δrank| ${s.maxAbsRankShift}, ${s.pointSwaps} pair(s) reordered, ${s.significantSwaps} controlled swap(s)`);
    // Thousands of models can leave dozens in the set: the message names ten (report.json has all).
    const best = `may be best (95% set): ${result.tauBest.slice(0, 10).join(', ')}${result.tauBest.length > 10 ? ` and ${result.tauBest.length - 10} more` : ''}`;
    return { stage: 'reweight', status: 'computed', message: `${result.schemes.length} schemes, B=${options.bootstrap}\n  ${[...lines, best].join('\n  ')}`, path: ctx.store.stagePath(bench, 'reweight') };
  },
};
