/**
 * The items file: one record per item (JSON Lines, a JSON array, or CSV) holding its id, the
 * field(s) that make up the prompt text, and metadata (every other scalar field, e.g. MMLU-Pro's
 * `category` and `src`). Ids are strings whatever the source used (MATH has integer ids).
 */
import { CovaryError } from '../core/errors.ts';
import type { MetadataValue } from '../core/dataset.ts';
import type { SourceFile } from '../core/store.ts';
import type { ItemRecord } from './types.ts';
import { loadFile, readRecords, type JsonRecord } from './read.ts';

/** Tried in order when --id-field is not given. */
export const ID_FIELD_CANDIDATES = ['id', 'item_id', 'item', 'question_id', 'example_id', 'doc_id', 'sample_id', 'instance_id', 'task_id', 'problem_id', 'uid', 'idx'];
/** Tried in order when --text-field is not given (the first present is used). */
export const TEXT_FIELD_CANDIDATES = ['text', 'question', 'prompt', 'input', 'query', 'problem', 'instruction', 'content'];

export interface ItemsFileOptions {
  idField?: string;
  textFields?: string[];
  /** CSV items file: forced delimiter (default: detected). */
  delimiter?: string;
}

export interface ItemsFile {
  path: string;
  items: ItemRecord[];
  source: SourceFile;
  idField: string;
  textFields: string[];
  notes: string[];
}

/** Letter labels for options: A…Z, then AA, AB, … */
export function optionLabel(i: number): string {
  let s = '';
  let k = i;
  do {
    s = String.fromCharCode(65 + (k % 26)) + s;
    k = Math.floor(k / 26) - 1;
  } while (k >= 0);
  return s;
}

/** One text field's value as prompt text: arrays become lettered options "A. … \nB. …". */
export function renderTextValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    return v.map((o, i) => `${optionLabel(i)}. ${typeof o === 'string' ? o : JSON.stringify(o)}`).join('\n');
  }
  return JSON.stringify(v);
}

export function itemIdOf(v: unknown): string | null {
  // Trimmed as model names and wide-format headers are, so ` q1 ` in a long file joins `q1` elsewhere.
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function firstTextOk(v: unknown): boolean {
  const t = renderTextValue(v);
  return t !== null && t.trim() !== '';
}

function pickField(keys: string[], candidates: string[]): string | undefined {
  const lower = new Map(keys.map((k) => [k.toLowerCase(), k]));
  for (const c of candidates) {
    const k = lower.get(c);
    if (k !== undefined) return k;
  }
  return undefined;
}

export async function readItemsFile(path: string, options: ItemsFileOptions): Promise<ItemsFile> {
  const file = await loadFile(path, 'items');
  const delimiterNotes: string[] = [];
  const records = readRecords(file, { delimiter: options.delimiter, notes: delimiterNotes });
  if (records.length === 0) throw new CovaryError('items file holds no records', { file: path }, 'expected one JSON object per line');
  const out = itemsFromRecords(path, records, file.source, options);
  out.notes.unshift(...delimiterNotes);
  return out;
}

export function itemsFromRecords(path: string, records: JsonRecord[], source: SourceFile, options: ItemsFileOptions): ItemsFile {
  const notes: string[] = [];
  const firstKeys = Object.keys(records[0].obj);
  // Every field of any item, in order of first appearance: the first item may lack the text (an image task).
  const allKeys = [...new Set(records.flatMap((r) => Object.keys(r.obj)))];
  const idField = options.idField ?? pickField(firstKeys, ID_FIELD_CANDIDATES);
  if (!idField) {
    throw new CovaryError(
      `cannot tell which field is the item id (fields: ${firstKeys.join(', ')})`,
      { file: path, line: records[0].line },
      'name it with --id-field',
    );
  }
  let textFields = options.textFields && options.textFields.length ? options.textFields : undefined;
  if (!textFields) {
    const t = pickField(allKeys, TEXT_FIELD_CANDIDATES);
    if (t) {
      textFields = [t];
      notes.push(`items: text field "${t}" auto-detected (set --text-field to choose others)`);
    } else {
      textFields = [];
      notes.push(`items: no text field found among ${allKeys.join(', ')}; items have no text (set --text-field)`);
    }
  }
  const skip = new Set([idField, ...textFields]);
  const seen = new Map<string, number | undefined>();
  const items: ItemRecord[] = [];
  const droppedNonScalar = new Set<string>();
  const fieldSeen = new Set<string>();
  for (const r of records) {
    const where = { file: path, line: r.line };
    if (!(idField in r.obj)) {
      throw new CovaryError(`id field "${idField}" is absent`, { ...where, field: idField }, options.idField ? 'every item needs the field named by --id-field' : 'name the id field with --id-field');
    }
    const id = itemIdOf(r.obj[idField]);
    if (id === null) {
      throw new CovaryError(`item id is ${JSON.stringify(r.obj[idField])}: expected a non-empty string or number`, { ...where, field: idField });
    }
    if (seen.has(id)) {
      const first = seen.get(id);
      throw new CovaryError(`duplicate item id "${id}"${first !== undefined ? ` (first at line ${first})` : ''}`, { ...where, field: idField }, 'each item must appear once in the items file');
    }
    seen.set(id, r.line);
    const parts: string[] = [];
    for (let k = 0; k < textFields.length; k++) {
      const f = textFields[k];
      // Items without the field (image tasks, …) are kept without text; only a field absent from every item is an error.
      if (!(f in r.obj)) continue;
      fieldSeen.add(f);
      const t = renderTextValue(r.obj[f]);
      if (t !== null && t.trim() !== '') parts.push(t);
    }
    // A prompt needs its first text field: options alone (e.g. "A. … B. …") are not the prompt.
    if (textFields.length && !(firstTextOk(r.obj[textFields[0]]))) parts.length = 0;
    const metadata: Record<string, MetadataValue> = {};
    for (const [k, v] of Object.entries(r.obj)) {
      if (skip.has(k)) continue;
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') metadata[k] = v;
      else droppedNonScalar.add(k);
    }
    items.push({ id, text: parts.length ? parts.join('\n') : null, metadata, where });
  }
  const never = textFields.filter((f) => !fieldSeen.has(f));
  if (never.length) {
    throw new CovaryError(`text field "${never[0]}" is absent from every item`, { file: path, field: never[0] }, `${options.textFields ? 'check --text-field' : 'name the text field(s) with --text-field'} (fields: ${allKeys.join(', ')})`);
  }
  if (droppedNonScalar.size) notes.push(`items: non-scalar fields not kept as metadata: ${[...droppedNonScalar].sort().join(', ')}`);
  return { path, items, source, idField, textFields, notes };
}
