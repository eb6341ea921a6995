/**
 * Small helpers shared by the eval-harness log readers (lm-eval, HELM, Inspect, lighteval, promptfoo):
 * reading files with a hash for the manifest, cheap peeks for detect(), one-line errors, and the
 * option checks (task, metric) every reader performs the same way.
 */
import { open, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { CovaryError } from '../../core/errors.ts';
import { sha256 } from '../../core/hash.ts';
import type { MetadataValue } from '../../core/dataset.ts';
import type { SourceFile } from '../../core/store.ts';
import { parseJsonExact } from '../json.ts';

/** First `bytes` bytes of a file as text (for detect(): never reads a whole large log). */
export async function peek(file: string, bytes = 4096): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await fh?.close();
  }
}

/** First bytes as raw bytes (magic numbers). */
export async function peekBytes(file: string, bytes = 4): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(file, 'r');
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return new Uint8Array(buf.subarray(0, bytesRead));
  } catch {
    return new Uint8Array(0);
  } finally {
    await fh?.close();
  }
}

/** A file read once: its bytes, and its manifest entry. */
export interface ReadSource {
  data: Buffer;
  source: SourceFile;
}

export async function readSource(file: string, role: string): Promise<ReadSource> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    throw new CovaryError(`cannot read file: ${(e as Error).message}`, { file });
  }
  return { data, source: { path: file, sha256: sha256(data), bytes: data.byteLength, role } };
}

/** JSON.parse with a one-line error pointing at the line of the syntax error. */
export function parseJson(text: string, file: string, line?: number): unknown {
  try {
    return parseJsonExact(text);
  } catch (e) {
    const msg = (e as Error).message;
    let at = line;
    const pos = /position (\d+)/.exec(msg);
    if (at === undefined && pos) at = text.slice(0, Number(pos[1])).split('\n').length;
    throw new CovaryError(`malformed JSON: ${msg}`, { file, line: at });
  }
}

/**
 * Non-empty lines of a JSONL text, parsed, with their 1-based line numbers. `map` slims each object as
 * soon as it is parsed, so a large file never has all its full objects alive at once.
 */
export function parseJsonl(
  text: string,
  file: string,
  map: (v: Record<string, unknown>) => Record<string, unknown> = (v) => v,
): { line: number; value: Record<string, unknown> }[] {
  const out: { line: number; value: Record<string, unknown> }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (!l) continue;
    const v = parseJson(l, file, i + 1);
    if (!isObject(v)) throw new CovaryError('expected one JSON object per line', { file, line: i + 1 });
    out.push({ line: i + 1, value: map(v) });
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A number from a number, boolean or numeric string (old logs store metrics as strings); else undefined. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return undefined;
    if (t === 'True' || t === 'true') return 1;
    if (t === 'False' || t === 'false') return 0;
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A metadata value: scalars kept, long strings cut, objects and arrays as compact JSON. */
export function toMetadata(v: unknown, maxLen = 200): MetadataValue | undefined {
  if (v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return v.length > maxLen ? undefined : v;
  if (v === undefined) return undefined;
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
  return s.length > maxLen ? undefined : s;
}

/** Copy the scalar (or short) fields of an object into metadata, with an optional key prefix. */
export function addMetadata(target: Record<string, MetadataValue>, source: unknown, prefix = '', maxLen = 200): void {
  if (!isObject(source)) return;
  for (const k of Object.keys(source).sort()) {
    const v = toMetadata(source[k], maxLen);
    if (v !== undefined) target[prefix + k] = v;
  }
}

/** Letters for choice indexes: 0 → A … 25 → Z, then 26, 27 … as numbers. */
export function letter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : String(i);
}

/** Index of the largest finite number (ties → first); -1 when none. */
export function argmax(values: number[]): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && (best < 0 || values[i] > values[best])) best = i;
  return best;
}

/** Render a chat (list of {role, content}) as plain text: a single user turn is just its content. */
export function renderMessages(messages: unknown[]): string {
  const turns: { role: string; text: string }[] = [];
  for (const m of messages) {
    if (!isObject(m)) continue;
    const role = typeof m.role === 'string' ? m.role : 'user';
    const text = contentText(m.content);
    if (text) turns.push({ role, text });
  }
  if (turns.length === 1) return turns[0].text;
  return turns.map((t) => `${t.role}: ${t.text}`).join('\n\n');
}

/** Text of a message content: a string, or a list of parts whose text parts are joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (typeof p === 'string' ? p : isObject(p) && typeof p.text === 'string' ? p.text : ''))
      .filter((s) => s)
      .join('\n');
  }
  return '';
}

/** A chat list serialised as JSON text (lm-eval with --apply_chat_template on API models) → rendered text; else null. */
export function chatFromJsonText(s: string): string | null {
  const t = s.trimStart();
  if (!t.startsWith('[{')) return null;
  try {
    const v = JSON.parse(s);
    if (Array.isArray(v) && v.length && v.every((m) => isObject(m) && 'role' in m && 'content' in m)) return renderMessages(v);
  } catch {
    /* not JSON: plain text that happens to start with [{ */
  }
  return null;
}

