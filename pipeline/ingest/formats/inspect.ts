/**
 * UK AISI Inspect logs: `.eval` (a zip read in memory with fflate, never extracted to disk) and `.json`.
 *
 * - model: `eval.model`; task: `eval.task` (mixed tasks need --task; `inspect_evals/arc_easy` also answers to `arc_easy`);
 * - item: `sample.id` (number or string, always as a string); epochs reduced with --epochs mean (default) or first;
 * - score: `sample.scores.<scorer>.value` for the scorer chosen with --scorer (default: the log's first scorer).
 *   C/I/P/N (correct / incorrect / partial / no answer) → 1 / 0 / 0.5 / 0; booleans → 1/0; numbers kept.
 *   Dict values are read per key: `--scorer <scorer>.<key>`; a dict with several keys and no key chosen is an error;
 * - text: `input` (a string, or chat messages rendered as text) plus `choices` lettered A., B., …;
 * - metadata: `sample.metadata` (nested values as compact JSON); answer: `scores.<scorer>.answer`.
 * The same log given twice (e.g. as .eval and .json) is read once.
 */
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import type * as Fflate from 'fflate';

// fflate loads only when an .eval log is read, so other commands start fast.
const require = createRequire(import.meta.url);
const fflate = (): typeof Fflate => require('fflate') as typeof Fflate;
import { CovaryError } from '../../core/errors.ts';
import type { MetadataValue } from '../../core/dataset.ts';
import type { SourceFile } from '../../core/store.ts';
import type { FormatOptions, IngestFormat, IngestParts, ItemRecord, ScoreRecord } from '../types.ts';
import { addMetadata, chooseTasks, isObject, latestRuns, letter, mean, parseJson, peek, peekBytes, plural, readSource, renderMessages, shortAnswer, toNumber } from './shared-logs.ts';

const JSON_PEEK_RE = /^\s*\{\s*"version"\s*:\s*\d+\s*,\s*"status"\s*:/;
const LETTER_VALUES: Record<string, number> = { C: 1, I: 0, P: 0.5, N: 0 };

interface Sample {
  id: string;
  epoch: number;
  value: Record<string, unknown>;
  where: string;
}

interface Log {
  file: string;
  header: Record<string, unknown>;
  task: string;
  model: string;
  samples: Sample[];
}

export const inspectFormat: IngestFormat = {
  name: 'inspect',
  describe: 'Inspect (inspect_ai) logs: .eval archives and .json logs',
  async detect(files) {
    for (const f of files) {
      if (f.endsWith('.eval')) {
        const b = await peekBytes(f, 4);
        if (b[0] === 0x50 && b[1] === 0x4b) return true;
      } else if (f.endsWith('.json') && JSON_PEEK_RE.test(await peek(f, 1024)) && (await peek(f, 4096)).includes('"eval"')) return true;
    }
    return false;
  },
  read: readInspect,
};

/** When the log was made: `eval.created` (ISO time), else the timestamp Inspect puts at the start of the file name. */
function logTime(l: Log): string | undefined {
  const ev = l.header.eval;
  if (isObject(ev) && typeof ev.created === 'string' && ev.created) {
    const t = Date.parse(ev.created);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}[-:]\d{2}[-:]\d{2})/.exec(basename(l.file));
  return m ? m[1].replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3') : undefined;
}

