/**
 * `covary ingest`: inputs (wide/long CSV or JSONL, harness logs) → one canonical dataset under
 * <data-dir>/benchmarks/<name>/. Format readers produce IngestParts, merge.ts joins them, the
 * store writes atomically. Re-ingesting identical inputs is a no-op; replacing a benchmark with
 * different content needs --force; --dry-run shows what would be ingested and writes nothing.
 */
import type { Options } from 'yargs';
import { resolve } from 'node:path';
import { CovaryError } from '../core/errors.ts';
import { hashOf } from '../core/hash.ts';
import { forgetStreamedInputs, inputHash } from './read.ts';
import { contentHashOf, validateBenchmarkName, type DatasetManifest, type DroppedEntry, type SourceFile } from '../core/store.ts';
import { COVARY_VERSION } from '../core/version.ts';
import type { Dataset } from '../core/dataset.ts';
import type { Reporter } from '../core/progress.ts';
import type { StageContext, StageOutcome } from '../core/stage.ts';
import { FORMATS, formatByName } from './formats/index.ts';
import type { FormatOptions, IngestFormat } from './types.ts';
import { mergeParts, type Coverage, type DuplicatePolicy } from './merge.ts';
import { readItemsFile } from './items.ts';
import { isCsvPath, parseDelimiterOption, parseNaValues, readHead, sniffDelimiter } from './read.ts';
import { expandPaths } from './paths.ts';
import { estimateIngestMemory, ingestMemoryAdvice } from './memory.ts';
import { checkMemory } from '../core/memory.ts';

export type { Coverage } from './merge.ts';

const DUPLICATE_POLICIES = ['error', 'mean', 'first', 'last'] as const;

/** yargs options of `covary ingest` (also accepted by `covary run`). */
export const ingestOptions: Record<string, Options> = {
  format: { type: 'string', describe: `Input format, auto-detected when omitted: ${FORMATS.map((f) => f.name).join(', ')}` },
  scores: { type: 'string', describe: 'Wide scores CSV: first column = model, one column per item id, empty cell = missing (repeat for several files)' },
  answers: { type: 'string', describe: 'Wide answers CSV of the same shape as --scores (the model\'s extracted answer per cell)' },
  items: { type: 'string', describe: 'Items file (JSONL, JSON array or CSV): item id, prompt text, metadata' },
  'id-field': { type: 'string', describe: 'Item id field in the items file (default: first of id, item_id, item, question_id, example_id, …)' },
  'text-field': { type: 'string', describe: 'Prompt text field(s) in the items file, comma-separated (e.g. question,options: arrays become lettered options)' },
  'model-field': { type: 'string', describe: 'Long format: model column (default: model, model_name, …)' },
  'item-field': { type: 'string', describe: 'Long format: item id column (default: item, item_id, example_id, doc_id, …)' },
  'score-field': { type: 'string', describe: 'Long format: score column (default: score, correct, pass1, acc, …)' },
  'answer-field': { type: 'string', describe: 'Long format: extracted-answer column (default: answer, pred, prediction, … when present)' },
  'task-field': { type: 'string', describe: 'Long format: task column (default: benchmark_id, benchmark, task, task_name when present)' },
  task: { type: 'string', describe: 'Task to keep when the inputs hold several (long format: "all" keeps every task)' },
  metric: { type: 'string', describe: 'Harness logs: metric to use as the score (default: the task\'s primary metric)' },
  filter: { type: 'string', describe: 'lm-eval: filter whose results to use (default: the first)' },
  scorer: { type: 'string', describe: 'Inspect: scorer to use (default: the first)' },
  perturbation: { type: 'string', describe: 'HELM: perturbation whose results to use (default: unperturbed instances only)' },
  epochs: { type: 'string', choices: ['mean', 'first'], describe: 'Inspect: how to reduce several epochs per sample (default mean)' },
  'na-values': { type: 'string', describe: 'Wide/long: comma-separated score texts meaning "no result" besides the empty cell, e.g. NA,NaN,null,None,- (R and pandas exports)' },
  delimiter: { type: 'string', describe: 'CSV delimiter: comma, tab, semicolon or auto (default auto: detected from the first lines, reported when not the usual one)' },
  'none-marker': { type: 'string', default: 'NONE', describe: 'Answer text meaning "no answer could be extracted" (a format failure)' },
  runs: { type: 'string', choices: ['latest', 'all'], default: 'latest', describe: 'lm-eval / Inspect: several runs of one model on one task (timestamps) → keep the most recent (listed in a note) or all' },
  'on-duplicate': { type: 'string', choices: [...DUPLICATE_POLICIES], default: 'error', describe: 'What to do with repeated (model, item) results' },
  rescale: { type: 'boolean', default: false, describe: 'Min-max rescale scores to [0, 1] when some fall outside it (recorded in the manifest)' },
  'dry-run': { type: 'boolean', default: false, describe: 'Show what would be ingested (format, models, items per model, coverage, metric) and write nothing' },
  force: { type: 'boolean', default: false, describe: 'Replace an existing benchmark of this name with different content' },
};

