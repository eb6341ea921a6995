/**
 * Long format: one row per (model, item) — CSV/TSV, JSON Lines or a JSON array — e.g. eval-arena's
 * `{benchmark_id, example_id, model, pass1}`. Columns are found by common names unless mapped
 * with --model-field / --item-field / --score-field / --answer-field; a task column (benchmark_id,
 * task, …) holding several tasks needs --task.
 */
import { stat } from 'node:fs/promises';
import { CovaryError } from '../../core/errors.ts';
import type { SourceFile } from '../../core/store.ts';
import type { FormatOptions, IngestFormat, IngestParts, ItemRecord } from '../types.ts';
import { BAD_SCORE, isCsvPath, isJsonPath, loadFile, parseScore, readHead, scoreValue, sniffDelimiter } from '../read.ts';
import { scanInput, streamRecords } from '../stream.ts';
import { CellLog, LOG_ANSWER_NULL, LOG_ANSWER_UNDEFINED } from '../cells.ts';
import { itemIdOf, renderTextValue } from '../items.ts';

export const MODEL_FIELDS = ['model', 'model_name', 'model_id', 'modelname', 'system', 'engine', 'llm'];
export const ITEM_FIELDS = ['item', 'item_id', 'example_id', 'doc_id', 'question_id', 'sample_id', 'instance_id', 'prompt_id', 'problem_id', 'task_id', 'id', 'idx'];
export const SCORE_FIELDS = ['score', 'correct', 'is_correct', 'pass1', 'pass@1', 'passed', 'pass', 'acc', 'accuracy', 'exact_match', 'em', 'success', 'reward', 'value'];
export const ANSWER_FIELDS = ['answer', 'pred', 'prediction', 'extracted_answer', 'model_answer', 'predicted', 'predicted_answer'];
export const TASK_FIELDS = ['benchmark_id', 'benchmark', 'task', 'task_name'];

/** `--task all`: keep every task, item ids become `<task>:<item>`. */
export const ALL_TASKS = 'all';

function findField(keys: string[], candidates: string[]): string | undefined {
  const lower = new Map<string, string>();
  for (const k of keys) if (!lower.has(k.toLowerCase())) lower.set(k.toLowerCase(), k);
  for (const c of candidates) {
    const k = lower.get(c);
    if (k !== undefined) return k;
  }
  return undefined;
}

function presentFields(keys: string[], candidates: string[]): string[] {
  const lower = new Set(candidates);
  return keys.filter((k) => lower.has(k.toLowerCase()));
}

/** A header / key set that names a model, an item and a score column. */
export function looksLikeLongHeader(keys: string[]): boolean {
  return Boolean(findField(keys, MODEL_FIELDS) && findField(keys, ITEM_FIELDS) && findField(keys, SCORE_FIELDS));
}

function isDataPath(path: string): boolean {
  return isCsvPath(path) || isJsonPath(path);
}

async function keysOfHead(path: string): Promise<string[] | null> {
  if (isCsvPath(path)) {
    const head = await readHead(path, 6);
    if (!head) return null;
    let delim: string;
    try {
      delim = sniffDelimiter(head + '\n', path).delimiter;
    } catch {
      return null;
    }
    return head.split('\n')[0].split(delim).map((h) => h.trim().replace(/^"|"$/g, ''));
  }
  const head = await readHead(path, 1, 1 << 20);
  if (!head) return null;
  const t = head.trim();
  if (t.startsWith('{')) {
    try {
      return Object.keys(JSON.parse(t) as object);
    } catch {
      return null;
    }
  }
  if (t.startsWith('[')) {
    // A JSON array: small files only (detection must stay cheap).
    const s = await stat(path).catch(() => null);
    if (!s || s.size > 8 << 20) return null;
    try {
      const f = await loadFile(path, 'detect');
      const arr = JSON.parse(f.text) as unknown;
      if (Array.isArray(arr) && arr[0] && typeof arr[0] === 'object') return Object.keys(arr[0] as object);
    } catch {
      return null;
    }
  }
  return null;
}

interface Mapping {
  model: string;
  item: string;
  score: string;
  answer?: string;
  task?: string;
  scoreAlternatives: string[];
  auto: string[];
}

