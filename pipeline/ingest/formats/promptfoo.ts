/**
 * promptfoo exports: `promptfoo eval -o results.json` / `promptfoo export` (`{evalId, results: {version: 3, results: […]}}`)
 * and `-o results.jsonl` (one result per line).
 *
 * - model: `provider.label` when set, else `provider.id`;
 * - item: `--item-field <dotted path>` when given (e.g. `vars.question`), else `testCase.metadata.item_id`
 *   (or `metadata.item_id` / `.id`) when every result has one, else `testIdx`. When the eval used several
 *   prompt templates, each (test, template) pair is its own item: `<id>#p<k>` (k = template number, from 1);
 * - score: `score` (default), `success` (pass → 1, fail → 0) or a `namedScores` key, chosen with --metric;
 *   repeated results of one (model, item) (`--repeat`) are averaged;
 * - results that errored (`failureReason` 2: the provider failed, no answer was graded) are left out
 *   (missing, not wrong) and counted in the notes;
 * - text: `prompt.raw` (the rendered prompt); metadata: `testCase.metadata`, `vars` (as `var.<name>`),
 *   `testCase.description`; answer: `response.output` when short.
 */
import { basename } from 'node:path';
import { CovaryError } from '../../core/errors.ts';
import type { MetadataValue } from '../../core/dataset.ts';
import type { SourceFile } from '../../core/store.ts';
import type { FormatOptions, IngestFormat, IngestParts, ItemRecord, ScoreRecord } from '../types.ts';
import { addMetadata, chooseMetric, getPath, isObject, mean, parseJson, parseJsonl, peek, plural, readSource, shortAnswer, toMetadata, toNumber } from './shared-logs.ts';

interface Result {
  value: Record<string, unknown>;
  file: string;
  line?: number;
}

function looksLikeResult(o: unknown): boolean {
  return isObject(o) && 'provider' in o && ('testIdx' in o || 'vars' in o) && ('success' in o || 'score' in o);
}