export interface IngestRequest {
  name: string;
  paths: string[];
  scores: string[];
  answers: string[];
  items?: string;
  format?: string;
  formatOptions: FormatOptions;
  onDuplicate: DuplicatePolicy;
  rescale: boolean;
  noneMarker: string;
  dryRun: boolean;
  force: boolean;
}

export interface IngestSummary {
  benchmark: string;
  format: string;
  sources: { path: string; role: string; bytes: number }[];
  metric: { chosen: string; available: string[] } | null;
  notes: string[];
  coverage: Coverage;
  dropped: number;
  /** State of a stored benchmark of the same name. */
  existing: 'none' | 'identical' | 'different';
}

export interface BuiltDataset {
  dataset: Dataset;
  manifestParts: Omit<DatasetManifest, 'contentHash' | 'files' | 'schemaVersion' | 'kind' | 'covaryVersion' | 'name'>;
  summary: IngestSummary;
}

function strings(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => String(x)).filter((x) => x !== '');
}

function optString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  return s === '' ? undefined : s;
}

/** Parsed CLI arguments → a validated request (the benchmark name is checked first). */
export function ingestRequest(argv: Record<string, unknown>): IngestRequest {
  const name = validateBenchmarkName(typeof argv.name === 'string' ? argv.name : String(argv.name ?? ''));
  const textField = strings(argv.textField ?? argv['text-field'])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const onDuplicate = (optString(argv.onDuplicate ?? argv['on-duplicate']) ?? 'error') as DuplicatePolicy;
  if (!DUPLICATE_POLICIES.includes(onDuplicate)) {
    throw new CovaryError(`--on-duplicate ${onDuplicate}: expected one of ${DUPLICATE_POLICIES.join(', ')}`, { field: '--on-duplicate' });
  }
  const epochs = optString(argv.epochs);
  if (epochs !== undefined && epochs !== 'mean' && epochs !== 'first') throw new CovaryError(`--epochs ${epochs}: expected mean or first`, { field: '--epochs' });
  const noneMarker = optString(argv.noneMarker ?? argv['none-marker']) ?? 'NONE';
  const get = (camel: string, kebab: string) => optString(argv[camel] ?? argv[kebab]);
  const runs = optString(argv.runs) ?? 'latest';
  if (runs !== 'latest' && runs !== 'all') throw new CovaryError(`--runs ${runs}: expected latest or all`, { field: '--runs' });
  const naValues = parseNaValues(get('naValues', 'na-values'));
  if (naValues.includes(noneMarker)) {
    throw new CovaryError(`--na-values includes the none-marker "${noneMarker}"`, { field: '--na-values' }, `"${noneMarker}" already means "no answer extracted" in answers; drop it from --na-values or change --none-marker`);
  }
  const formatOptions: FormatOptions = {
    metric: optString(argv.metric),
    filter: optString(argv.filter),
    scorer: optString(argv.scorer),
    perturbation: optString(argv.perturbation),
    epochs: epochs as FormatOptions['epochs'],
    task: optString(argv.task),
    modelField: get('modelField', 'model-field'),
    itemField: get('itemField', 'item-field'),
    scoreField: get('scoreField', 'score-field'),
    answerField: get('answerField', 'answer-field'),
    taskField: get('taskField', 'task-field'),
    idField: get('idField', 'id-field'),
    textField: textField.length ? textField : undefined,
    answers: strings(argv.answers),
    noneMarker,
    naValues: naValues.length ? naValues : undefined,
    runs: runs === 'all' ? 'all' : undefined,
    delimiter: parseDelimiterOption(get('delimiter', 'delimiter')),
  };
  return {
    name,
    paths: strings(argv.paths),
    scores: strings(argv.scores),
    answers: strings(argv.answers),
    items: optString(argv.items),
    format: optString(argv.format),
    formatOptions,
    onDuplicate,
    rescale: Boolean(argv.rescale),
    noneMarker,
    dryRun: Boolean(argv.dryRun ?? argv['dry-run']),
    force: Boolean(argv.force),
  };
}