async function readInspect(files: string[], options: FormatOptions): Promise<IngestParts> {
  const notes: string[] = [];
  const sources: SourceFile[] = [];
  const logs: Log[] = [];
  const seen = new Map<string, string>();
  const duplicates: { task: string; note: string }[] = [];
  for (const f of [...files].sort()) {
    let log: Log | undefined;
    if (f.endsWith('.eval')) {
      const { data, source } = await readSource(f, 'inspect-eval');
      log = readEvalZip(f, data);
      sources.push(source);
    } else if (f.endsWith('.json') && JSON_PEEK_RE.test(await peek(f, 1024))) {
      const { data, source } = await readSource(f, 'inspect-json');
      log = readJsonLog(f, data.toString('utf8'));
      sources.push(source);
    } else continue;
    const ev = log.header.eval as Record<string, unknown>;
    const key = typeof ev.run_id === 'string' && typeof ev.task_id === 'string' ? `${ev.run_id}/${ev.task_id}` : undefined;
    if (key && seen.has(key)) {
      duplicates.push({ task: log.task, note: `${basename(f)} is the same log as ${basename(seen.get(key)!)} (run ${ev.run_id}); read once` });
      continue;
    }
    if (key) seen.set(key, f);
    logs.push(log);
  }
  if (!logs.length) throw new CovaryError('no Inspect log (.eval or .json) among the inputs', {});

  const { tasks } = chooseTasks(logs.map((l) => l.task), options.task, 'Inspect', (t) => [t.split('/').pop()!]);
  const latest = latestRuns(
    logs.filter((l) => tasks.includes(l.task)),
    (l) => `${l.model} on ${l.task}`,
    (l) => logTime(l),
    (l) => basename(l.file),
    options.runs === 'all' ? 'all' : 'latest',
    (l) => l.header.status === 'success',
  );
  const chosen = latest.kept;
  for (const d of duplicates) if (tasks.includes(d.task)) notes.push(d.note);
  notes.push(...latest.notes);
  const multiTask = tasks.length > 1;
  for (const l of chosen) {
    const status = l.header.status;
    notes.push(`${basename(l.file)}: model ${l.model}, task ${l.task}, ${plural(l.samples.length, 'sample')}${status !== 'success' ? ` (log status "${String(status)}": using the samples it holds)` : ''}`);
  }
  const perModel = new Map<string, number>();
  for (const l of chosen) perModel.set(`${l.task}\u0000${l.model}`, (perModel.get(`${l.task}\u0000${l.model}`) ?? 0) + 1);
  for (const [k, n] of perModel) if (n > 1) notes.push(`model ${k.split('\u0000')[1]} has ${n} different logs for ${k.split('\u0000')[0]}`);

  // Scorers: names in results.scores order, then any others seen on samples; dict values offer per-key choices.
  const scorers: string[] = [];
  const dictKeys = new Map<string, string[]>();
  for (const l of chosen) {
    const res = l.header.results;
    if (isObject(res) && Array.isArray(res.scores)) {
      for (const s of res.scores) {
        const n = isObject(s) ? (typeof s.scorer === 'string' ? s.scorer : s.name) : undefined;
        if (typeof n === 'string' && !scorers.includes(n)) scorers.push(n);
      }
    }
    for (const s of l.samples) {
      const sc = s.value.scores;
      if (!isObject(sc)) continue;
      for (const [n, v] of Object.entries(sc)) {
        if (!scorers.includes(n)) scorers.push(n);
        const val = isObject(v) ? v.value : undefined;
        if (isObject(val)) {
          const keys = dictKeys.get(n) ?? [];
          for (const k of Object.keys(val)) if (!keys.includes(k)) keys.push(k);
          dictKeys.set(n, keys);
        }
      }
    }
  }
  const presentScorers = scorers.filter((n) => chosen.some((l) => l.samples.some((s) => isObject(s.value.scores) && n in (s.value.scores as object))));
  const available: string[] = [];
  for (const n of presentScorers) {
    available.push(n);
    for (const k of dictKeys.get(n) ?? []) available.push(`${n}.${k}`);
  }
  if (!presentScorers.length) throw new CovaryError('the Inspect logs hold no scored samples', { file: chosen[0].file }, 'score the log first (inspect score <log>)');
  const requested = (typeof options.scorer === 'string' && options.scorer) || (typeof options.metric === 'string' && options.metric) || undefined;
  let scorer: string;
  let key: string | undefined;
  if (requested) {
    if (presentScorers.includes(requested)) scorer = requested;
    else {
      const dot = requested.lastIndexOf('.');
      const base = dot > 0 ? requested.slice(0, dot) : '';
      if (!presentScorers.includes(base)) {
        throw new CovaryError(`--scorer ${requested}: no such scorer in these logs`, { field: 'scorer' }, `available: ${available.join(', ')}`);
      }
      scorer = base;
      key = requested.slice(dot + 1);
    }
  } else scorer = presentScorers[0];
  const keys = dictKeys.get(scorer);
  if (!key && keys?.length) {
    if (keys.length > 1) {
      throw new CovaryError(`scorer ${scorer} gives a dict of values (${keys.join(', ')})`, { field: 'scorer' }, `choose one with --scorer ${keys.map((k) => `${scorer}.${k}`).join(' | ')}`);
    }
    key = keys[0];
  }
  const label = key ? `${scorer}.${key}` : scorer;
  notes.push(`scorer ${label}${available.length > 1 ? ` (available: ${available.join(', ')})` : ''}; C/I/P/N → 1/0/0.5/0`);

  const epochsMode = options.epochs === 'first' ? 'first' : 'mean';
  const records: ScoreRecord[] = [];
  const items = new Map<string, ItemRecord>();
  let unscored = 0;
  let multiEpoch = 0;
  for (const l of chosen) {
    const byId = new Map<string, Sample[]>();
    for (const s of l.samples) {
      const list = byId.get(s.id) ?? [];
      list.push(s);
      byId.set(s.id, list);
    }
    for (const [id, list] of [...byId].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))) {
      list.sort((a, b) => a.epoch - b.epoch);
      const values: number[] = [];
      let answer: string | undefined;
      for (const s of epochsMode === 'first' ? list.slice(0, 1) : list) {
        const sc = isObject(s.value.scores) ? s.value.scores[scorer] : undefined;
        if (!isObject(sc)) continue;
        const v = scoreValue(sc.value, key, s.where, label);
        if (v === undefined) continue;
        values.push(v);
        if (answer === undefined) answer = shortAnswer(sc.answer);
      }
      if (!values.length) {
        unscored++;
        continue;
      }
      if (list.length > 1) multiEpoch++;
      const itemId = multiTask ? `${l.task}/${id}` : id;
      const rec: ScoreRecord = { model: l.model, item: itemId, score: epochsMode === 'first' ? values[0] : mean(values), where: { file: l.file } };
      if (answer !== undefined) rec.answer = answer;
      records.push(rec);
      if (!items.has(itemId)) items.set(itemId, itemOf(itemId, l, list[0]));
    }
  }
  if (multiEpoch) notes.push(`epochs: ${plural(multiEpoch, 'sample')} had several epochs, reduced by ${epochsMode === 'first' ? 'taking the first epoch' : 'the mean over epochs'} (--epochs)`);
  if (unscored) notes.push(`${plural(unscored, 'sample')} had no ${label} score and are missing for that model`);
  notes.push(`${plural(chosen.length, 'log')} of ${plural(new Set(chosen.map((l) => l.model)).size, 'model')}, ${plural(items.size, 'item')}`);
  return { format: 'inspect', records, items: [...items.values()], sources, notes, metric: { chosen: label, available } };
}

