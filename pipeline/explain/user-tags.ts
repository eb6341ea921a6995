/**
 * User tag files: item id → tags, as JSONL or CSV.
 *
 * JSONL, one object per line: {"id": "q1", "tags": ["units", "tables"]} or {"id": "q1", "tag": "units"}
 *   (the id may also be called item_id or item; numbers are read as strings).
 * CSV with a header: an id column (id, item_id or item) and a `tags` column (several tags separated
 *   by ';' or '|') or a `tag` column (one per row; an id may repeat).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { CovaryError } from '../core/errors.ts';
import type { UserTags } from './tags.ts';

const ID_KEYS = ['id', 'item_id', 'item'];

export async function readUserTagsFile(path: string): Promise<UserTags> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CovaryError('cannot read the tags file', { file: path }, 'check the --tags path');
  }
  return parseUserTags(text, path);
}

export function parseUserTags(text: string, file: string): UserTags {
  const lower = file.toLowerCase();
  const firstChar = text.replace(/^\uFEFF/, '').trimStart()[0];
  const jsonl = lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json') || (!lower.endsWith('.csv') && !lower.endsWith('.tsv') && firstChar === '{');
  const byId = jsonl ? parseJsonl(text, file) : parseCsv(text, file);
  if (byId.size === 0) throw new CovaryError('the tags file holds no tagged item', { file }, 'expected JSONL {"id": ..., "tags": [...]} or CSV with columns id,tags');
  return { byId, source: file };
}

function addTags(byId: Map<string, string[]>, id: string, tags: string[]): void {
  let list = byId.get(id);
  if (!list) {
    list = [];
    byId.set(id, list);
  }
  for (const t of tags) if (!list.includes(t)) list.push(t);
}

function cleanTag(t: unknown, file: string, line: number): string {
  if (typeof t !== 'string' && typeof t !== 'number') throw new CovaryError(`a tag must be a string, got ${JSON.stringify(t)}`, { file, line, field: 'tags' });
  const s = String(t).trim();
  if (s === '') throw new CovaryError('empty tag', { file, line, field: 'tags' });
  return s;
}

function parseJsonl(text: string, file: string): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (raw.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      throw new CovaryError(`not valid JSON (${(e as Error).message})`, { file, line }, 'one JSON object per line: {"id": "...", "tags": ["..."]}');
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new CovaryError('expected a JSON object', { file, line }, '{"id": "...", "tags": ["..."]}');
    const o = obj as Record<string, unknown>;
    const idKey = ID_KEYS.find((k) => k in o);
    if (!idKey) throw new CovaryError('no item id', { file, line, field: 'id' }, `name it one of ${ID_KEYS.join(', ')}`);
    const id = o[idKey];
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id).trim() === '') throw new CovaryError(`item id must be a non-empty string or number, got ${JSON.stringify(id)}`, { file, line, field: idKey });
    let tags: string[];
    if ('tags' in o) {
      if (!Array.isArray(o.tags)) throw new CovaryError('"tags" must be an array of strings', { file, line, field: 'tags' });
      tags = o.tags.map((t) => cleanTag(t, file, line));
    } else if ('tag' in o) tags = [cleanTag(o.tag, file, line)];
    else throw new CovaryError('no "tags" (array) or "tag" (string) field', { file, line, field: 'tags' });
    addTags(byId, String(id).trim(), tags);
  });
  return byId;
}

function parseCsv(text: string, file: string): Map<string, string[]> {
  let records: { info: { lines: number }; record: Record<string, string> }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      delimiter: file.toLowerCase().endsWith('.tsv') ? '\t' : ',',
    }) as unknown as { info: { lines: number }; record: Record<string, string> }[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new CovaryError(`malformed CSV (${err.message.replace(/^Invalid Record Length: /, '')})`, { file, ...(err.lines ? { line: err.lines } : {}) });
  }
  const byId = new Map<string, string[]>();
  if (records.length === 0) return byId;
  const cols = Object.keys(records[0].record);
  const idKey = ID_KEYS.find((k) => cols.includes(k));
  if (!idKey) throw new CovaryError(`no id column (found: ${cols.join(', ')})`, { file, line: 1 }, `name it one of ${ID_KEYS.join(', ')}`);
  const tagKey = cols.includes('tags') ? 'tags' : cols.includes('tag') ? 'tag' : null;
  if (!tagKey) throw new CovaryError(`no tags column (found: ${cols.join(', ')})`, { file, line: 1 }, 'add a "tags" column (";"-separated) or a "tag" column');
  for (const { info, record } of records) {
    const id = (record[idKey] ?? '').trim();
    if (id === '') throw new CovaryError('empty item id', { file, line: info.lines, field: idKey });
    const raw = record[tagKey] ?? '';
    const tags = raw
      .split(tagKey === 'tags' ? /[;|]/ : /$^/)
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (tags.length === 0) throw new CovaryError('no tag on this row', { file, line: info.lines, field: tagKey });
    addTags(byId, id, tags);
  }
  return byId;
}
