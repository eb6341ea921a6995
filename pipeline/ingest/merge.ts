/**
 * Parts → canonical Dataset. Joins score records into an m × n matrix (NaN = missing), attaches
 * item text (an items file is authoritative; otherwise the most common text the logs gave), and
 * reports join coverage. Deterministic: models and items keep their declared order, then the
 * order they first appear in the score records.
 */
import { CovaryError } from '../core/errors.ts';
import { ANSWER_MISSING, ANSWER_NONE, type Dataset, type Item, type MetadataValue } from '../core/dataset.ts';
import type { DroppedEntry } from '../core/store.ts';
import type { IngestParts, ItemRecord, SourceLocation } from './types.ts';
import { CellLog, LOG_ANSWER_NULL, LOG_ANSWER_UNDEFINED } from './cells.ts';

export type DuplicatePolicy = 'error' | 'mean' | 'first' | 'last';

export interface MergeOptions {
  name: string;
  onDuplicate?: DuplicatePolicy;
  /** Min-max rescale observed scores to [0, 1] when some fall outside it. */
  rescale?: boolean;
  /** Items from an items file: authoritative text and metadata; ids must overlap the scores. */
  itemsFile?: { path: string; items: ItemRecord[] };
}

export interface TextConflict {
  id: string;
  variants: number;
  /** How many sources gave the kept text, and how many gave any text. */
  keptCount: number;
  total: number;
}

export interface Coverage {
  models: number;
  items: number;
  cells: number;
  observedCells: number;
  missingCells: number;
  /** Observed items per model, in model order. */
  itemsPerModel: { model: string; items: number }[];
  modelsMissingItems: { model: string; missing: number }[];
  itemsWithText: number;
  itemsWithoutText: { count: number; examples: string[] };
  /** Items that had text (items file or logs) but no score: dropped. */
  textWithoutScores: { count: number; examples: string[] };
  /** Declared rows/columns with no score at all: dropped. */
  emptyModels: string[];
  emptyItems: { count: number; examples: string[] };
  duplicates: { count: number; policy: DuplicatePolicy };
  textConflicts: { count: number; examples: TextConflict[] };
  answers: { cells: number; noAnswer: number; vocabulary: number } | null;
  binary: boolean;
  rescaled: { min: number; max: number } | null;
}

export interface MergeResult {
  dataset: Dataset;
  coverage: Coverage;
  dropped: DroppedEntry[];
  notes: string[];
}

const EXAMPLES = 10;
const DROPPED_LISTED = 100;

function loc(w: SourceLocation | undefined): string {
  if (!w) return 'an earlier record';
  return w.line !== undefined ? `${w.file}:${w.line}` : w.file;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(+v.toPrecision(6));
}

function pushDropped(dropped: DroppedEntry[], what: DroppedEntry['what'], ids: string[], reason: string): void {
  for (const id of ids.slice(0, DROPPED_LISTED)) dropped.push({ what, id, reason });
  if (ids.length > DROPPED_LISTED) dropped.push({ what, count: ids.length - DROPPED_LISTED, reason: `${reason} (further ${what}s not listed)` });
}

/** A log of `ScoreRecord`s (formats that read small logs build records; wide and long stream into a log). */
function logOfRecords(parts: IngestParts): CellLog {
  const log = new CellLog('records');
  const records = parts.records;
  log.whereResolver = (r) => records[r].where;
  // Declared order first: those keys get the first indices (merge drops the ones without a score).
  for (const k of parts.modelOrder ?? []) log.models.id(k);
  for (const k of parts.itemOrder ?? []) log.items.id(k);
  for (const rec of records) {
    const a = rec.answer;
    const code = a === undefined ? LOG_ANSWER_UNDEFINED : a === null ? LOG_ANSWER_NULL : log.answerCode(a);
    log.add(log.models.id(rec.model), log.items.id(rec.item), rec.score, 0, code);
  }
  return log;
}