/** C/I/P/N letters, booleans, numbers and numeric strings; dicts read at `key`. */
function scoreValue(v: unknown, key: string | undefined, where: string, label: string): number | undefined {
  if (isObject(v)) {
    if (!key) throw new CovaryError(`scorer ${label} gives a dict value`, { file: where }, `choose a key with --scorer ${label}.<key>`);
    if (!(key in v)) return undefined;
    v = v[key];
  }
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' && v in LETTER_VALUES) return LETTER_VALUES[v];
  const n = toNumber(v);
  if (n === undefined) {
    throw new CovaryError(`score value ${JSON.stringify(v).slice(0, 40)} is not C/I/P/N, a number or a boolean`, { file: where, field: `scores.${label}` }, 'choose another scorer with --scorer');
  }
  return n;
}

function itemOf(id: string, l: Log, s: Sample): ItemRecord {
  const v = s.value;
  let text: string | null = null;
  if (typeof v.input === 'string') text = v.input;
  else if (Array.isArray(v.input)) text = renderMessages(v.input) || null;
  if (Array.isArray(v.choices) && v.choices.length) {
    const choices = v.choices.map((c, i) => `${letter(i)}. ${typeof c === 'string' ? c : JSON.stringify(c)}`).join('\n');
    text = text ? `${text}\n\n${choices}` : choices;
  }
  const metadata: Record<string, MetadataValue> = { task: l.task };
  addMetadata(metadata, v.metadata);
  return { id, text, metadata, where: { file: l.file } };
}

function logIdentity(file: string, header: unknown): { header: Record<string, unknown>; task: string; model: string } {
  if (!isObject(header) || !isObject(header.eval)) throw new CovaryError('not an Inspect log (no "eval" section)', { file, field: 'eval' });
  const ev = header.eval;
  if (typeof ev.model !== 'string' || !ev.model) throw new CovaryError('Inspect log names no model', { file, field: 'eval.model' });
  const task = typeof ev.task === 'string' && ev.task ? ev.task : 'task';
  return { header, task, model: ev.model };
}

function sampleOf(raw: unknown, where: string): Sample {
  if (!isObject(raw)) throw new CovaryError('sample is not an object', { file: where });
  const id = raw.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new CovaryError('sample has no id', { file: where, field: 'id' });
  return { id: String(id), epoch: toNumber(raw.epoch) ?? 1, value: raw, where };
}

function readJsonLog(file: string, text: string): Log {
  const json = parseJson(text, file);
  const { header, task, model } = logIdentity(file, json);
  const samples = Array.isArray(header.samples) ? header.samples.map((s) => sampleOf(s, file)) : [];
  return { file, header, task, model, samples };
}

function readEvalZip(file: string, data: Uint8Array): Log {
  let entries: Record<string, Uint8Array>;
  try {
    entries = fflate().unzipSync(data, { filter: (f) => f.name === 'header.json' || f.name === '_journal/start.json' || (f.name.startsWith('samples/') && f.name.endsWith('.json')) });
  } catch (e) {
    throw new CovaryError(`not a readable .eval archive: ${(e as Error).message}`, { file });
  }
  // An unfinished run has no header.json yet; its start record holds the same eval section.
  const headBytes = entries['header.json'] ?? entries['_journal/start.json'];
  if (!headBytes) throw new CovaryError('.eval archive has neither header.json nor _journal/start.json', { file });
  const { header, task, model } = logIdentity(file, parseJson(fflate().strFromU8(headBytes), `${file}#header.json`));
  if (!entries['header.json']) header.status = header.status ?? 'started';
  const samples: Sample[] = [];
  for (const name of Object.keys(entries).sort()) {
    if (!name.startsWith('samples/')) continue;
    const where = `${file}#${name}`;
    samples.push(sampleOf(parseJson(fflate().strFromU8(entries[name]), where), where));
  }
  return { file, header, task, model, samples };
}