/** Which reader, on which files. */
export async function resolveInputs(req: IngestRequest): Promise<{ format: IngestFormat; files: string[] }> {
  if (req.scores.length && req.paths.length) {
    throw new CovaryError(`give the scores either with --scores or as paths, not both (paths: ${req.paths.join(', ')})`, { field: '--scores' });
  }
  if (!req.scores.length && !req.paths.length) {
    throw new CovaryError('nothing to ingest', { field: '--scores' }, 'give a wide scores CSV with --scores (and --items), or long-format files / eval-log folders as paths');
  }
  let files: string[];
  if (req.scores.length) {
    files = req.scores;
  } else {
    const exclude = new Set([req.items, ...req.answers].filter((x): x is string => Boolean(x)).map((p) => resolve(p)));
    files = (await expandPaths(req.paths)).filter((f) => !exclude.has(resolve(f)));
    if (!files.length) throw new CovaryError('no input files left after excluding --items/--answers', { file: req.paths[0] });
  }
  if (req.answers.length && req.format && req.format !== 'wide') {
    throw new CovaryError(`--answers applies to the wide format only (format here: ${req.format})`, { field: '--answers' });
  }
  if (req.format) {
    const f = formatByName(req.format);
    if (!f) throw new CovaryError(`unknown format "${req.format}"`, { field: '--format' }, `one of: ${FORMATS.map((x) => x.name).join(', ')}`);
    return { format: f, files };
  }
  if (req.scores.length) return { format: formatByName('wide')!, files };
  const matches: IngestFormat[] = [];
  for (const f of FORMATS) {
    let ok = false;
    try {
      ok = await f.detect(files);
    } catch {
      ok = false;
    }
    if (ok) matches.push(f);
  }
  if (matches.length === 0) {
    // A CSV whose delimiter cannot be told is no format: say that, with the option to pass.
    if (req.formatOptions.delimiter === undefined) {
      for (const f of files.filter(isCsvPath)) {
        const head = await readHead(f, 21);
        if (head) sniffDelimiter(head + '\n', f);
      }
    }
    // A missing file would otherwise look like an unrecognised format.
    throw new CovaryError(
      `cannot recognise the input format of ${files.length === 1 ? files[0] : `${files.length} files (e.g. ${files[0]})`}`,
      { file: files[0] },
      `name it with --format (${FORMATS.map((x) => x.name).join(', ')}); the long format needs model, item and score columns`,
    );
  }
  if (matches.length > 1) {
    throw new CovaryError(`the inputs match several formats: ${matches.map((m) => m.name).join(', ')}`, { file: files[0] }, 'choose one with --format');
  }
  if (req.answers.length && matches[0].name !== 'wide') {
    throw new CovaryError(`--answers applies to the wide format only (detected: ${matches[0].name})`, { field: '--answers' });
  }
  return { format: matches[0], files };
}

/** Hash of everything the dataset is made from: file contents, format, result-affecting options, version. */
async function inputKeyOf(req: IngestRequest, format: IngestFormat, files: string[]): Promise<string> {
  const hashes: { role: string; sha256: string }[] = [];
  for (const f of files) hashes.push({ role: 'input', sha256: await inputHash(f).catch(() => 'unreadable:' + f) });
  for (const f of req.answers) hashes.push({ role: 'answers', sha256: await inputHash(f).catch(() => 'unreadable:' + f) });
  if (req.items) hashes.push({ role: 'items', sha256: await inputHash(req.items).catch(() => 'unreadable:' + req.items) });
  return hashOf({ version: COVARY_VERSION, format: format.name, hashes, options: resultOptions(req) });
}

function resultOptions(req: IngestRequest): Record<string, unknown> {
  const o = req.formatOptions;
  return {
    metric: o.metric,
    filter: o.filter,
    scorer: o.scorer,
    perturbation: o.perturbation,
    epochs: o.epochs,
    task: o.task,
    modelField: o.modelField,
    itemField: o.itemField,
    scoreField: o.scoreField,
    answerField: o.answerField,
    taskField: o.taskField,
    idField: o.idField,
    textField: o.textField,
    noneMarker: req.noneMarker,
    naValues: o.naValues,
    runs: o.runs,
    delimiter: o.delimiter,
    onDuplicate: req.onDuplicate,
    rescale: req.rescale,
  };
}

