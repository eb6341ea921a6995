/**
 * The canonical benchmark dataset: the contract every stage reads.
 *
 * Scores are an m × n row-major Float64Array (row = model, column = item). NaN means "no result"
 * (missing), never "wrong". Answers, when present, are dictionary-encoded: `codes[k*n+i]` indexes
 * `vocab`, with two reserved codes for a missing cell and for "no answer could be extracted".
 */
export type MetadataValue = string | number | boolean | null;

export interface Item {
  /** Always a string, even when the source used integers. */
  id: string;
  /** Prompt text; null when the source has none (text-dependent stages are then skipped). */
  text: string | null;
  metadata: Record<string, MetadataValue>;
  tags: string[];
}

/** Code for a cell with no result at all (the model never saw the item). */
export const ANSWER_MISSING = -1;
/** Code for "the model answered but no answer could be extracted" (a format failure). */
export const ANSWER_NONE = -2;

export interface AnswerMatrix {
  vocab: string[];
  /** m × n row-major; values index `vocab`, or ANSWER_MISSING / ANSWER_NONE. */
  codes: Int32Array;
}

export interface Dataset {
  name: string;
  models: string[];
  items: Item[];
  /** m × n row-major, NaN = missing. */
  scores: Float64Array;
  answers: AnswerMatrix | null;
}

export function shape(d: Pick<Dataset, 'models' | 'items'>): { m: number; n: number } {
  return { m: d.models.length, n: d.items.length };
}

export function scoreAt(d: Dataset, model: number, item: number): number {
  return d.scores[model * d.items.length + item];
}

export function hasText(d: Pick<Dataset, 'items'>): boolean {
  return d.items.some((it) => it.text !== null && it.text.trim() !== '');
}

/** True when every observed score is exactly 0 or 1. */
export function isBinary(scores: ArrayLike<number>): boolean {
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (v === v && v !== 0 && v !== 1) return false;
  }
  return true;
}

export function countMissing(scores: Float64Array): number {
  let c = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] !== scores[i]) c++;
  return c;
}

/** Column (performance vector of one item) as a fresh Float64Array of length m. */
export function itemColumn(d: Dataset, item: number): Float64Array {
  const { m, n } = shape(d);
  const out = new Float64Array(m);
  for (let k = 0; k < m; k++) out[k] = d.scores[k * n + item];
  return out;
}

/** Plain per-model mean over the items it has (missing ignored, never counted as 0). */
export function modelMeans(d: Dataset): Float64Array {
  const { m, n } = shape(d);
  const out = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const v = d.scores[k * n + i];
      if (v === v) {
        s += v;
        c++;
      }
    }
    out[k] = c ? s / c : NaN;
  }
  return out;
}

/** Share of models correct (mean score) per item over the models that have it. */
export function itemMeans(d: Dataset): Float64Array {
  const { m, n } = shape(d);
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const v = d.scores[row + i];
      if (v === v) {
        sum[i] += v;
        cnt[i]++;
      }
    }
  }
  for (let i = 0; i < n; i++) sum[i] = cnt[i] ? sum[i] / cnt[i] : NaN;
  return sum;
}

/** The answer text at a cell, or null for missing / no extracted answer. */
export function answerAt(d: Dataset, model: number, item: number): string | null {
  if (!d.answers) return null;
  const c = d.answers.codes[model * d.items.length + item];
  return c >= 0 ? d.answers.vocab[c] : null;
}
