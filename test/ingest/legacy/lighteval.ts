// Frozen copy of the pre-streaming implementation (commit 3f29223): the reference the streaming readers are compared against.
/**
 * lighteval / Open LLM Leaderboard details: `details/<org>/<model>/<ts>/details_<task>|<fewshot>_<ts>.parquet`
 * beside `results/<org>/<model>/results_<ts>.json`. Parquet is read with hyparquet (pure JS).
 *
 * - model: `config_general.model_name` of the results file with the same timestamp, else `<org>/<model>`
 *   from the details path;
 * - item: `<task>/<doc.id>` (task = `doc.task_name`, else the file name; `--task anli:r1` matches `anli:r1|0`);
 * - score: `metric.<name>` (default: the task's first metric in the results file's config_tasks, else the first key);
 * - text: `doc.query`; answer: the argmax choice letter (loglikelihood) or the post-processed text (generative).
 * Older details files without the `doc`/`metric` structs (columns `full_prompt`/`example`, `metrics`) are read too,
 * with the row index as doc id.
 */
import { basename, dirname } from 'node:path';
import { CovaryError } from '../../../pipeline/core/errors.ts';
import type { MetadataValue } from '../../../pipeline/core/dataset.ts';
import type { SourceFile } from '../../../pipeline/core/store.ts';
import type { FormatOptions, IngestFormat, IngestParts, ItemRecord, ScoreRecord } from '../../../pipeline/ingest/types.ts';
import { argmax, chooseMetric, chooseTasks, isObject, letter, parseJson, peek, peekBytes, plural, readSource, shortAnswer, toMetadata, toNumber } from '../../../pipeline/ingest/formats/shared-logs.ts';

const DETAILS_RE = /^details_(.+)_(\d{4}-\d{2}-\d{2}T[\d.:-]+)\.parquet$/;
const RESULTS_RE = /^results_(\d{4}-\d{2}-\d{2}T[\d.:-]+)\.json$/;

interface Details {
  file: string;
  task: string;
  ts: string;
  model: string;
  modelFrom: string;
  rows: Record<string, unknown>[];
}

export const lightevalFormat: IngestFormat = {
  name: 'lighteval',
  describe: 'lighteval / Open LLM Leaderboard details_<task>|<fewshot>_<ts>.parquet (+ results_<ts>.json)',
  async detect(files) {
    for (const f of files) {
      if (DETAILS_RE.test(basename(f))) {
        const b = await peekBytes(f, 4);
        if (String.fromCharCode(...b) === 'PAR1') return true;
      }
    }
    return false;
  },
  read: readLighteval,
};

