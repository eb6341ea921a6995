/**
 * The results read so far, in reading order, in growable typed arrays (issue #15: no JS object per
 * cell). Models and items get indices on first sight (`KeyIndex`); each result is one slot of
 * chunked columns: item index (4 bytes), score (1 byte while every score is 0 or 1, else 8 bytes),
 * answer code (4 bytes, only when some result has an answer) and, in `records` mode, model index
 * and line (4 + 4 bytes). In `rows` mode (a wide CSV) consecutive results of one row share one
 * segment holding the model, file and line, so a 0/1 wide matrix costs 5 bytes per cell here.
 * `merge.ts` turns the log into the m × n dataset.
 */
import { ANSWER_MISSING, ANSWER_NONE } from '../core/dataset.ts';
import type { IngestParts, ScoreRecord, SourceLocation } from './types.ts';

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** Strings → dense indices in first-seen order. */
export class KeyIndex {
  readonly keys: string[] = [];
  private readonly map = new Map<string, number>();
  get size(): number {
    return this.keys.length;
  }
  id(key: string): number {
    let i = this.map.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.map.set(key, i);
      this.keys.push(key);
    }
    return i;
  }
  find(key: string): number | undefined {
    return this.map.get(key);
  }
}

/** An Int32 array that grows by doubling (segments: one entry per wide row). */
class GrowInt32 {
  data = new Int32Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Answer codes in the log: no answer field (undefined), "no answer extracted" (null), else an index into `answers`. */
export const LOG_ANSWER_UNDEFINED = ANSWER_MISSING;
export const LOG_ANSWER_NULL = ANSWER_NONE;

interface Chunk {
  item: Int32Array;
  model: Int32Array | null;
  line: Uint32Array | null;
  bits: Uint8Array | null;
  score: Float64Array | null;
  answer: Int32Array | null;
}

export interface ChunkView {
  /** Results in this chunk. */
  length: number;
  item: Int32Array;
  /** Per-result model (records mode); null in rows mode (use `segments`). */
  model: Int32Array | null;
  /** Scores when any is not 0/1 … */
  score: Float64Array | null;
  /** … else 0/1 as bytes. */
  bits: Uint8Array | null;
  answer: Int32Array | null;
}

export class CellLog {
  readonly models = new KeyIndex();
  readonly items = new KeyIndex();
  /** Distinct answer texts (codes ≥ 0 in the log index these). */
  readonly answers = new KeyIndex();
  length = 0;
  /** Some result carries an answer (a text or "none"): the dataset gets an answer matrix. */
  hasAnswers = false;
  min = Infinity;
  max = -Infinity;
  /** First result outside [0, 1] and first non-finite one (−1: none). */
  firstOut = -1;
  firstNonFinite = -1;
  readonly files: string[] = [];
  /** For results read from `ScoreRecord`s: their own locations. */
  whereResolver: ((r: number) => SourceLocation | undefined) | null = null;

  private readonly chunks: Chunk[] = [];
  private binary = true;
  private answersOn = false;
  private file = -1;
  private readonly fileIndex = new Map<string, number>();
  // records mode: where each file's results start
  private readonly fileRunStart = new GrowInt32();
  private readonly fileRunFile = new GrowInt32();
  // rows mode: segments
  private readonly segStart = new GrowInt32();
  private readonly segModel = new GrowInt32();
  private readonly segLine = new GrowInt32();
  private readonly segFile = new GrowInt32();

  constructor(readonly mode: 'records' | 'rows') {}

  /** Results from here on come from this file. */
  setFile(path: string): void {
    let f = this.fileIndex.get(path);
    if (f === undefined) this.fileIndex.set(path, (f = this.files.push(path) - 1));
    this.file = f;
    if (this.mode === 'records') {
      this.fileRunStart.push(this.length);
      this.fileRunFile.push(f);
    }
  }

  answerCode(text: string): number {
    return this.answers.id(text);
  }

  private newChunk(): Chunk {
    const records = this.mode === 'records';
    return {
      item: new Int32Array(CHUNK),
      model: records ? new Int32Array(CHUNK) : null,
      line: records ? new Uint32Array(CHUNK) : null,
      bits: this.binary ? new Uint8Array(CHUNK) : null,
      score: this.binary ? null : new Float64Array(CHUNK),
      answer: this.answersOn ? new Int32Array(CHUNK) : null,
    };
  }

  private toFloat(): void {
    this.binary = false;
    for (const c of this.chunks) {
      const s = new Float64Array(CHUNK);
      const b = c.bits!;
      for (let i = 0; i < CHUNK; i++) s[i] = b[i];
      c.score = s;
      c.bits = null;
    }
  }

  private answersOnNow(): void {
    this.answersOn = true;
    for (const c of this.chunks) c.answer = new Int32Array(CHUNK).fill(LOG_ANSWER_UNDEFINED);
  }