/** Read and merge the inputs into a dataset plus its manifest parts. Writes nothing. */
export async function buildDataset(req: IngestRequest, reporter?: Reporter, resolved?: { format: IngestFormat; files: string[] }): Promise<BuiltDataset> {
  const { format, files } = resolved ?? (await resolveInputs(req));
  const parts = await format.read(files, req.formatOptions);
  const notes = [...parts.notes];
  let itemsFile: { path: string; items: import('./types.ts').ItemRecord[] } | undefined;
  const sources: SourceFile[] = [...parts.sources];
  let itemsMeta: Record<string, unknown> = {};
  if (req.items) {
    const f = await readItemsFile(req.items, { idField: req.formatOptions.idField, textFields: req.formatOptions.textField, delimiter: req.formatOptions.delimiter });
    itemsFile = { path: f.path, items: f.items };
    sources.push(f.source);
    notes.push(...f.notes);
    itemsMeta = { idField: f.idField, textFields: f.textFields };
  }
  const merged = mergeParts(parts, { name: req.name, onDuplicate: req.onDuplicate, rescale: req.rescale, itemsFile });
  reporter?.info(`ingest: read ${(parts.cells?.length ?? parts.records.length).toLocaleString('en-US')} results (${format.name}) from ${parts.sources.length} file(s)`);
  notes.push(...merged.notes);
  const cov = merged.coverage;
  const dropped: DroppedEntry[] = merged.dropped;
  const summary: IngestSummary = {
    benchmark: req.name,
    format: parts.format,
    sources: sources.map((s) => ({ path: s.path, role: s.role, bytes: s.bytes })),
    metric: parts.metric ?? null,
    notes,
    coverage: cov,
    dropped: dropped.reduce((a, d) => a + (d.count ?? 1), 0),
    existing: 'none',
  };
  const manifestParts: BuiltDataset['manifestParts'] = {
    format: parts.format,
    counts: {
      models: cov.models,
      items: cov.items,
      cells: cov.cells,
      missingCells: cov.missingCells,
      itemsWithText: cov.itemsWithText,
      binary: cov.binary,
      hasAnswers: merged.dataset.answers !== null,
    },
    sources,
    dropped,
    coverage: { ...cov, notes, metric: parts.metric ?? null },
    // Resolved item fields (idField / textFields) replace the raw flags when an items file was read.
    options: { ...resultOptions(req), textField: undefined, ...itemsMeta, format: parts.format, rescaledFrom: cov.rescaled },
  };
  return { dataset: merged.dataset, manifestParts, summary };
}

const num = (x: number) => x.toLocaleString('en-US');