function resolveMapping(path: string, keys: string[], options: FormatOptions): Mapping {
  const auto: string[] = [];
  const pick = (role: string, flag: string, given: string | undefined, candidates: string[], required: boolean): string | undefined => {
    if (given !== undefined) {
      if (keys.includes(given)) return given;
      const ci = keys.find((k) => k.toLowerCase() === given.toLowerCase());
      if (ci) return ci;
      throw new CovaryError(`no field "${given}" (${flag}) in this file; its fields are: ${keys.join(', ')}`, { file: path, field: given }, `name the ${role} field with ${flag}`);
    }
    const f = findField(keys, candidates);
    if (!f && required) {
      throw new CovaryError(`cannot tell which field holds the ${role} (fields: ${keys.join(', ')})`, { file: path }, `name it with ${flag}`);
    }
    if (f) auto.push(`${role} = "${f}"`);
    return f;
  };
  const model = pick('model', '--model-field', options.modelField, MODEL_FIELDS, true)!;
  const item = pick('item id', '--item-field', options.itemField, ITEM_FIELDS.filter((f) => f !== model.toLowerCase()), true)!;
  const score = pick('score', '--score-field', options.scoreField, SCORE_FIELDS, true)!;
  const answer = pick('answer', '--answer-field', options.answerField, ANSWER_FIELDS, false);
  const task = pick('task', '--task-field', options.taskField, TASK_FIELDS, false);
  const taken = new Set([model, item, answer, task].filter(Boolean));
  const scoreAlternatives = presentFields(keys, SCORE_FIELDS).filter((k) => k !== score && !taken.has(k));
  return { model, item, score, answer, task, scoreAlternatives, auto };
}

function describeMapping(m: Mapping): string {
  return `model = "${m.model}", item = "${m.item}", score = "${m.score}"${m.answer ? `, answer = "${m.answer}"` : ''}${m.task ? `, task = "${m.task}"` : ''}`;
}

/** Log key of an item under `--task all`: the task and the id kept apart until the task count is known. */
function taskItemKey(task: string | undefined, id: string): string {
  return task === undefined ? `u${id}` : `t${task.length}:${task}${id}`;
}

/**
 * Long files streamed into a cell log (issue #15): each file is read once after its check pass,
 * rows never held. The errors and their order are those of reading every file whole first: a
 * file's own problems (unreadable, malformed, no rows, unmapped fields) in file order, then the
 * task choice, then the first bad row, then merge's.
 */
