/**
 * EleutherAI lm-evaluation-harness logs.
 *
 * - 0.4.x `--log_samples`: `<out>/<model_sanitized>/results_<ts>.json` beside `samples_<task>_<ts>.jsonl`
 *   (one line per doc *per filter*). Older 0.4.x lines lack `filter`/`metrics` and hold logprobs as strings.
 * - v0.3 `--write_out`: `<model dir>/<task>_write_out_info.json`, a JSON array with string metrics.
 * - An aggregate-only results file (no per-item data) is rejected with a hint to re-run with --log_samples.
 *
 * Item id = `<task>/<doc_id>`. When the same (task, doc_id) carries different `doc_hash` values in
 * different runs, the runs evaluated different documents: the majority hash keeps the plain id and
 * every other version becomes `<task>/<doc_id>#<first 8 hex of its hash>` (reported in the notes).
 */
import { basename, dirname } from 'node:path';
import { CovaryError } from '../../core/errors.ts';
import type { MetadataValue } from '../../core/dataset.ts';
import type { SourceFile } from '../../core/store.ts';
import type { FormatOptions, IngestFormat, IngestParts, ItemRecord, ScoreRecord } from '../types.ts';
import {
  argmax,
  chatFromJsonText,
  chooseMetric,
  chooseTasks,
  isObject,
  latestRuns,
  letter,
  parentName,
  parseJson,
  parseJsonl,
  peek,
  plural,
  readSource,
  toMetadata,
  toNumber,
} from './shared-logs.ts';