export const promptfooFormat: IngestFormat = {
  name: 'promptfoo',
  describe: 'promptfoo exports: results.json (-o / promptfoo export, results v2–v3) and results.jsonl',
  async detect(files) {
    for (const f of files) {
      if (f.endsWith('.json')) {
        const head = await peek(f, 4096);
        if (/^\s*\{\s*"evalId"\s*:/.test(head) || (/"results"\s*:\s*\{\s*"version"\s*:\s*[23]\b/.test(head) && head.includes('"timestamp"'))) return true;
      } else if (f.endsWith('.jsonl')) {
        const first = (await peek(f, 65536)).split('\n')[0];
        try {
          if (looksLikeResult(JSON.parse(first)) && first.includes('"promptIdx"')) return true;
        } catch {
          /* first line longer than the peek, or not JSON: not promptfoo */
        }
      }
    }
    return false;
  },
  read: readPromptfoo,
};

async function readPromptfoo(files: string[], options: FormatOptions): Promise<IngestParts> {
  const notes: string[] = [];
  const sources: SourceFile[] = [];
  const results: Result[] = [];
  for (const f of [...files].sort()) {
    if (f.endsWith('.jsonl')) {
      const { data, source } = await readSource(f, 'promptfoo-jsonl');
      const lines = parseJsonl(data.toString('utf8'), f);
      if (!lines.length || !looksLikeResult(lines[0].value)) continue;
      for (const { line, value } of lines) {
        if (!looksLikeResult(value)) throw new CovaryError('line is not a promptfoo result (needs provider, testIdx/vars, success/score)', { file: f, line });
        results.push({ value, file: f, line });
      }
      sources.push(source);
    } else if (f.endsWith('.json')) {
      const head = await peek(f, 4096);
      if (!/"results"/.test(head)) continue;
      const { data, source } = await readSource(f, 'promptfoo-json');
      const json = parseJson(data.toString('utf8'), f);
      if (!isObject(json)) continue;
      const inner = isObject(json.results) ? json.results : json;
      const list = inner.results;
      if (!Array.isArray(list)) {
        if ('evalId' in json) throw new CovaryError('promptfoo export has no results.results list', { file: f, field: 'results.results' });
        continue;
      }
      const version = toNumber(inner.version);
      if (version !== undefined && version < 2) throw new CovaryError(`promptfoo results version ${version} is not supported`, { file: f, field: 'results.version' }, 're-export with a current promptfoo (promptfoo export <evalId>)');
      list.forEach((value, i) => {
        if (!looksLikeResult(value)) throw new CovaryError(`results[${i}] is not a promptfoo result`, { file: f, field: `results.results[${i}]` });
        results.push({ value: value as Record<string, unknown>, file: f });
      });
      sources.push(source);
      const ver = isObject(json.metadata) ? json.metadata.promptfooVersion : undefined;
      notes.push(`${basename(f)}: ${plural(list.length, 'result')}${typeof ver === 'string' ? ` (promptfoo ${ver})` : ''}`);
    }
  }
  if (!results.length) throw new CovaryError('no promptfoo results among the inputs', {});

  // The same result may be given twice (results.json and results.jsonl of one eval): keep one per result id.
  const seen = new Set<string>();
  const unique: Result[] = [];
  let dupes = 0;
  for (const r of results) {
    const id = typeof r.value.id === 'string' ? r.value.id : undefined;
    if (id && seen.has(id)) {
      dupes++;
      continue;
    }
    if (id) seen.add(id);
    unique.push(r);
  }
  if (dupes) notes.push(`${plural(dupes, 'result')} appeared in more than one file (same result id); read once`);

  // Item identity.
  const itemField = typeof options.itemField === 'string' && options.itemField ? options.itemField : undefined;
  const autoFields = ['testCase.metadata.item_id', 'metadata.item_id', 'testCase.metadata.id', 'testCase.metadata.itemId'];
  let idField = itemField;
  if (!idField) idField = autoFields.find((p) => unique.every((r) => isIdValue(getPath(r.value, p))));
  for (const r of unique) {
    const v = idField ? getPath(r.value, idField) : r.value.testIdx;
    if (!isIdValue(v)) {
      throw new CovaryError(
        idField ? `result has no item id at ${idField}` : 'result has no testIdx',
        { file: r.file, line: r.line, field: idField ?? 'testIdx' },
        idField ? undefined : 'name the item id with --item-field (e.g. vars.question or testCase.metadata.id)',
      );
    }
  }
  notes.push(`item id from ${idField ?? 'testIdx'}`);
  const templates: string[] = [];
  for (const r of unique) {
    const t = templateOf(r.value);
    if (!templates.includes(t)) templates.push(t);
  }
  if (templates.length > 1) notes.push(`${templates.length} prompt templates: each (test, template) pair is an item, id suffix #p1…#p${templates.length}`);

  // Metric.
  const available = ['score', 'success'];
  for (const r of unique) {
    const ns = r.value.namedScores;
    if (isObject(ns)) for (const k of Object.keys(ns)) if (!available.includes(k) && toNumber(ns[k]) !== undefined) available.push(k);
  }
  const metric = chooseMetric(available, options.metric, 'score');
  notes.push(`metric ${metric}${available.length > 1 ? ` (available: ${available.join(', ')})` : ''}`);

  const cells = new Map<string, { model: string; item: string; values: number[]; answer?: string | null; where: Result }>();
  const items = new Map<string, ItemRecord>();
  let errored = 0;
  let noValue = 0;
  for (const r of unique) {
    const v = r.value;
    if (toNumber(v.failureReason) === 2) {
      errored++;
      continue;
    }
    const model = modelOf(v);
    if (!model) throw new CovaryError('result has no provider id', { file: r.file, line: r.line, field: 'provider' });
    const baseId = String(idField ? getPath(v, idField) : v.testIdx);
    const item = templates.length > 1 ? `${baseId}#p${templates.indexOf(templateOf(v)) + 1}` : baseId;
    const score = metric === 'score' ? toNumber(v.score) : metric === 'success' ? toNumber(v.success) : isObject(v.namedScores) ? toNumber(v.namedScores[metric]) : undefined;
    if (score === undefined) {
      noValue++;
      continue;
    }
    const key = `${model}\u0000${item}`;
    let cell = cells.get(key);
    if (!cell) {
      cells.set(key, (cell = { model, item, values: [], where: r }));
      const resp = v.response;
      const out = isObject(resp) ? resp.output : undefined;
      const a = shortAnswer(typeof out === 'string' ? out : undefined);
      if (a !== undefined) cell.answer = a === '' ? null : a;
    }
    cell.values.push(score);
    if (!items.has(item)) items.set(item, itemOf(item, v, r, templates.length > 1 ? templates.indexOf(templateOf(v)) + 1 : undefined));
  }
  const records: ScoreRecord[] = [];
  let repeated = 0;
  for (const c of cells.values()) {
    if (c.values.length > 1) repeated++;
    const rec: ScoreRecord = { model: c.model, item: c.item, score: mean(c.values), where: { file: c.where.file, line: c.where.line } };
    if (c.answer !== undefined) rec.answer = c.answer;
    records.push(rec);
  }
  if (repeated) notes.push(`${plural(repeated, 'cell')} had repeated results (--repeat), averaged`);
  if (errored) notes.push(`errored results (failureReason 2: the provider failed, nothing was graded): ${errored}, left missing rather than scored 0`);
  if (noValue) notes.push(`${plural(noValue, 'result')} had no ${metric} value and are missing`);
  notes.push(`${plural(new Set(records.map((r) => r.model)).size, 'model')}, ${plural(items.size, 'item')}`);
  return { format: 'promptfoo', records, items: [...items.values()], sources, notes, metric: { chosen: metric, available } };
}

function isIdValue(v: unknown): boolean {
  return (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v));
}

function modelOf(v: Record<string, unknown>): string | undefined {
  const p = v.provider;
  if (typeof p === 'string') return p;
  if (isObject(p)) {
    if (typeof p.label === 'string' && p.label) return p.label;
    if (typeof p.id === 'string' && p.id) return p.id;
  }
  return undefined;
}

function templateOf(v: Record<string, unknown>): string {
  const p = v.prompt;
  if (isObject(p)) return typeof p.label === 'string' ? p.label : typeof p.raw === 'string' ? p.raw : '';
  return '';
}

function itemOf(id: string, v: Record<string, unknown>, r: Result, template: number | undefined): ItemRecord {
  const p = v.prompt;
  const text = isObject(p) && typeof p.raw === 'string' ? p.raw : typeof p === 'string' ? p : null;
  const metadata: Record<string, MetadataValue> = {};
  const tc = isObject(v.testCase) ? v.testCase : undefined;
  addMetadata(metadata, tc?.metadata ?? v.metadata);
  addMetadata(metadata, v.vars, 'var.', 100);
  const desc = toMetadata(tc?.description);
  if (typeof desc === 'string') metadata.description = desc;
  if (template !== undefined) metadata.template = template;
  return { id, text, metadata, where: { file: r.file, line: r.line } };
}