export async function readLighteval(files: string[], options: FormatOptions): Promise<IngestParts> {
  const notes: string[] = [];
  const sources: SourceFile[] = [];
  const results = new Map<string, { file: string; json: Record<string, unknown> }>();
  const detailFiles: string[] = [];
  for (const f of [...files].sort()) {
    const b = basename(f);
    if (DETAILS_RE.test(b)) detailFiles.push(f);
    else if (RESULTS_RE.test(b) && (await peek(f, 4096)).includes('"config_general"')) {
      const { data, source } = await readSource(f, 'results');
      const json = parseJson(data.toString('utf8'), f);
      if (!isObject(json)) throw new CovaryError('not a lighteval results file', { file: f });
      sources.push(source);
      results.set(RESULTS_RE.exec(b)![1], { file: f, json });
    }
  }
  if (!detailFiles.length) {
    throw new CovaryError('no lighteval details_*.parquet among the inputs', { file: [...results.values()][0]?.file }, 'run lighteval with --save-details and pass the details folder');
  }
  const taskOfName = (f: string) => DETAILS_RE.exec(basename(f))![1];
  const { tasks } = chooseTasks(detailFiles.map(taskOfName), options.task, 'lighteval', (t) => [t.replace(/\|\d+$/, ''), t.split('|').slice(-2, -1)[0] ?? t].filter(Boolean));
  const wanted = new Set(tasks);

  const details: Details[] = [];
  for (const f of detailFiles) {
    const task = taskOfName(f);
    if (!wanted.has(task)) continue;
    const ts = DETAILS_RE.exec(basename(f))![2];
    const { data, source } = await readSource(f, 'details');
    sources.push(source);
    let rows: Record<string, unknown>[];
    try {
      const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
      // hyparquet loads only when a parquet file is read.
      const { parquetReadObjects } = await import('hyparquet');
      rows = (await parquetReadObjects({ file: buf })) as Record<string, unknown>[];
    } catch (e) {
      throw new CovaryError(`cannot read parquet: ${(e as Error).message}`, { file: f });
    }
    const res = results.get(ts);
    let model: string | undefined;
    let modelFrom = 'results config_general.model_name';
    const cg = res?.json.config_general;
    if (isObject(cg)) {
      if (typeof cg.model_name === 'string') model = cg.model_name;
      else if (isObject(cg.model_config) && typeof cg.model_config.model_name === 'string') model = cg.model_config.model_name;
    }
    if (!model) {
      // details/<org>/<model>/<ts>/details_…: the two folders above the timestamp folder.
      const tsDir = dirname(f);
      const m = basename(dirname(tsDir));
      const org = basename(dirname(dirname(tsDir)));
      model = org && org !== 'details' && org !== '.' ? `${org}/${m}` : m;
      modelFrom = 'path';
    }
    details.push({ file: f, task, ts, model, modelFrom, rows });
  }
  for (const d of details) notes.push(`${basename(d.file)}: model ${d.model} (from ${d.modelFrom}), task ${d.task}, ${plural(d.rows.length, 'row')}`);

  const records: ScoreRecord[] = [];
  const items = new Map<string, ItemRecord>();
  const allMetrics = new Set<string>();
  const chosenMetrics = new Set<string>();
  const multiTask = tasks.length > 1;
  for (const task of tasks) {
    const ds = details.filter((d) => d.task === task);
    const available: string[] = [];
    for (const d of ds) for (const r of d.rows.slice(0, 1)) for (const k of Object.keys(metricsOf(r))) if (!available.includes(k)) available.push(k);
    for (const m of available) allMetrics.add(m);
    if (!available.length) throw new CovaryError('no per-item metric in the details file', { file: ds[0]?.file, field: 'metric' });
    const metric = chooseMetric(available, options.metric, defaultMetric(task, [...results.values()].map((r) => r.json), available));
    chosenMetrics.add(metric);
    notes.push(`${task}: metric ${metric}${available.length > 1 ? ` (available: ${available.join(', ')})` : ''}`);
    for (const d of ds) {
      d.rows.forEach((row, i) => {
        const doc = isObject(row.doc) ? row.doc : undefined;
        const rawId = doc?.id ?? row.doc_id ?? i;
        const id = `${multiTask ? `${task}/` : ''}${String(toNumber(rawId) ?? rawId)}`;
        const mv = metricsOf(row)[metric];
        if (mv === undefined) throw new CovaryError(`row ${i} has no value for metric ${metric}`, { file: d.file, field: `metric.${metric}` });
        const score = toNumber(mv);
        if (score === undefined) throw new CovaryError(`metric ${metric} is not a number in row ${i}`, { file: d.file, field: `metric.${metric}` });
        const rec: ScoreRecord = { model: d.model, item: id, score, where: { file: d.file, line: i + 1 } };
        const answer = answerOf(row);
        if (answer !== undefined) rec.answer = answer;
        records.push(rec);
        if (!items.has(id)) {
          const text = typeof doc?.query === 'string' ? doc.query : typeof row.full_prompt === 'string' ? row.full_prompt : typeof row.example === 'string' ? row.example : null;
          const metadata: Record<string, MetadataValue> = { task: typeof doc?.task_name === 'string' ? doc.task_name : task };
          const spec = toMetadata(doc?.specific);
          if (spec !== undefined && spec !== null) metadata.specific = spec;
          items.set(id, { id, text, metadata, where: { file: d.file, line: i + 1 } });
        }
      });
    }
  }
  notes.push(`${plural(details.length, 'details file')} of ${plural(new Set(details.map((d) => d.model)).size, 'model')}, ${plural(items.size, 'item')}`);
  return { format: 'lighteval', records, items: [...items.values()], sources, notes, metric: { chosen: [...chosenMetrics].join(', '), available: [...allMetrics].sort() } };
}

/** The per-item metric struct (new: `metric`; old: `metrics`), scalar values only. */
function metricsOf(row: Record<string, unknown>): Record<string, unknown> {
  const m = isObject(row.metric) ? row.metric : isObject(row.metrics) ? row.metrics : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (toNumber(v) !== undefined) out[k] = v;
  return out;
}

function defaultMetric(task: string, results: Record<string, unknown>[], available: string[]): string {
  for (const r of results) {
    const ct = r.config_tasks;
    const cfg = isObject(ct) ? ct[task] : undefined;
    if (isObject(cfg) && Array.isArray(cfg.metrics)) {
      for (const m of cfg.metrics) {
        const name = isObject(m) ? m.metric_name : undefined;
        if (typeof name === 'string' && available.includes(name)) return name;
        if (Array.isArray(name)) for (const n of name) if (typeof n === 'string' && available.includes(n)) return n;
      }
    }
  }
  return available[0];
}

function answerOf(row: Record<string, unknown>): string | null | undefined {
  const mr = isObject(row.model_response) ? row.model_response : undefined;
  if (!mr) return undefined;
  const doc = isObject(row.doc) ? row.doc : undefined;
  const methods = Array.isArray(doc?.sampling_methods) ? doc.sampling_methods : [];
  if (methods.includes('LOGPROBS') && Array.isArray(mr.logprobs) && mr.logprobs.length) {
    const i = argmax(mr.logprobs.map((x) => toNumber(x) ?? NaN));
    return i >= 0 ? letter(i) : null;
  }
  const texts = Array.isArray(mr.text_post_processed) && mr.text_post_processed.length ? mr.text_post_processed : Array.isArray(mr.text) ? mr.text : [];
  if (!texts.length) return undefined;
  const a = shortAnswer(texts[0]);
  return a === '' ? null : a;
}
