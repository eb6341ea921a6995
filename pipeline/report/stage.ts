/** The report stage: gathers every stage's result, writes reports/<bench>/ and reports/index.md. */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StageModule, StageContext } from '../core/stage.ts';
import { STAGE_ORDER } from '../core/stage.ts';
import { sweepDeadTemps, sweepGenerations, writeDirAtomic, writeFileAtomic } from '../core/atomic.ts';
import { sha256 } from '../core/hash.ts';
import { loadEmbedResult } from '../embed/index.ts';
import type { IndexResult } from '../index/index.ts';
import { loadCorrelation } from '../correlate/index.ts';
import { loadClusterings, type ClusterResult } from '../cluster/index.ts';
import { loadReweighting } from '../reweight/index.ts';
import { loadExplanation } from '../explain/index.ts';
import { loadIrt } from '../irt/index.ts';
import { isCovaryError } from '../core/errors.ts';
import type { IrtReportInput, ReportInputs, StageState } from './model.ts';
import { RENDERERS } from './renderers.ts';
import { renderIndexPage } from './index-page.ts';
import type { Report } from './schema.ts';

const ANALYSIS_STAGES = STAGE_ORDER.filter((s) => s !== 'report');
const IRT_ITEMS_FILE = 'irt-items.csv';

/** The irt result with its residuals, where its CSV is, and whether it was computed against this correlate result; null (stage marked unusable) when its arrays are broken. */
async function irtInput(ctx: StageContext, bench: string, stages: Record<string, StageState>): Promise<IrtReportInput | null> {
  const { store } = ctx;
  try {
    const a = await loadIrt(store, bench);
    if (!a.result) return null;
    const art = await store.readStage<unknown>(bench, 'irt');
    const correlateNow = stages.correlate?.status === 'ok' ? ((await store.stageHash(bench, 'correlate')) ?? 'absent') : 'absent';
    // Copied into the report folder, so that the report links it the same way wherever the data live.
    const csv = join(store.benchmarkDir(bench), 'irt-items.csv');
    const itemsCsvText = existsSync(csv) ? await readFile(csv, 'utf8') : null;
    return { result: a.result, residuals: a.residuals, itemsCsv: itemsCsvText === null ? null : IRT_ITEMS_FILE, itemsCsvText, correlateMatches: art?.inputs.correlate === correlateNow };
  } catch (err) {
    if (!isCovaryError(err)) throw err;
    stages.irt = { status: 'missing', reason: `its result cannot be read (${err.message}); re-run \`covary irt --name ${bench} --force\`` };
    return null;
  }
}

async function gatherInputs(ctx: StageContext, bench: string, built: (s: string) => boolean, optIn: (s: string) => string | null = () => null): Promise<{ inputs: ReportInputs; hashes: Record<string, string> }> {
  const { store } = ctx;
  const { dataset, manifest } = await store.loadDataset(bench);
  const stages: Record<string, StageState> = {};
  const stageOptions: Record<string, Record<string, unknown>> = {};
  const hashes: Record<string, string> = { dataset: manifest.contentHash };
  for (const s of ANALYSIS_STAGES) {
    const art = await store.readStage<unknown>(bench, s);
    if (!art) {
      // An opt-in stage is left out of `covary run` unless asked for: say how to ask.
      const how = optIn(s) ? `; \`covary run\` leaves it out unless given \`--with ${s}\`` : '';
      stages[s] = built(s) ? { status: 'missing', reason: `not run (run \`covary ${s} --name ${bench}\`${how})` } : { status: 'not-built', reason: 'not built in this version' };
      continue;
    }
    if (art.inputs.dataset !== undefined && art.inputs.dataset !== manifest.contentHash) {
      stages[s] = { status: 'missing', reason: 'stale: computed for an earlier version of the dataset; re-run it' };
      continue;
    }
    hashes[s] = (await store.stageHash(bench, s)) ?? '';
    stageOptions[s] = art.options;
    stages[s] = art.status === 'skipped' ? { status: 'skipped', reason: art.skipReason ?? 'skipped' } : { status: 'ok', reason: null };
  }
  const ok = (s: string) => stages[s]?.status === 'ok';
  const clusterArt = ok('cluster') ? await store.readStage<ClusterResult>(bench, 'cluster') : null;
  const inputs: ReportInputs = {
    dataset,
    manifest,
    stages,
    stageOptions,
    embed: ok('embed') ? await loadEmbedResult(store, bench) : null,
    index: ok('index') ? ((await store.readStage<IndexResult>(bench, 'index'))?.result ?? null) : null,
    correlation: ok('correlate') ? await loadCorrelation(store, bench) : null,
    clusters: clusterArt ? { result: clusterArt.result, clusterings: await loadClusterings(store, bench) } : null,
    reweighting: ok('reweight') ? await loadReweighting(store, bench) : null,
    explanation: ok('explain') ? (await loadExplanation(store, bench)).result : null,
    irt: ok('irt') ? await irtInput(ctx, bench, stages) : null,
    seed: ctx.seed,
    commandLine: ctx.commandLine,
  };
  if (inputs.reweighting) delete (inputs.reweighting as { weights?: unknown }).weights;
  return { inputs, hashes };
}