export function mergeParts(parts: IngestParts, options: MergeOptions): MergeResult {
  const policy: DuplicatePolicy = options.onDuplicate ?? 'error';
  const log = parts.cells ?? logOfRecords(parts);
  const R = log.length;
  const notes: string[] = [];
  const dropped: DroppedEntry[] = [];
  const firstFile = parts.sources[0]?.path;
  const modelKeys = log.models.keys;
  const itemKeys = log.items.keys;
  const idOfItem = parts.itemIdOf ?? ((p: number) => itemKeys[p]);
  const recordAt = (r: number) => ({ model: modelKeys[log.modelOf(r)], item: idOfItem(log.itemOf(r)), score: log.scoreOf(r), where: log.whereOf(r) });

  if (R === 0) {
    throw new CovaryError('the inputs hold no scores', { file: firstFile }, 'expected at least 2 models × 2 items with scores');
  }

  // Scores outside [0, 1]: an error unless --rescale.
  if (log.firstNonFinite >= 0) {
    // Never rescaled: an infinite end would squash every other score to 0.
    const rec = recordAt(log.firstNonFinite);
    throw new CovaryError(`score ${rec.score} (model "${rec.model}", item "${rec.item}") is not a finite number`, { file: rec.where?.file, line: rec.where?.line }, 'leave the cell empty for a missing result');
  }
  const min = log.min;
  const max = log.max;
  const firstOut = log.firstOut >= 0 ? recordAt(log.firstOut) : null;
  // Min-max rescaling helps only when the observed scores span a finite, non-zero range.
  const rescalable = max > min && Number.isFinite(max - min);
  if (firstOut && !options.rescale) {
    throw new CovaryError(
      `score ${fmt(firstOut.score)} (model "${firstOut.model}", item "${firstOut.item}") is outside [0, 1]; observed range ${fmt(min)} to ${fmt(max)}`,
      { file: firstOut.where?.file, line: firstOut.where?.line },
      rescalable ? 'scores must be in [0, 1]; pass --rescale to min-max rescale the observed scores' : 'scores must be in [0, 1]',
    );
  }

  // Order: declared first (when it has scores), then first appearance. Keys got their log indices
  // in that order, so the final order is the log's with the keys without any result left out.
  const modelSeen = new Uint8Array(log.models.size);
  const itemSeen = new Uint8Array(log.items.size);
  for (let k = 0; k < log.chunkCount; k++) {
    const ch = log.chunk(k);
    for (let i = 0; i < ch.length; i++) itemSeen[ch.item[i]] = 1;
    if (ch.model) for (let i = 0; i < ch.length; i++) modelSeen[ch.model[i]] = 1;
  }
  if (log.mode === 'rows') {
    const seg = log.segments();
    for (let s = 0; s < seg.count; s++) modelSeen[seg.model[s]] = 1;
  }
  const models: string[] = [];
  const modelAt = new Int32Array(log.models.size).fill(-1);
  const emptyModels: string[] = [];
  for (let p = 0; p < modelKeys.length; p++) {
    if (modelSeen[p]) modelAt[p] = models.push(modelKeys[p]) - 1;
    else emptyModels.push(modelKeys[p]);
  }
  const itemIds: string[] = [];
  const itemAt = new Int32Array(log.items.size).fill(-1);
  const itemIndex = new Map<string, number>();
  const emptyItems: string[] = [];
  for (let p = 0; p < itemKeys.length; p++) {
    if (!itemSeen[p]) {
      emptyItems.push(itemKeys[p]);
      continue;
    }
    // Keys a reader told apart may share an id (long format, --task all): they are one item.
    const id = idOfItem(p);
    let at = itemIndex.get(id);
    if (at === undefined) itemIndex.set(id, (at = itemIds.push(id) - 1));
    itemAt[p] = at;
  }
  const m = models.length;
  const n = itemIds.length;
  if (emptyModels.length) pushDropped(dropped, 'model', emptyModels, 'no scores (every cell empty)');
  if (emptyItems.length) pushDropped(dropped, 'item', emptyItems, 'no scores (every cell empty)');

  if (m < 2 || n < 2) {
    throw new CovaryError(
      `the scores hold ${m} model${m === 1 ? '' : 's'} × ${n} item${n === 1 ? '' : 's'}: at least 2 models and 2 items are needed to analyse how prompts co-vary`,
      { file: firstFile },
      m < 2 ? 'add results of more models' : 'add more items',
    );
  }

  // Fill the matrix in reading order; duplicates per policy. A cell is empty while NaN (every score is finite).
  const cells = m * n;
  const scores = new Float64Array(cells).fill(NaN);
  const codes = log.hasAnswers ? new Int32Array(cells).fill(ANSWER_MISSING) : null;
  let counts: Uint32Array | null = null;
  let duplicates = 0;
  const seg = log.mode === 'rows' ? log.segments() : null;
  let s = 0;
  let rowModel = 0;
  for (let k = 0, r = 0; k < log.chunkCount; k++) {
    const ch = log.chunk(k);
    for (let i = 0; i < ch.length; i++, r++) {
      let model: number;
      if (seg) {
        while (s < seg.count && seg.start[s] <= r) rowModel = modelAt[seg.model[s++]];
        model = rowModel;
      } else model = modelAt[ch.model![i]];
      const c = model * n + itemAt[ch.item[i]];
      const v = ch.bits ? ch.bits[i] : ch.score![i];
      if (scores[c] !== scores[c]) {
        scores[c] = v;
        if (codes) codes[c] = ch.answer![i];
        continue;
      }
      duplicates++;
      if (policy === 'error') {
        // The earlier result of this cell: the first one in reading order.
        let prev = 0;
        while (modelAt[log.modelOf(prev)] * n + itemAt[log.itemOf(prev)] !== c) prev++;
        const rec = recordAt(r);
        const a = log.whereOf(prev);
        const sameFileRows = a && rec.where && a.file === rec.where.file && parts.format === 'wide';
        throw new CovaryError(
          sameFileRows
            ? `model "${rec.model}" has two rows (lines ${a!.line} and ${rec.where!.line})`
            : `model "${rec.model}" has more than one result for item "${rec.item}" (${loc(a)} and ${loc(rec.where)})`,
          { file: rec.where?.file, line: rec.where?.line },
          'use --on-duplicate mean|first|last to combine repeated results',
        );
      }
      if (policy === 'last') {
        scores[c] = v;
        if (codes) codes[c] = ch.answer![i];
      } else if (policy === 'mean') {
        if (!counts) counts = new Uint32Array(cells);
        if (counts[c] === 0) counts[c] = 1;
        scores[c] += v;
        counts[c]++;
      }
    }
  }
  if (counts) for (let c = 0; c < cells; c++) if (counts[c] > 1) scores[c] /= counts[c];
  counts = null;
  if (duplicates) notes.push(`${duplicates} repeated (model, item) result(s) combined with --on-duplicate ${policy}${policy === 'mean' ? ' (answer: the first one)' : ''}`);

  let rescaled: Coverage['rescaled'] = null;
  if (options.rescale) {
    if (firstOut) {
      if (!(max > min)) throw new CovaryError(`cannot rescale: every score equals ${fmt(min)}`, { file: firstFile });
      if (!rescalable) throw new CovaryError(`cannot rescale: the observed range ${fmt(min)} to ${fmt(max)} is too wide to compute`, { file: firstFile });
      const span = max - min;
      for (let c = 0; c < cells; c++) if (scores[c] === scores[c]) scores[c] = (scores[c] - min) / span;
      rescaled = { min, max };
      notes.push(`scores min-max rescaled from [${fmt(min)}, ${fmt(max)}] to [0, 1]`);
    } else {
      notes.push('--rescale not applied: every score is already in [0, 1]');
    }
  }

  // Answers, dictionary-encoded over the kept answers in sorted order.
  let answers: Dataset['answers'] = null;
  let answerCells = 0;
  let noAnswer = 0;
  if (codes) {
    const texts = log.answers.keys;
    const used = new Uint8Array(texts.length);
    for (let c = 0; c < cells; c++) if (codes[c] >= 0) used[codes[c]] = 1;
    const vocab = texts.filter((_, i) => used[i]).sort();
    const code = new Map(vocab.map((v, i) => [v, i]));
    const remap = Int32Array.from(texts, (t, i) => (used[i] ? code.get(t)! : -1));
    for (let c = 0; c < cells; c++) {
      const a = codes[c];
      if (a === ANSWER_MISSING) continue;
      answerCells++;
      if (a === ANSWER_NONE) noAnswer++;
      else codes[c] = remap[a];
    }
    answers = { vocab, codes };
  }

  // Items: text and metadata.
  const fromLogs = new Map<string, { texts: Map<string, number>; order: string[]; metadata: Record<string, MetadataValue> }>();
  for (const it of parts.items) {
    let e = fromLogs.get(it.id);
    if (!e) fromLogs.set(it.id, (e = { texts: new Map(), order: [], metadata: {} }));
    if (it.text !== null && it.text.trim() !== '') {
      if (!e.texts.has(it.text)) e.order.push(it.text);
      e.texts.set(it.text, (e.texts.get(it.text) ?? 0) + (it.weight ?? 1));
    }
    for (const [k, v] of Object.entries(it.metadata)) if (!(k in e.metadata)) e.metadata[k] = v;
  }
  let fileItems: Map<string, ItemRecord> | null = null;
  if (options.itemsFile) {
    fileItems = new Map(options.itemsFile.items.map((it) => [it.id, it]));
    let overlap = 0;
    for (const id of itemIds) if (fileItems.has(id)) overlap++;
    if (overlap === 0 && fileItems.size > 0) {
      const ex = (xs: string[]) => xs.slice(0, 3).map((x) => `"${x}"`).join(', ');
      throw new CovaryError(
        `the items file shares no item id with the scores (items: ${ex([...fileItems.keys()])}…; scores: ${ex(itemIds)}…)`,
        { file: options.itemsFile.path },
        'is it the items file of another benchmark? check --items and --id-field',
      );
    }
  }
  const conflicts: TextConflict[] = [];
  const items: Item[] = itemIds.map((id) => {
    const log = fromLogs.get(id);
    let text: string | null = null;
    let metadata: Record<string, MetadataValue> = {};
    if (log) {
      metadata = { ...log.metadata };
      if (log.order.length) {
        let best = log.order[0];
        for (const t of log.order) if (log.texts.get(t)! > log.texts.get(best)!) best = t;
        text = best;
        if (log.order.length > 1) {
          let total = 0;
          for (const c of log.texts.values()) total += c;
          conflicts.push({ id, variants: log.order.length, keptCount: log.texts.get(best)!, total });
        }
      }
    }
    const f = fileItems?.get(id);
    if (f) {
      if (f.text !== null) text = f.text;
      metadata = { ...metadata, ...f.metadata };
    }
    return { id, text, metadata, tags: [] };
  });
  if (conflicts.length) {
    notes.push(`${conflicts.length} item(s) had differing prompt texts across sources; kept the most common (e.g. "${conflicts[0].id}": ${conflicts[0].variants} variants)`);
  }

  const scored = new Set(itemIds);
  const textNoScore: string[] = [];
  if (fileItems) for (const id of fileItems.keys()) if (!scored.has(id)) textNoScore.push(id);
  for (const [id, e] of fromLogs) if (!scored.has(id) && !fileItems?.has(id) && e.order.length) textNoScore.push(id);
  if (textNoScore.length) pushDropped(dropped, 'item', textNoScore, 'has text but no model has a score for it');

  const noText = items.filter((it) => it.text === null || it.text.trim() === '').map((it) => it.id);

  // Per-model coverage.
  let observed = 0;
  let binary = true;
  const itemsPerModel = models.map((model, k) => {
    let c = 0;
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const v = scores[row + i];
      if (v === v) {
        c++;
        if (v !== 0 && v !== 1) binary = false;
      }
    }
    observed += c;
    return { model, items: c };
  });

  const coverage: Coverage = {
    models: m,
    items: n,
    cells,
    observedCells: observed,
    missingCells: cells - observed,
    itemsPerModel,
    modelsMissingItems: itemsPerModel.filter((x) => x.items < n).map((x) => ({ model: x.model, missing: n - x.items })),
    itemsWithText: n - noText.length,
    itemsWithoutText: { count: noText.length, examples: noText.slice(0, EXAMPLES) },
    textWithoutScores: { count: textNoScore.length, examples: textNoScore.slice(0, EXAMPLES) },
    emptyModels,
    emptyItems: { count: emptyItems.length, examples: emptyItems.slice(0, EXAMPLES) },
    duplicates: { count: duplicates, policy },
    textConflicts: { count: conflicts.length, examples: conflicts.slice(0, EXAMPLES) },
    answers: answers ? { cells: answerCells, noAnswer, vocabulary: answers.vocab.length } : null,
    binary,
    rescaled,
  };
  return { dataset: { name: options.name, models, items, scores, answers }, coverage, dropped, notes };
}
