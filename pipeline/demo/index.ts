/**
 * `covary demo` (and `covary run --demo`): generate the synthetic demo benchmark from the seed,
 * save it as a canonical dataset and write its ground truth beside it (`ground-truth.json`).
 * What is planted, and why, is documented in docs/demo.md.
 */
import type { Options } from 'yargs';
import { CovaryError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';
import type { StageContext, StageOutcome } from '../core/stage.ts';
import { contentHashOf, validateBenchmarkName, type ArtifactStore, type StageArtifact } from '../core/store.ts';
import { countMissing, hasText, isBinary } from '../core/dataset.ts';
import { stableStringify } from '../core/hash.ts';
import { generateDemo, validateDemoOptions, type DemoOptions } from './generator.ts';
import { DEMO_GENERATOR_VERSION } from './plan.ts';
import type { DemoTruth } from './truth.ts';

export { generateDemo, type DemoOptions } from './generator.ts';
export type { DemoTruth, DemoModelTruth, DemoItemTruth, DemoFamilyTruth, DemoTrickTruth } from './truth.ts';

/** The stage name under which the ground truth is stored (`<bench>/ground-truth.json`). */
export const GROUND_TRUTH_STAGE = 'ground-truth';

export const demoOptions: Record<string, Options> = {
  models: { type: 'number', default: 40, describe: 'Demo: number of models (12–500)' },
  prompts: { type: 'number', default: 1200, describe: 'Demo: number of prompts (120–3000)' },
};

const fmt = (x: number): string => x.toLocaleString('en-US');

function optionsFrom(ctx: StageContext, argv: Record<string, unknown>): DemoOptions {
  const name = validateBenchmarkName(typeof argv.name === 'string' ? argv.name : 'demo');
  const o: DemoOptions = { name, models: Number(argv.models ?? 40), prompts: Number(argv.prompts ?? 1200), seed: ctx.seed };
  validateDemoOptions(o);
  if (!Number.isInteger(o.seed)) throw new CovaryError(`--seed must be a whole number, got ${o.seed}`, { field: '--seed' });
  return o;
}

/** Generate (or reuse, when identical) the demo benchmark named `argv.name` (default "demo"). */
export async function ensureDemo(ctx: StageContext, argv: Record<string, unknown>): Promise<StageOutcome> {
  const started = Date.now();
  const o = optionsFrom(ctx, argv);
  const force = Boolean(argv.force);
  const { store, reporter } = ctx;
  const stageOptions = { seed: o.seed, models: o.models, prompts: o.prompts, generatorVersion: DEMO_GENERATOR_VERSION };
  const { dataset, truth } = generateDemo(o, createRng(o.seed).fork('demo'));
  const contentHash = contentHashOf(dataset);
  const dir = store.benchmarkDir(o.name);

  const existing = store.hasDataset(o.name) ? await store.readManifest(o.name).catch(() => null) : null;
  if (store.hasDataset(o.name) && !force) {
    if (!existing || existing.contentHash !== contentHash) {
      const what = existing?.format === 'demo' ? `a demo made with other options (${describeOptions(existing.options)})` : `different content (${existing ? `format ${existing.format}` : 'unreadable manifest'})`;
      throw new CovaryError(
        `benchmark "${o.name}" already exists with ${what}; not replacing it with the demo for seed ${o.seed}, ${o.models} models × ${o.prompts} prompts`,
        { file: dir, field: '--name' },
        `to replace it run \`covary demo --name ${o.name} --force\` with the options you want (its stage results are discarded), or choose another --name`,
      );
    }
    const stored = (await store.isFresh(o.name, GROUND_TRUTH_STAGE, { dataset: contentHash }, stageOptions)) ? await store.readStage<DemoTruth>(o.name, GROUND_TRUTH_STAGE) : null;
    if (stored && stableStringify(stored.result) === stableStringify(truth)) {
      return { stage: 'demo', status: 'cached', message: `demo: cached — "${o.name}" already holds this demo (seed ${o.seed}, content ${contentHash.slice(0, 12)}); nothing to do`, path: dir };
    }
    await store.writeStage(o.name, GROUND_TRUTH_STAGE, { inputs: { dataset: contentHash }, options: stageOptions, result: truth });
    return { stage: 'demo', status: 'computed', message: `demo: "${o.name}" already held this demo; its ground truth was rewritten`, path: dir };
  }

  const manifest = await store.saveDataset(dataset, {
    format: 'demo',
    counts: {
      models: dataset.models.length,
      items: dataset.items.length,
      cells: dataset.scores.length,
      missingCells: countMissing(dataset.scores),
      itemsWithText: dataset.items.filter((it) => it.text !== null && it.text.trim() !== '').length,
      binary: isBinary(dataset.scores),
      hasAnswers: true,
    },
    sources: [],
    dropped: [],
    coverage: {
      note: 'synthetic demo benchmark with planted structure: see ground-truth.json beside this manifest and docs/demo.md',
      families: truth.families.length,
      partialModel: truth.missing.partialModel,
      hasText: hasText(dataset),
    },
    options: stageOptions,
  });
  await store.writeStage(o.name, GROUND_TRUTH_STAGE, { inputs: { dataset: manifest.contentHash }, options: stageOptions, result: truth });
  const ms = Date.now() - started;
  await store.appendLog(o.name, `demo ${new Date().toISOString()} ${ms} ms seed ${o.seed} ${o.models}x${o.prompts} ${manifest.contentHash}`);
  const drop = truth.models.filter((m) => m.plantedDirection === 'drop').length;
  const rise = truth.models.filter((m) => m.plantedDirection === 'rise').length;
  reporter.info(
    `demo: planted ${truth.families.length} prompt families (${truth.overRepresented.join(' + ')} over-represented: ` +
      `${Math.round((100 * truth.families.filter((f) => f.overRepresented).reduce((s, f) => s + f.count, 0)) / o.prompts)}% of prompts), ` +
      `${truth.tricks.itemIds.length} trick prompts, format failures in ${truth.formatFailure.families.join(' + ')}, ` +
      `${drop} specialists that should drop and ${rise} broad models that should rise under family-balanced weighting, ` +
      `${fmt(truth.missing.totalMissingCells)} missing cells`,
  );
  return {
    stage: 'demo',
    status: 'computed',
    message: `demo: ${existing ? 'replaced' : 'wrote'} "${o.name}": ${fmt(o.models)} models × ${fmt(o.prompts)} prompts from ${truth.families.length} families (seed ${o.seed}) in ${(ms / 1000).toFixed(1)} s; ground truth in ${store.stagePath(o.name, GROUND_TRUTH_STAGE)}`,
    path: dir,
  };
}

function describeOptions(opts: Record<string, unknown>): string {
  return ['seed', 'models', 'prompts'].map((k) => `${k} ${String(opts[k])}`).join(', ');
}

/** The demo's ground truth, checked to belong to the dataset currently stored under `name`. */
export async function loadDemoTruth(store: ArtifactStore, name: string): Promise<DemoTruth> {
  const art: StageArtifact<DemoTruth> | null = await store.readStage<DemoTruth>(name, GROUND_TRUTH_STAGE);
  if (!art) throw new CovaryError(`benchmark "${name}" has no demo ground truth`, { file: store.stagePath(name, GROUND_TRUTH_STAGE) }, 'it exists only for benchmarks made by `covary demo`');
  const manifest = await store.readManifest(name);
  if (art.inputs.dataset !== manifest.contentHash) {
    throw new CovaryError('the demo ground truth does not belong to the stored dataset (stale)', { file: store.stagePath(name, GROUND_TRUTH_STAGE) }, `re-run \`covary demo --name ${name} --force\``);
  }
  return art.result;
}