const SAMPLES_RE = /^samples_(.+)_(\d{4}-\d{2}-\d{2}T[\d.-]+)\.jsonl$/;
const RESULTS_RE = /^results_(\d{4}-\d{2}-\d{2}T[\d.-]+)\.json$/;
const WRITE_OUT_RE = /^(.+)_write_out_info\.json$/;
const RESULTS_PEEK_RE = /^\s*\{\s*"results"\s*:/;

/** Keys of a samples line that are never metrics. */
const RESERVED = new Set([
  'doc_id', 'doc', 'target', 'arguments', 'resps', 'filtered_resps', 'filter', 'metrics',
  'doc_hash', 'prompt_hash', 'target_hash', 'task_name', 'task',
]);
/** Metrics preferred as the default when the results file does not name one. */
const PREFERRED = ['exact_match', 'acc', 'acc_norm', 'em', 'f1', 'pass@1', 'mc2', 'mc1'];

type Kind = 'samples' | 'results' | 'write_out';

function classify(file: string): Kind | undefined {
  const b = basename(file);
  if (SAMPLES_RE.test(b)) return 'samples';
  if (WRITE_OUT_RE.test(b)) return 'write_out';
  if (b.endsWith('.json')) return 'results';
  return undefined;
}

interface ResultsFile {
  file: string;
  ts?: string;
  json: Record<string, unknown>;
}

/** One run of one task for one model: the lines of one samples file (or write_out array). */
interface Run {
  file: string;
  task: string;
  model: string;
  modelFrom: string;
  lines: { line?: number; value: Record<string, unknown> }[];
  results?: ResultsFile;
  legacy: boolean;
}

export const lmEvalFormat: IngestFormat = {
  name: 'lm-eval',
  describe: 'lm-evaluation-harness: samples_<task>_<ts>.jsonl (+ results_<ts>.json) from --log_samples, or v0.3 <task>_write_out_info.json',
  async detect(files) {
    for (const f of files) {
      const b = basename(f);
      if (SAMPLES_RE.test(b)) {
        if (/^\s*\{\s*"doc_id"\s*:/.test(await peek(f, 512))) return true;
      } else if (WRITE_OUT_RE.test(b)) {
        if (/^\s*\[\s*\{\s*"doc_id"\s*:/.test(await peek(f, 512))) return true;
      } else if (b.endsWith('.json')) {
        const head = await peek(f, 4096);
        if (RESULTS_PEEK_RE.test(head) && !head.includes('"config_general"')) return true;
      }
    }
    return false;
  },
  read: readLmEval,
};

async function readLmEval(files: string[], options: FormatOptions): Promise<IngestParts> {
  const notes: string[] = [];
  const sources: SourceFile[] = [];
  const results: ResultsFile[] = [];
  const sampleFiles: string[] = [];
  const writeOutFiles: string[] = [];
  const ignored: string[] = [];

  for (const f of [...files].sort()) {
    const kind = classify(f);
    if (kind === 'samples') sampleFiles.push(f);
    else if (kind === 'write_out') writeOutFiles.push(f);
    else if (kind === 'results') {
      const head = await peek(f, 4096);
      if (!RESULTS_PEEK_RE.test(head)) {
        ignored.push(f);
        continue;
      }
      const { data, source } = await readSource(f, 'results');
      const json = parseJson(data.toString('utf8'), f);
      if (!isObject(json) || !isObject(json.results)) throw new CovaryError('not an lm-eval results file (no "results" object)', { file: f });
      sources.push(source);
      results.push({ file: f, ts: RESULTS_RE.exec(basename(f))?.[1], json });
    } else ignored.push(f);
  }
  if (ignored.length) notes.push(`ignored ${plural(ignored.length, 'file')} that are not lm-eval logs (e.g. ${basename(ignored[0])})`);

  if (!sampleFiles.length && !writeOutFiles.length) {
    const f = results[0]?.file;
    throw new CovaryError(
      'lm-eval results file holds only aggregate scores, no per-item results',
      { file: f },
      're-run lm_eval with --log_samples (v0.4) or --write_out (v0.3) and pass the samples_<task>_<ts>.jsonl files it writes',
    );
  }

  // Group subtasks from every results file, so `--task mmlu` can select a whole group.
  const groups: Record<string, string[]> = {};
  for (const r of results) {
    const gs = r.json.group_subtasks;
    if (isObject(gs)) for (const [g, members] of Object.entries(gs)) if (Array.isArray(members) && members.length) groups[g] = leafTasks(g, gs);
  }

  // Which tasks are present, before reading the large files.
  const taskOf = (f: string) => (SAMPLES_RE.exec(basename(f))?.[1] ?? WRITE_OUT_RE.exec(basename(f))?.[1]) as string;
  const { tasks, note: taskNote } = chooseTasks([...sampleFiles, ...writeOutFiles].map(taskOf), options.task, 'lm-eval', () => [], groups);
  if (taskNote) notes.push(taskNote);
  const wanted = new Set(tasks);

  // Several timestamps of one model on one task: the latest run unless --runs all.
  const candidates = sampleFiles
    .filter((f) => wanted.has(taskOf(f)))
    .map((f) => {
      const ts = SAMPLES_RE.exec(basename(f))![2];
      const res = matchResults(f, ts, results);
      return { f, ts, res, ...modelName(f, res) };
    });
  const latest = latestRuns(candidates, (c) => `${c.model} on ${taskOf(c.f)}`, (c) => c.ts, (c) => basename(c.f), options.runs === 'all' ? 'all' : 'latest');
  notes.push(...latest.notes);

  const runs: Run[] = [];
  for (const { f, res, model, from } of latest.kept) {
    const task = taskOf(f);
    const { data, source } = await readSource(f, 'samples');
    sources.push(source);
    const lines = parseJsonl(data.toString('utf8'), f, (v) => slim(v, false));
    runs.push({ file: f, task, model, modelFrom: from, lines, results: res, legacy: false });
  }
  for (const f of writeOutFiles) {
    const task = taskOf(f);
    if (!wanted.has(task)) continue;
    const { data, source } = await readSource(f, 'write_out');
    sources.push(source);
    const arr = parseJson(data.toString('utf8'), f);
    if (!Array.isArray(arr)) throw new CovaryError('expected a JSON array of docs (lm-eval v0.3 --write_out)', { file: f });
    const lines = arr.map((value, i) => {
      if (!isObject(value)) throw new CovaryError(`entry ${i} is not an object`, { file: f });
      return { value: slim(value, true), line: undefined as number | undefined };
    });
    runs.push({ file: f, task, model: parentName(f), modelFrom: 'folder name', lines, legacy: true });
  }
  if (tasks.length > 1) notes.push(`tasks read: ${tasks.join(', ')}`);
  for (const r of runs) notes.push(`${basename(r.file)}: model "${r.model}" (from ${r.modelFrom}), task ${r.task}`);

  // Per task: the filter and the metric.
  const records: ScoreRecord[] = [];
  const items = new Map<string, ItemRecord>();
  const allMetrics = new Set<string>();
  const chosenMetrics = new Set<string>();
  const hashes = new Map<string, Map<string, Run[]>>(); // key → hash → runs
  const texts = new Map<string, Map<string, number>>(); // item key → prompt text → runs using it

  for (const task of tasks) {
    const taskRuns = runs.filter((r) => r.task === task);
    const filter = chooseFilter(task, taskRuns, options.filter, notes);
    const available = metricsOf(taskRuns, filter);
    for (const m of available) allMetrics.add(m);
    if (!available.length) {
      const named = taskRuns[0]?.lines[0]?.value.metrics;
      const corpus = Array.isArray(named) && named.length ? ` (${named.join(', ')} ${named.length === 1 ? 'has' : 'have'} no per-item value: corpus-level metric)` : '';
      throw new CovaryError(`no per-item metric found in the ${task} samples${corpus}`, { file: taskRuns[0]?.file }, 'covary needs a score per item, e.g. exact_match or acc');
    }
    const metric = chooseMetric(available, options.metric, defaultMetric(task, taskRuns, available));
    chosenMetrics.add(metric);
    notes.push(`${task}: metric ${metric}${available.length > 1 ? ` (available: ${available.join(', ')})` : ''}`);

    for (const run of taskRuns) {
      let n = 0;
      for (const { line, value } of run.lines) {
        if (filter !== undefined && (value.filter ?? 'none') !== filter) continue;
        const docId = value.doc_id;
        if (docId === undefined || docId === null) throw new CovaryError('line has no doc_id', { file: run.file, line, field: 'doc_id' });
        if (!(metric in value)) {
          throw new CovaryError(`line has no value for metric ${metric}`, { file: run.file, line, field: metric }, `metrics on this line: ${lineMetrics(value).join(', ') || 'none'}`);
        }
        const score = toNumber(value[metric]);
        if (score === undefined) {
          throw new CovaryError(`metric ${metric} is not a per-item number (${JSON.stringify(value[metric]).slice(0, 60)})`, { file: run.file, line, field: metric }, 'choose another --metric');
        }
        const baseId = `${task}/${String(docId)}`;
        const hash = typeof value.doc_hash === 'string' ? value.doc_hash : '';
        if (hash) {
          let byHash = hashes.get(baseId);
          if (!byHash) hashes.set(baseId, (byHash = new Map()));
          const list = byHash.get(hash) ?? [];
          if (!list.includes(run)) list.push(run);
          byHash.set(hash, list);
        }
        const rec: ScoreRecord = { model: run.model, item: baseId, score, where: line === undefined ? { file: run.file } : { file: run.file, line } };
        const answer = value[ANSWER] as string | null | undefined;
        if (answer !== undefined) rec.answer = answer;
        (rec as ScoreRecord & { hash?: string }).hash = hash;
        records.push(rec);
        n++;
        const key = baseId + '#' + hash;
        const it: ItemRecord = { id: baseId, text: value[TEXT] as string | null, metadata: { task, ...(value[META] as Record<string, MetadataValue>) }, where: line === undefined ? { file: run.file } : { file: run.file, line } };
        if (!items.has(key)) items.set(key, it);
        let tc = texts.get(key);
        if (!tc) texts.set(key, (tc = new Map()));
        if (it.text !== null) tc.set(it.text, (tc.get(it.text) ?? 0) + 1);
      }
      if (!n) throw new CovaryError(`no lines for filter ${filter}`, { file: run.file });
    }
  }

  // doc_hash check: the same (task, doc_id) with different contents is kept apart, never merged.
  const rename = new Map<string, string>(); // baseId#hash → final id
  for (const [baseId, byHash] of [...hashes].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (byHash.size < 2) continue;
    const ranked = [...byHash].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    for (const [hash, rs] of ranked.slice(1)) {
      const id = `${baseId}#${hash.slice(0, 8)}`;
      rename.set(`${baseId}#${hash}`, id);
      notes.push(
        `doc_hash mismatch: ${baseId} has a different document in ${rs.map((r) => `${r.model} (${basename(r.file)})`).join(', ')} than in ${ranked[0][1].length} other run(s); kept apart as item ${id}`,
      );
    }
  }
  // Prompt texts differ across models when each run applied its own chat template: keep the most
  // common rendering, ties → the shortest (the one with the least template markup).
  const outItems = new Map<string, ItemRecord>();
  let templated = 0;
  for (const [key, item] of items) {
    const id = rename.get(key) ?? item.id;
    const tc = [...(texts.get(key) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1));
    if (tc.length > 1) templated++;
    if (!outItems.has(id)) outItems.set(id, { ...item, id, text: tc.length ? tc[0][0] : item.text });
  }
  if (templated) notes.push(`prompt text differs between runs for ${plural(templated, 'item')} (chat templates / few-shot settings): kept the most common rendering, ties to the shortest`);
  for (const r of records) {
    const hash = (r as ScoreRecord & { hash?: string }).hash ?? '';
    delete (r as ScoreRecord & { hash?: string }).hash;
    const id = rename.get(`${r.item}#${hash}`);
    if (id) r.item = id;
  }
  const nItems = new Set(records.map((r) => r.item)).size;
  notes.push(`${plural(runs.length, 'run')} of ${plural(new Set(runs.map((r) => r.model)).size, 'model')}, ${plural(nItems, 'item')}`);

  return {
    format: 'lm-eval',
    records,
    items: [...outItems.values()],
    sources,
    notes,
    metric: { chosen: [...chosenMetrics].join(', '), available: [...allMetrics].sort() },
  };
}

/** Leaf tasks under a group (groups may nest: mmlu → mmlu_stem → mmlu_anatomy). */
function leafTasks(group: string, gs: Record<string, unknown>, seen = new Set<string>()): string[] {
  if (seen.has(group)) return [];
  seen.add(group);
  const members = gs[group];
  if (!Array.isArray(members) || !members.length) return [group];
  return members.flatMap((m) => (typeof m === 'string' ? leafTasks(m, gs, seen) : []));
}

/** The results file of a samples file: same folder and timestamp, else the only one in that folder. */
function matchResults(samples: string, ts: string, results: ResultsFile[]): ResultsFile | undefined {
  const dir = dirname(samples);
  const same = results.filter((r) => dirname(r.file) === dir);
  return same.find((r) => r.ts === ts) ?? (same.length === 1 ? same[0] : undefined);
}

function modelName(samples: string, res: ResultsFile | undefined): { model: string; from: string } {
  const j = res?.json;
  if (j) {
    if (typeof j.model_name === 'string' && j.model_name) return { model: j.model_name, from: 'results model_name' };
    const cfg = j.config;
    if (isObject(cfg) && typeof cfg.model_args === 'string') {
      const m = /(?:^|,)\s*(?:pretrained|model|path|engine)=([^,]+)/.exec(cfg.model_args);
      if (m) return { model: m[1].trim(), from: 'results config.model_args' };
    }
    if (typeof j.model_name_sanitized === 'string' && j.model_name_sanitized) return { model: j.model_name_sanitized.replace(/__/g, '/'), from: 'results model_name_sanitized' };
  }
  // lm-eval names the folder after the sanitised model name (org__model).
  return { model: parentName(samples).replace(/__/g, '/'), from: 'folder name' };
}

/** Filter to use for one task: --filter when given (must exist), else the first in file order. */
function chooseFilter(task: string, runs: Run[], requested: string | undefined, notes: string[]): string | undefined {
  const found: string[] = [];
  let anyFilterKey = false;
  for (const r of runs) {
    for (const { value } of r.lines) {
      if ('filter' in value) anyFilterKey = true;
      const f = typeof value.filter === 'string' ? value.filter : 'none';
      if (!found.includes(f)) found.push(f);
    }
  }
  if (!anyFilterKey) {
    if (requested && requested !== 'none') throw new CovaryError(`--filter ${requested}: the ${task} samples have no filters (older lm-eval output)`, { field: 'filter' });
    return undefined;
  }
  if (requested) {
    if (!found.includes(requested)) throw new CovaryError(`--filter ${requested}: no such filter in the ${task} samples`, { field: 'filter' }, `filters found: ${found.join(', ')}`);
    notes.push(`${task}: filter ${requested}`);
    return requested;
  }
  notes.push(`${task}: filter ${found[0]}${found.length > 1 ? ` (the first; others: ${found.slice(1).join(', ')} — choose with --filter)` : ''}`);
  return found[0];
}

function lineMetrics(value: Record<string, unknown>): string[] {
  if (Array.isArray(value.metrics)) return value.metrics.filter((m): m is string => typeof m === 'string' && toNumber(value[m]) !== undefined);
  return Object.keys(value).filter((k) => isMetricKey(k) && toNumber(value[k]) !== undefined);
}

/** Metrics with a per-item scalar value on the lines of this filter (in first-seen order). */
function metricsOf(runs: Run[], filter: string | undefined): string[] {
  const out: string[] = [];
  for (const r of runs) {
    const first = r.lines.find(({ value }) => filter === undefined || (value.filter ?? 'none') === filter);
    if (first) for (const m of lineMetrics(first.value)) if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** The task's primary metric: first of the config's metric_list, else higher_is_better, else a known name. */
function defaultMetric(task: string, runs: Run[], available: string[]): string {
  for (const r of runs) {
    const cfg = r.results?.json.configs;
    const list = isObject(cfg) && isObject(cfg[task]) ? (cfg[task] as Record<string, unknown>).metric_list : undefined;
    if (Array.isArray(list)) for (const m of list) if (isObject(m) && typeof m.metric === 'string' && available.includes(m.metric)) return m.metric;
    const hib = r.results?.json.higher_is_better;
    if (isObject(hib) && isObject(hib[task])) for (const m of Object.keys(hib[task] as object)) if (available.includes(m)) return m;
  }
  for (const p of PREFERRED) if (available.includes(p)) return p;
  return available.find((m) => /(^|_)acc$/.test(m)) ?? available[0];
}

/** Prompt text from the request arguments (0.4: `gen_args_0.arg_0`; early 0.4: a list of [context, continuation]). */
function promptText(value: Record<string, unknown>): string | null {
  const args = value.arguments;
  let ctx: unknown;
  const conts: unknown[] = [];
  const ctxs: unknown[] = [];
  if (isObject(args)) {
    const keys = Object.keys(args).filter((k) => /^gen_args_\d+$/.test(k)).sort((a, b) => Number(a.slice(9)) - Number(b.slice(9)));
    for (const k of keys) {
      const g = args[k];
      if (isObject(g)) {
        ctxs.push(unwrap(g.arg_0));
        conts.push(g.arg_1);
      }
    }
  } else if (Array.isArray(args)) {
    for (const a of args) {
      if (Array.isArray(a)) {
        ctxs.push(unwrap(a[0]));
        conts.push(a[1]);
      } else ctxs.push(unwrap(a));
    }
  }
  ctx = ctxs[0];
  if (typeof ctx !== 'string') return null;
  let text = chatFromJsonText(ctx) ?? ctx;
  // Multiple choice by loglikelihood: the same context with one continuation per choice.
  if (ctxs.length > 1 && ctxs.every((c) => c === ctx) && conts.every((c) => typeof c === 'string')) {
    text += '\n' + conts.map((c, i) => `${letter(i)}. ${(c as string).trim()}`).join('\n');
  } else if (ctxs.length > 1 && ctxs.every((c) => typeof c === 'string') && conts.every((c) => typeof c === 'string' && c === conts[0])) {
    // Partial scoring (winogrande): one context per choice, the same continuation → "<prefix> ___<continuation>" + choices.
    const cs = ctxs as string[];
    let p = 0;
    while (p < cs[0].length && cs.every((c) => c[p] === cs[0][p])) p++;
    p = cs[0].lastIndexOf(' ', p) + 1 || p;
    text = `${cs[0].slice(0, p)}___${conts[0] as string}\n` + cs.map((c, i) => `${letter(i)}. ${c.slice(p).trim()}`).join('\n');
  }
  return text;
}

function unwrap(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

/** The extracted answer: the filtered response for generation, the argmax choice for loglikelihood. */
function answerOf(value: Record<string, unknown>): string | null | undefined {
  const fr = value.filtered_resps;
  if (!Array.isArray(fr) || !fr.length) return undefined;
  const first = fr[0];
  if (typeof first === 'string' || (Array.isArray(first) && fr.length === 1 && typeof first[0] === 'string' && toNumber(first[0]) === undefined)) {
    const s = (typeof first === 'string' ? first : (first[0] as string)).trim();
    if (s === '' || s === '[invalid]') return null;
    return s.length <= 200 ? s : undefined;
  }
  if (fr.length > 1 && fr.every((r) => Array.isArray(r) && toNumber(r[0]) !== undefined)) {
    const lls = fr.map((r) => toNumber((r as unknown[])[0]) as number);
    const i = argmax(lls);
    return i >= 0 ? letter(i) : null;
  }
  return undefined;
}

/** v0.3 multiple choice: logit_0..N are loglikelihoods → the argmax letter; generations are not answers. */
function legacyAnswer(value: Record<string, unknown>): string | undefined {
  const keys = Object.keys(value).filter((k) => /^logit_\d+$/.test(k)).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
  if (keys.length < 2) return undefined;
  const lls = keys.map((k) => toNumber(value[k]));
  if (lls.some((x) => x === undefined)) return undefined;
  const i = argmax(lls as number[]);
  return i >= 0 ? letter(i) : undefined;
}

/** Keys of a slimmed line holding what was derived from the fields dropped. */
const TEXT = '\u0000text';
const ANSWER = '\u0000answer';
const META = '\u0000meta';

function isMetricKey(k: string): boolean {
  return !RESERVED.has(k) && !k.startsWith('\u0000') && !/^(prompt|logit)_\d+$/.test(k) && k !== 'truth';
}

/**
 * Keep only what the reader needs from a line (ids, filter, hash, metric values) plus the prompt text,
 * answer and doc metadata derived now: the raw `doc`/`arguments`/`resps` (often most of a samples file)
 * are dropped, so many large logs fit in memory at once.
 */
function slim(value: Record<string, unknown>, legacy: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { doc_id: value.doc_id };
  if ('filter' in value) out.filter = value.filter;
  if (typeof value.doc_hash === 'string') out.doc_hash = value.doc_hash;
  if (Array.isArray(value.metrics)) out.metrics = value.metrics;
  for (const k of Object.keys(value)) if (isMetricKey(k)) out[k] = value[k];
  out[TEXT] = legacy ? (typeof value.prompt_0 === 'string' ? value.prompt_0 : null) : promptText(value);
  out[ANSWER] = legacy ? legacyAnswer(value) : answerOf(value);
  const meta: Record<string, MetadataValue> = {};
  const doc = value.doc;
  if (isObject(doc)) {
    for (const k of Object.keys(doc).sort()) {
      const v = toMetadata(doc[k], 100);
      if (v !== undefined) meta[`doc.${k}`] = v;
    }
  }
  out[META] = meta;
  return out;
}
