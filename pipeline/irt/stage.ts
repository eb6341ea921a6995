/** `covary irt`: loads the dataset (and correlate's options and Null B, when present), runs the irt computation, stores irt.json + arrays + irt-items.csv. */
import { checkMatrixStageMemory } from '../core/memory.ts';
import { availableParallelism } from 'node:os';
import type { StageModule } from '../core/stage.ts';
import { CovaryError } from '../core/errors.ts';
import type { CorrelationResult } from '../correlate/index.ts';
import { DEFAULT_OPTIONS as CORRELATE_DEFAULTS } from '../correlate/analyze.ts';
import { intOption } from '../correlate/stage.ts';
import { analyzeIrt, DEFAULT_IRT, IrtSkip, type IrtOptions } from './analyze.ts';
import { inThreadNullC, workerNullC } from './null.ts';
import type { IrtResult } from './index.ts';

/** Peak memory in 8·m·n-byte matrices (the scores, their shared copy for the fit threads and the Float32 residuals: 3,538 MiB measured at 5,000 × 30,000, 3,652 MiB estimated). */
const IRT_MATRIX_COPIES = 3;

export function parseGuessing(v: unknown): IrtOptions['guessing'] {
  if (v === undefined || v === null || v === 'none') return 'none';
  if (v === 'auto') return 'auto';
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0 || x >= 1) throw new CovaryError(`--guessing must be none, auto or a number in [0, 1), got ${String(v)}`, { field: '--guessing' });
  return x === 0 ? 'none' : x;
}

/** Items CSV: one row per prompt (id, difficulty, discrimination, guessing). */
export function itemsCsv(r: IrtResult): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const f = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '' : String(Number(x.toPrecision(6))));
  return ['id,difficulty,discrimination,guessing', ...r.items.map((it) => `${q(it.id)},${f(it.difficulty)},${f(it.discrimination)},${f(it.guessing ?? 0)}`)].join('\n') + '\n';
}