/** Choose the task(s) to read among those found; errors list the tasks when the choice is ambiguous. */
export function chooseTasks(
  found: string[],
  requested: string | undefined,
  format: string,
  aliases: (task: string) => string[] = () => [],
  groups: Record<string, string[]> = {},
): { tasks: string[]; note?: string } {
  const sorted = [...new Set(found)].sort();
  if (requested === undefined || requested === '') {
    if (sorted.length <= 1) return { tasks: sorted };
    // All tasks belong to one group (e.g. lm-eval's mmlu subtasks): read the group.
    for (const [g, members] of Object.entries(groups)) {
      if (sorted.every((t) => members.includes(t))) {
        return { tasks: sorted, note: `tasks: all ${sorted.length} tasks found belong to group "${g}"; reading them as one benchmark` };
      }
    }
    throw new CovaryError(
      `the ${format} logs hold ${sorted.length} different tasks: ${sorted.join(', ')}`,
      {},
      'choose with --task <name>; several: comma-separated; every one: --task all',
    );
  }
  if (requested.trim() === 'all') return { tasks: sorted, note: `tasks: all ${sorted.length} read (--task all)` };
  const chosen = new Set<string>();
  for (const want of requested.split(',').map((s) => s.trim()).filter(Boolean)) {
    const hits = sorted.filter((t) => t === want || aliases(t).includes(want) || (groups[want] ?? []).includes(t));
    if (!hits.length) {
      throw new CovaryError(`--task ${want}: no such task in the ${format} logs`, { field: 'task' }, `tasks found: ${sorted.join(', ')}`);
    }
    for (const h of hits) chosen.add(h);
  }
  return { tasks: [...chosen].sort() };
}

/** Check a requested metric against those available, or take the default. */
export function chooseMetric(available: string[], requested: string | undefined, fallback: string, what = 'metric', flag = '--metric'): string {
  if (requested === undefined || requested === '') return fallback;
  if (!available.includes(requested)) {
    throw new CovaryError(`${flag} ${requested}: no such ${what} in these logs`, { field: what }, `available: ${available.join(', ')}`);
  }
  return requested;
}

/** The first of `preferred` present in `available`, else the first available. */
export function firstPresent(available: string[], preferred: string[]): string | undefined {
  for (const p of preferred) if (available.includes(p)) return p;
  return available[0];
}

/** Parent folder name of a file (a model folder for lm-eval v0.3 and fallbacks). */
export function parentName(file: string, levels = 1): string {
  let d = dirname(file);
  for (let i = 1; i < levels; i++) d = dirname(d);
  return basename(d);
}

/** Mean of numbers (callers never pass an empty list). */
export function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Plural helper for notes. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Dotted-path lookup (`testCase.metadata.item_id`). */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** A short answer string for the answer matrix, or undefined when it is long free text. */
export function shortAnswer(v: unknown, maxLen = 200): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t.length <= maxLen ? t : undefined;
}

/**
 * Several runs of one model on one task (a folder holding two timestamps): keep the most recent
 * per (task, model) and list what was set aside. Runs without a timestamp, or tied for the latest,
 * are all kept (repeated results then meet --on-duplicate). `mode: 'all'` keeps every run.
 * A finished run is preferred to a later unfinished one (a cancelled re-run does not replace it).
 */
export function latestRuns<T>(
  runs: T[],
  keyOf: (r: T) => string,
  timeOf: (r: T) => string | undefined,
  nameOf: (r: T) => string,
  mode: 'latest' | 'all' = 'latest',
  /** Runs that finished (e.g. Inspect status "success"): the latest of these wins over a later unfinished one. */
  complete: (r: T) => boolean = () => true,
): { kept: T[]; notes: string[] } {
  if (mode === 'all') return { kept: runs, notes: [] };
  const groups = new Map<string, T[]>();
  for (const r of runs) {
    const k = keyOf(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const drop = new Set<T>();
  const notes: string[] = [];
  for (const [k, g] of groups) {
    if (g.length < 2 || g.some((r) => !timeOf(r))) continue;
    const finished = g.filter(complete);
    const pool = finished.length ? finished : g;
    const latest = pool.reduce((a, b) => (timeOf(b)! > timeOf(a)! ? b : a));
    const tied = pool.filter((r) => timeOf(r) === timeOf(latest));
    if (tied.length > 1) continue;
    const older = g.filter((r) => r !== latest);
    for (const r of older) drop.add(r);
    notes.push(`${k}: ${plural(g.length, 'run')}; kept the most recent${finished.length && finished.length < g.length ? ' complete one' : ''}, ${nameOf(latest)} (${timeOf(latest)}); set aside ${older.map((r) => `${nameOf(r)} (${timeOf(r)})`).join(', ')} (--runs all keeps every run)`);
  }
  return { kept: runs.filter((r) => !drop.has(r)), notes };
}