  /** One result. `line` 0 = none (an element of a JSON array); `answer` a LOG_ANSWER_* or `answerCode` value. */
  add(model: number, item: number, score: number, line: number, answer: number = LOG_ANSWER_UNDEFINED): void {
    const r = this.length;
    const k = r >>> CHUNK_BITS;
    if (k === this.chunks.length) this.chunks.push(this.newChunk());
    const c = this.chunks[k];
    const i = r & MASK;
    if (this.mode === 'rows') {
      const s = this.segStart.length - 1;
      if (s < 0 || this.segModel.data[s] !== model || this.segLine.data[s] !== line || this.segFile.data[s] !== this.file) {
        this.segStart.push(r);
        this.segModel.push(model);
        this.segLine.push(line);
        this.segFile.push(this.file);
      }
    } else {
      c.model![i] = model;
      c.line![i] = line;
    }
    c.item[i] = item;
    if (this.binary) {
      if (score === 1 || (score === 0 && 1 / score > 0)) c.bits![i] = score;
      else {
        this.toFloat();
        c.score![i] = score;
      }
    } else c.score![i] = score;
    if (answer !== LOG_ANSWER_UNDEFINED) {
      this.hasAnswers = true;
      if (!this.answersOn) this.answersOnNow();
    }
    if (c.answer) c.answer[i] = answer;
    // The range checks of merge: first non-finite, min / max, first outside [0, 1] (in reading order).
    if (!Number.isFinite(score)) {
      if (this.firstNonFinite < 0) this.firstNonFinite = r;
    } else {
      if (score < this.min) this.min = score;
      if (score > this.max) this.max = score;
      if (this.firstOut < 0 && (score < 0 || score > 1)) this.firstOut = r;
    }
    this.length = r + 1;
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  chunk(k: number): ChunkView {
    const c = this.chunks[k];
    return { length: Math.min(CHUNK, this.length - k * CHUNK), item: c.item, model: c.model, score: c.score, bits: c.bits, answer: c.answer };
  }

  /** Rows mode: segment starts (result index) and their models, for a sequential walk. */
  segments(): { start: Int32Array; model: Int32Array; count: number } {
    return { start: this.segStart.data, model: this.segModel.data, count: this.segStart.length };
  }

  modelOf(r: number): number {
    if (this.mode === 'records') return this.chunks[r >>> CHUNK_BITS].model![r & MASK];
    return this.segModel.data[this.segmentOf(r)];
  }

  itemOf(r: number): number {
    return this.chunks[r >>> CHUNK_BITS].item[r & MASK];
  }

  scoreOf(r: number): number {
    const c = this.chunks[r >>> CHUNK_BITS];
    return c.score ? c.score[r & MASK] : c.bits![r & MASK];
  }

  answerOf(r: number): number {
    const c = this.chunks[r >>> CHUNK_BITS];
    return c.answer ? c.answer[r & MASK] : LOG_ANSWER_UNDEFINED;
  }

  private segmentOf(r: number): number {
    return upperBound(this.segStart.data, this.segStart.length, r) - 1;
  }

  whereOf(r: number): SourceLocation | undefined {
    if (this.whereResolver) return this.whereResolver(r);
    if (this.mode === 'rows') {
      const s = this.segmentOf(r);
      const line = this.segLine.data[s];
      return line ? { file: this.files[this.segFile.data[s]], line } : { file: this.files[this.segFile.data[s]] };
    }
    const f = upperBound(this.fileRunStart.data, this.fileRunStart.length, r) - 1;
    const line = this.chunks[r >>> CHUNK_BITS].line![r & MASK];
    const file = this.files[this.fileRunFile.data[f]];
    return line ? { file, line } : { file };
  }
}

/** First index in sorted `a[0..n)` whose value is > x. */
function upperBound(a: Int32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The results of parts as `ScoreRecord`s, whether read as records or into a log (one object per result: tests and small inputs). */
export function recordsOf(parts: IngestParts): ScoreRecord[] {
  const log = parts.cells;
  if (!log) return parts.records;
  const idOf = parts.itemIdOf ?? ((p: number) => log.items.keys[p]);
  const out: ScoreRecord[] = [];
  for (let r = 0; r < log.length; r++) {
    const rec: ScoreRecord = { model: log.models.keys[log.modelOf(r)], item: idOf(log.itemOf(r)), score: log.scoreOf(r) };
    const a = log.answerOf(r);
    if (a !== LOG_ANSWER_UNDEFINED) rec.answer = a === LOG_ANSWER_NULL ? null : log.answers.keys[a];
    const where = log.whereOf(r);
    if (where) rec.where = where;
    out.push(rec);
  }
  return out;
}