function kb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The human-readable dry-run report (the same facts as the JSON). */
export function renderSummary(s: IngestSummary, opts: { perModel: boolean }): string {
  const c = s.coverage;
  const lines: string[] = [];
  const existing = { none: 'new', identical: 'already ingested with identical content: ingest would be a no-op', different: 'exists with different content: ingest needs --force to replace it' }[s.existing];
  lines.push(`benchmark: ${s.benchmark} (${existing})`);
  lines.push(`format: ${s.format}`);
  for (const src of s.sources) lines.push(`  ${src.role}: ${src.path} (${kb(src.bytes)})`);
  lines.push(`models × items: ${num(c.models)} × ${num(c.items)} = ${num(c.cells)} cells, ${num(c.missingCells)} missing; scores ${c.binary ? '0/1' : 'graded in [0, 1]'}${c.rescaled ? ` (rescaled from [${c.rescaled.min}, ${c.rescaled.max}])` : ''}`);
  if (s.metric) lines.push(`metric: ${s.metric.chosen}${s.metric.available.length > 1 ? ` (available: ${s.metric.available.join(', ')})` : ''}`);
  lines.push(
    `join: ${num(c.itemsWithText)} of ${num(c.items)} items have text; ${num(c.itemsWithoutText.count)} without text${c.itemsWithoutText.count ? ` (e.g. ${c.itemsWithoutText.examples.slice(0, 3).join(', ')})` : ''}; ${num(c.textWithoutScores.count)} with text but no scores (dropped)${c.textWithoutScores.count ? ` (e.g. ${c.textWithoutScores.examples.slice(0, 3).join(', ')})` : ''}`,
  );
  if (c.emptyModels.length || c.emptyItems.count) lines.push(`dropped as empty: ${c.emptyModels.length} model row(s), ${c.emptyItems.count} item column(s)`);
  lines.push(c.answers ? `answers: ${num(c.answers.cells)} cells, ${num(c.answers.noAnswer)} with no extracted answer, ${c.answers.vocabulary} distinct answers` : 'answers: none');
  if (c.modelsMissingItems.length) {
    lines.push(`models missing items: ${c.modelsMissingItems.length}`);
    for (const x of c.modelsMissingItems.slice(0, opts.perModel ? undefined : 10)) lines.push(`  ${x.model}: ${num(x.missing)} missing`);
    if (!opts.perModel && c.modelsMissingItems.length > 10) lines.push(`  … and ${c.modelsMissingItems.length - 10} more`);
  } else lines.push('models missing items: none (every model has every item)');
  if (opts.perModel) {
    lines.push('items per model:');
    const w = Math.max(...c.itemsPerModel.map((x) => x.model.length));
    for (const x of c.itemsPerModel) lines.push(`  ${x.model.padEnd(w)}  ${num(x.items).padStart(7)}`);
  }
  for (const note of s.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

/** Ingest per the parsed CLI arguments; returns what happened. */
export async function runIngest(ctx: StageContext, argv: Record<string, unknown>): Promise<StageOutcome> {
  const started = Date.now();
  const req = ingestRequest({ ...argv, force: argv.force ?? ctx.force });
  const { store, reporter } = ctx;
  forgetStreamedInputs();
  const resolved = await resolveInputs(req);
  // Before hashing or parsing: a file too big for memory is a clear error, not an OOM crash later.
  const est = await estimateIngestMemory(resolved.format.name, resolved.files, req.formatOptions.delimiter, req.answers.length > 0);
  if (est) checkMemory('ingest', est, ctx.memoryBudget, ingestMemoryAdvice(resolved.format.name));
  const inputKey = await inputKeyOf(req, resolved.format, resolved.files);
  const exists = store.hasDataset(req.name);
  let old: DatasetManifest | null = exists ? await store.readManifest(req.name).catch(() => null) : null;
  const dir = store.benchmarkDir(req.name);

  if (old && !req.dryRun && !req.force && old.options?.inputKey === inputKey) {
    return {
      stage: 'ingest',
      status: 'cached',
      message: `ingest: cached — "${req.name}" was already ingested from identical inputs (content ${old.contentHash.slice(0, 12)}); nothing to do`,
      path: dir,
    };
  }

  const built = await buildDataset(req, reporter, resolved);
  // Only needed to compare with a stored dataset (saveDataset computes it again when writing).
  const contentHash = old ? contentHashOf(built.dataset) : null;
  built.summary.existing = !old ? 'none' : old.contentHash === contentHash ? 'identical' : 'different';

  if (req.dryRun) {
    const text = `dry run: nothing written\n${renderSummary(built.summary, { perModel: true })}`;
    return Object.assign({ stage: 'ingest', status: 'skipped' as const, message: text }, { dryRun: built.summary });
  }
  if (old && old.contentHash === contentHash && !req.force) {
    return {
      stage: 'ingest',
      status: 'cached',
      message: `ingest: cached — "${req.name}" already holds identical content (${old.contentHash.slice(0, 12)}); nothing to do`,
      path: dir,
    };
  }
  if (old && !req.force) {
    throw new CovaryError(
      `benchmark "${req.name}" already exists with different content (${old.counts.models} models × ${old.counts.items} items from ${old.sources.map((s) => s.path).slice(0, 2).join(', ')})`,
      { file: dir, field: '--name' },
      'pass --force to replace it (its stage results are discarded), or choose another --name',
    );
  }
  built.manifestParts.options = { ...built.manifestParts.options, inputKey };
  const manifest = await store.saveDataset(built.dataset, built.manifestParts);
  old = null;
  const ms = Date.now() - started;
  await store.appendLog(req.name, `ingest ${new Date().toISOString()} ${ms} ms ${manifest.counts.models}x${manifest.counts.items} ${manifest.contentHash}`);
  for (const n of built.summary.notes) reporter.info(`note: ${n}`);
  const c = built.summary.coverage;
  const message =
    `ingest: ${exists ? 'replaced' : 'wrote'} "${req.name}" (${built.summary.format}): ${num(c.models)} models × ${num(c.items)} items, ` +
    `${num(c.missingCells)} missing cells, ${num(c.itemsWithText)} items with text` +
    `${c.textWithoutScores.count ? `, ${num(c.textWithoutScores.count)} texts without scores dropped` : ''}` +
    `${c.answers ? `, answers (${num(c.answers.noAnswer)} none)` : ''} in ${(ms / 1000).toFixed(1)} s`;
  return Object.assign({ stage: 'ingest', status: 'computed' as const, message, path: dir }, { summary: built.summary, contentHash: manifest.contentHash });
}