export const stage: StageModule = {
  name: 'irt',
  describe: 'Item response layer: unidimensional 2PL fit, Null C (one ability axis), cross-validated dimension, Yen\u2019s Q3 and residual groups',
  built: true,
  options: {
    prior: { type: 'string', choices: ['default', 'none'], default: 'default', describe: 'Bayes-modal priors on log a (empirical Bayes) and b; none = maximum likelihood' },
    guessing: { type: 'string', default: 'none', describe: 'Lower asymptote: none, auto (1/#options where the items show them) or a fixed c in [0, 1)' },
    'permutations-c': { type: 'number', default: DEFAULT_IRT.permutationsC, describe: 'Replicates B of Null C (parametric bootstrap)' },
    'q3-replicates': { type: 'number', default: DEFAULT_IRT.q3Replicates, describe: 'Null C replicates for the Q3 null' },
    folds: { type: 'number', default: DEFAULT_IRT.folds, describe: 'Folds of held-out cells for the dimension' },
    'max-dim': { type: 'number', default: DEFAULT_IRT.maxDim, describe: 'Largest dimension k tried' },
  },
  async run(ctx, bench, argv) {
    const prior = (argv.prior ?? 'default') as string;
    if (prior !== 'default' && prior !== 'none') throw new CovaryError(`--prior must be default or none, got ${prior}`, { field: '--prior' });
    const { store } = ctx;
    const manifest = await store.readManifest(bench);
    // Null C uses the correlate stage's similarity options (so its row sits beside Null A/B); Null B decides "none" vs "discrimination-only".
    const corr = await store.readStage<CorrelationResult | null>(bench, 'correlate');
    const co = (corr?.options ?? {}) as Record<string, unknown>;
    const o: IrtOptions = {
      prior,
      guessing: parseGuessing(argv.guessing),
      permutationsC: intOption(argv, 'permutationsC', '--permutations-c', DEFAULT_IRT.permutationsC, 1),
      q3Replicates: intOption(argv, 'q3Replicates', '--q3-replicates', DEFAULT_IRT.q3Replicates, 1),
      folds: intOption(argv, 'folds', '--folds', DEFAULT_IRT.folds, 2),
      maxDim: intOption(argv, 'maxDim', '--max-dim', DEFAULT_IRT.maxDim, 1),
      metric: (co.metric as IrtOptions['metric']) ?? CORRELATE_DEFAULTS.metric,
      pairSample: (co.pairSample as number) ?? CORRELATE_DEFAULTS.pairSample,
      minCommonModels: (co.minCommonModels as number) ?? CORRELATE_DEFAULTS.minCommonModels,
      ...(typeof co.maxTestCells === 'number' ? { maxTestCells: co.maxTestCells } : {}),
    };
    const correlateHash = await store.stageHash(bench, 'correlate');
    const inputs: Record<string, string> = { dataset: manifest.contentHash, correlate: correlateHash ?? 'absent' };
    // With a lower asymptote the item step changed (observed information, 3 Dec 2026): results made
    // before it, often unconverged, are recomputed.
    const options: Record<string, unknown> = { ...o, seed: ctx.seed, ...(o.guessing !== 'none' ? { itemStep: 'observed-information' } : {}) };
    const path = store.stagePath(bench, 'irt');
    if (!ctx.force && (await store.isFresh(bench, 'irt', inputs, options))) {
      return { stage: 'irt', status: 'cached', message: 'up to date (use --force to recompute)', path };
    }
    await checkMatrixStageMemory(ctx, bench, 'irt', IRT_MATRIX_COPIES);
    const { dataset } = await store.loadDataset(bench);
    const m = dataset.models.length;
    const n = dataset.items.length;
    const nullBp = corr && corr.status === 'ok' && corr.result ? corr.result.nullB.meanSquared.p : null;
    const workers = Math.min(2, availableParallelism());
    const runner = workers > 1 && m * n * o.permutationsC > 2e8 ? workerNullC(workers) : inThreadNullC;
    const started = Date.now();
    try {
      const out = await analyzeIrt(dataset, o, ctx.seed, nullBp, ctx.reporter, runner, workers);
      const binaries: Record<string, { data: Float32Array | Float64Array; shape: number[] }> = { residuals: { data: out.residuals, shape: [m, n] } };
      if (out.nullCReplicates) binaries['nullC-replicates'] = { data: out.nullCReplicates, shape: [o.permutationsC, 3] };
      await store.writeStage(bench, 'irt', { inputs, options, result: out.result }, binaries);
      const csv = await store.writeExport(bench, 'irt-items.csv', itemsCsv(out.result));
      await store.appendLog(bench, `irt: ${((Date.now() - started) / 1000).toFixed(1)} s, m=${m} n=${n} B_C=${o.permutationsC}`);
      const r = out.result;
      const f = (x: number | null | undefined, d = 3) => (x !== null && x !== undefined && Number.isFinite(x) ? x.toFixed(d) : 'n/a');
      const c = r.nullC;
      return {
        stage: 'irt',
        status: 'computed',
        message:
          `${r.model}, ${r.prior.kind === 'none' ? 'no priors' : 'priors'}, ${r.convergence.converged ? 'converged' : 'NOT converged'} in ${r.convergence.iterations} cycles${r.fitSample ? ` (EM on a sample of ${r.fitSample.prompts} of ${r.fitSample.of} prompts, then every prompt given the abilities)` : ''}, logLik ${f(r.logLik, 3)}; ` +
          (c ? `Null C mean squared z ${f(c.meanSquared.z, 1)} p ${f(c.meanSquared.p, 4)}, KS p ${f(c.ks.p, 4)}; ` : '') +
          `dimension ${r.dimension ?? 'n/a'}; families: ${r.families ?? 'no verdict'} (${r.familiesReason})\nitems: ${csv}`,
        path,
      };
    } catch (e) {
      if (!(e instanceof IrtSkip)) throw e;
      await store.writeStage(bench, 'irt', { inputs, options, result: null, status: 'skipped', skipReason: e.message });
      return { stage: 'irt', status: 'skipped', message: e.message, path };
    }
  },
};