/** reports/index.md from every reports/<bench>/report.json present. */
export async function writeIndexPage(reportsDir: string): Promise<string> {
  const found: { dir: string; report: Report }[] = [];
  const names = existsSync(reportsDir) ? (await readdir(reportsDir)).sort() : [];
  for (const name of names) {
    if (name.startsWith('.')) continue; // generation folders and temp files, never a report of their own
    const path = join(reportsDir, name, 'report.json');
    if (!existsSync(path)) continue;
    try {
      found.push({ dir: name, report: JSON.parse(await readFile(path, 'utf8')) as Report });
    } catch {
      // A report from another version or a broken file: leave it out of the index rather than fail.
    }
  }
  const path = join(reportsDir, 'index.md');
  const text = renderIndexPage(found);
  // Leave an identical page untouched, so a cached run rewrites nothing.
  const old = existsSync(path) ? await readFile(path, 'utf8') : null;
  if (old !== text) await writeFileAtomic(path, text);
  await sweepDeadTemps(reportsDir);
  return path;
}

async function filesIntact(dir: string, files: Record<string, string>): Promise<boolean> {
  for (const [f, h] of Object.entries(files)) {
    try {
      if (sha256(await readFile(join(dir, f))) !== h) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export function makeReportStage(built: (s: string) => boolean, optIn: (s: string) => string | null = () => null): StageModule {
  return {
    name: 'report',
    describe: 'Write reports/<bench>/report.md, report.json and figures/*.svg, and reports/index.md',
    built: true,
    options: {},
    async run(ctx, bench) {
      const { store } = ctx;
      const { inputs, hashes } = await gatherInputs(ctx, bench, built, optIn);
      const dir = join(ctx.reportsDir, bench);
      const options = { seed: ctx.seed };
      const prev = await store.readStage<{ files: Record<string, string> }>(bench, 'report');
      if (!ctx.force && prev && (await store.isFresh(bench, 'report', hashes, options)) && (await filesIntact(dir, prev.result.files))) {
        await sweepGenerations(dir);
        await writeIndexPage(ctx.reportsDir);
        return { stage: 'report', status: 'cached', message: 'report is up to date', path: join(dir, 'report.md') };
      }
      const started = Date.now();
      // The report model (zod schema, figures) loads only when a report is written.
      const { buildReport } = await import('./model.ts');
      const { renderModelsCsv } = await import('./models-csv.ts');
      const { report, figures } = buildReport(inputs);
      const texts: Record<string, string> = {};
      for (const r of Object.values(RENDERERS)) texts[r.file] = r.render(report);
      for (const f of figures) texts[f.file] = f.svg;
      if (inputs.irt?.itemsCsvText) texts[IRT_ITEMS_FILE] = inputs.irt.itemsCsvText;
      if (report.files?.modelsCsv) texts[report.files.modelsCsv] = renderModelsCsv(report);
      await writeDirAtomic(dir, async (tmp) => {
        for (const [file, text] of Object.entries(texts)) await writeFileAtomic(join(tmp, file), text);
      });
      const files = Object.fromEntries(Object.entries(texts).map(([f, t]) => [f, sha256(t)]));
      await store.writeStage(bench, 'report', { inputs: hashes, options, result: { dir: relative(ctx.reportsDir, dir) || '.', files } });
      await writeIndexPage(ctx.reportsDir);
      await store.appendLog(bench, `report: ${Date.now() - started} ms`);
      return { stage: 'report', status: 'computed', message: `wrote ${Object.keys(texts).length} files (${figures.length} figures)`, path: join(dir, 'report.md') };
    },
  };
}