export async function readLong(files: string[], options: FormatOptions): Promise<IngestParts> {
  const dataFiles = files.filter(isDataPath);
  const ignored = files.filter((f) => !isDataPath(f));
  if (!dataFiles.length) throw new CovaryError(`no CSV or JSON Lines file among the inputs (${files.slice(0, 3).join(', ')})`, { file: files[0] }, 'the long format reads .csv, .tsv, .jsonl, .ndjson or .json files (optionally .gz)');
  const none = options.noneMarker ?? 'NONE';
  const na = options.naValues?.length ? new Set(options.naValues) : undefined;
  const textFields = options.textField && options.textField.length ? options.textField : null;
  const log = new CellLog('records');
  const sources: SourceFile[] = [];
  const notes: string[] = [];
  if (ignored.length) notes.push(`ignored ${ignored.length} non-data file(s), e.g. ${ignored[0]}`);
  const mappings = new Map<string, string[]>();
  const scoreFields = new Set<string>();
  const alternatives = new Set<string>();
  let emptyScores = 0;
  let naScores = 0;
  const tasks: string[] = [];
  const taskSeen = new Set<string>();
  let anyTask = false;
  const wanted = options.task;
  const allTasks = wanted === ALL_TASKS;
  // --task all: the task and id of each log item (the id is prefixed only when there are several tasks).
  const itemTask: (string | undefined)[] = [];
  const itemId: string[] = [];
  // Prompt texts per log item: text → [count, first result index].
  const texts = new Map<number, Map<string, [number, number]>>();
  /** The first bad row: thrown once every file and the task choice are known to be sound. */
  let rowError: unknown = null;
  /** Several tasks and no --task: that error is certain, rows need no more work. */
  let taskError = false;

  const handle = (o: Record<string, unknown>, line: number | undefined, map: Mapping, path: string) => {
    let taskValue: string | undefined;
    if (map.task) {
      const t = o[map.task];
      taskValue = t === undefined || t === null ? '' : String(t);
      if (!taskSeen.has(taskValue)) (taskSeen.add(taskValue), tasks.push(taskValue));
    }
    if (rowError || taskError) return;
    if (wanted === undefined && tasks.length > 1) {
      taskError = true;
      return;
    }
    if (map.task && wanted !== undefined && wanted !== ALL_TASKS && taskValue !== wanted) return;
    try {
      readRow(o, line, map, path, taskValue);
    } catch (e) {
      rowError = e;
    }
  };

  const readRow = (o: Record<string, unknown>, line: number | undefined, map: Mapping, path: string, taskValue: string | undefined) => {
    const where = { file: path, line };
    for (const f of [map.model, map.item, map.score]) {
      if (!(f in o)) throw new CovaryError(`field "${f}" is absent`, { ...where, field: f }, 'every row needs the model, item and score fields');
    }
    const mv = o[map.model];
    const model = typeof mv === 'string' ? mv.trim() : typeof mv === 'number' ? String(mv) : '';
    if (model === '') throw new CovaryError(`model is ${JSON.stringify(mv)}: expected a non-empty name`, { ...where, field: map.model });
    const iv = itemIdOf(o[map.item]);
    if (iv === null) throw new CovaryError(`item id is ${JSON.stringify(o[map.item])}: expected a non-empty string or number`, { ...where, field: map.item });
    const raw = o[map.score];
    let score = scoreValue(raw, na);
    if (score === BAD_SCORE) score = parseScore(raw, { ...where, field: map.score }, na);
    if (score === null) {
      if (typeof raw === 'string' && raw.trim() !== '') naScores++;
      else emptyScores++;
      return;
    }
    let answer = LOG_ANSWER_UNDEFINED;
    if (map.answer) {
      const a = o[map.answer];
      const s = a === undefined || a === null ? '' : typeof a === 'string' ? a.trim() : typeof a === 'object' ? JSON.stringify(a) : String(a);
      if (na && na.has(s) && s !== '') {
        throw new CovaryError(
          `answer "${s}" is one of --na-values, but the row has a score`,
          { ...where, field: map.answer },
          `if "${s}" is a real answer, leave it out of --na-values; if it means "no answer extracted", pass --none-marker ${s}`,
        );
      }
      answer = s === '' || s === none ? LOG_ANSWER_NULL : log.answerCode(s);
    }
    let item: number;
    if (allTasks) {
      const size = log.items.size;
      item = log.items.id(taskItemKey(taskValue, iv));
      if (item === size) (itemTask.push(taskValue), itemId.push(iv));
    } else item = log.items.id(iv);
    const r = log.length;
    log.add(log.models.id(model), item, score, line ?? 0, answer);
    if (textFields && textFields.every((f) => f in o)) {
      const parts = textFields.map((f) => renderTextValue(o[f])).filter((t): t is string => t !== null && t.trim() !== '');
      if (parts.length) {
        const text = parts.join('\n');
        let byText = texts.get(item);
        if (!byText) texts.set(item, (byText = new Map()));
        const e = byText.get(text);
        if (e) e[0]++;
        else byText.set(text, [1, r]);
      }
    }
  };

  for (const path of dataFiles) {
    const scan = await scanInput(path, 'scores');
    sources.push(scan.source);
    log.setFile(path);
    // The fields are mapped from the first 50 rows' keys; rows wait until then.
    const head: { o: Record<string, unknown>; line: number | undefined }[] = [];
    let map: Mapping | null = null;
    let mapError: unknown = null;
    let rows = 0;
    const mapFields = () => {
      const keys = [...new Set(head.flatMap((r) => Object.keys(r.o)))];
      try {
        map = resolveMapping(path, keys, options);
      } catch (e) {
        mapError = e;
        return;
      }
      for (const r of head) handle(r.o, r.line, map, path);
      head.length = 0;
    };
    await streamRecords(scan, { delimiter: options.delimiter, notes }, (o, line) => {
      rows++;
      if (map) return handle(o, line, map, path);
      if (mapError) return;
      head.push({ o, line });
      if (head.length === 50) mapFields();
    });
    if (!rows) throw new CovaryError('file holds no rows', { file: path }, 'expected one row per (model, item)');
    if (!map && !mapError) mapFields();
    if (mapError) throw mapError;
    const m = map! as Mapping;
    const desc = describeMapping(m);
    mappings.set(desc, [...(mappings.get(desc) ?? []), path]);
    scoreFields.add(m.score);
    m.scoreAlternatives.forEach((a) => alternatives.add(a));
    if (m.task) anyTask = true;
  }
  if (wanted !== undefined && wanted !== ALL_TASKS && !tasks.includes(wanted)) {
    throw new CovaryError(
      tasks.length ? `no rows for task "${wanted}"; the rows hold: ${tasks.join(', ')}` : `--task "${wanted}" given but the rows have no task column (looked for ${TASK_FIELDS.join(', ')})`,
      { file: dataFiles[0], field: '--task' },
      tasks.length ? 'choose one of the listed tasks with --task' : 'name the task column with --task-field, or drop --task',
    );
  }
  if (tasks.length > 1 && wanted === undefined) {
    throw new CovaryError(`the rows hold ${tasks.length} tasks: ${tasks.slice(0, 20).join(', ')}${tasks.length > 20 ? ', …' : ''}`, { file: dataFiles[0] }, `choose one with --task <name> (or --task ${ALL_TASKS} to keep every task, item ids prefixed "<task>:")`);
  }
  if (rowError) throw rowError;
  const prefixTask = allTasks && tasks.length > 1;
  const idOf = allTasks ? (p: number) => (prefixTask ? `${itemTask[p]}:${itemId[p]}` : itemId[p]) : (p: number) => log.items.keys[p];

  // Texts per item id (log items sharing an id pool theirs), each text once with its count, in first-seen order.
  const byId = new Map<string, Map<string, [number, number]>>();
  for (const [p, byText] of texts) {
    const id = idOf(p);
    const into = byId.get(id);
    if (!into) byId.set(id, byText);
    else
      for (const [t, [count, first]] of byText) {
        const e = into.get(t);
        if (e) (e[0] += count, (e[1] = Math.min(e[1], first)));
        else into.set(t, [count, first]);
      }
  }
  const items: ItemRecord[] = [];
  for (const [id, byText] of byId) {
    for (const [text, [count]] of [...byText].sort((a, b) => a[1][1] - b[1][1])) items.push({ id, text, metadata: {}, weight: count });
  }

  for (const [desc, paths] of mappings) notes.push(`long format fields: ${desc}${mappings.size > 1 ? ` (${paths.length} file(s), e.g. ${paths[0]})` : ''}`);
  if (emptyScores) notes.push(`${emptyScores} row(s) with an empty score were treated as missing`);
  if (naScores) notes.push(`${naScores} row(s) with a score in --na-values (${[...na!].join(', ')}) were treated as missing`);
  if (anyTask && tasks.length === 1) notes.push(`task: ${tasks[0]}`);
  if (prefixTask) notes.push(`kept all ${tasks.length} tasks; item ids are prefixed "<task>:"`);
  else if (wanted !== undefined && wanted !== ALL_TASKS) notes.push(`task "${wanted}" chosen among: ${tasks.join(', ')}`);
  return {
    format: 'long',
    records: [],
    cells: log,
    itemIdOf: allTasks ? idOf : undefined,
    items,
    sources,
    notes,
    metric: { chosen: [...scoreFields].join(', '), available: [...scoreFields, ...[...alternatives].filter((a) => !scoreFields.has(a))] },
  };
}

export const longFormat: IngestFormat = {
  name: 'long',
  describe: 'long CSV/JSONL: one row per (model, item) with a score (and optionally an answer)',
  async detect(files: string[]) {
    const data = files.filter(isDataPath);
    if (!data.length) return false;
    for (const f of data) {
      const keys = await keysOfHead(f);
      if (!keys || !looksLikeLongHeader(keys)) return false;
    }
    return true;
  },
  read: readLong,
};
