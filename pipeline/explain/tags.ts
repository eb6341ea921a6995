/**
 * Failure tagging: which prompts share an observable property that could make models succeed or
 * fail on them together (METHOD.md §5). Pure: dataset + thresholds + user tags → tag set.
 */
import { ANSWER_MISSING, ANSWER_NONE, type Dataset, type MetadataValue } from '../core/dataset.ts';
import type { TagThresholds } from './options.ts';

export type TagKind = 'all-fail' | 'all-succeed' | 'hard' | 'format-failure' | 'shared-wrong-answer' | 'category' | 'length' | 'user';

/** Kinds that are "failure points" proper (each gets its own both-in-tag predictor). */
export const FAILURE_KINDS: readonly TagKind[] = ['all-fail', 'all-succeed', 'hard', 'format-failure', 'shared-wrong-answer', 'user'];

export interface TagSummary {
  /** Stable identifier, e.g. `hard`, `category:category=law`, `length:2`, `user:needs-units`. */
  id: string;
  kind: TagKind;
  /** Human label for tables. */
  label: string;
  /** Metadata field (category tags). */
  field?: string;
  count: number;
  /** count / number of prompts. */
  share: number;
  /** Mean over the tagged prompts of the prompt's mean score (null when no tagged prompt has a score). */
  meanAccuracy: number | null;
  /** Up to 5 tagged item ids, in dataset order. */
  examples: string[];
}

export interface CategoryGroup {
  /** `category:<field>` or `length`. */
  id: string;
  label: string;
  /** Per prompt: index into `values`, -1 = none. */
  codes: Int32Array;
  values: string[];
}

export interface TagSet {
  tags: TagSummary[];
  /** membership[t][i] = 1 when prompt i carries tag t (same order as `tags`). */
  membership: Uint8Array[];
  /** Categorical groupings (metadata fields, length bins): each gives a "same group" predictor. */
  groups: CategoryGroup[];
  /** Prompt length cut points (upper bounds of each bin, in characters), when length bins exist. */
  lengthCuts: number[] | null;
  notes: string[];
}

export interface UserTags {
  /** Item id → tags (order of first appearance). */
  byId: Map<string, string[]>;
  /** Where the tags came from, for notes. */
  source: string;
}

const ANSWER_LIKE = /^(answer|answers|gold|label|labels|target|answer_index|answer_idx|id|item|question_id|correct)$/i;

function metaKey(v: MetadataValue): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  return String(v);
}

/** Per-prompt statistics every rule reads. */
export interface PromptStats {
  observed: Int32Array;
  correct: Int32Array;
  meanScore: Float64Array;
}

export function promptStats(d: Dataset, correctThreshold: number): PromptStats {
  const m = d.models.length;
  const n = d.items.length;
  const observed = new Int32Array(n);
  const correct = new Int32Array(n);
  const sum = new Float64Array(n);
  for (let k = 0; k < m; k++) {
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const v = d.scores[row + i];
      if (v !== v) continue;
      observed[i]++;
      sum[i] += v;
      if (v >= correctThreshold) correct[i]++;
    }
  }
  const meanScore = new Float64Array(n);
  for (let i = 0; i < n; i++) meanScore[i] = observed[i] ? sum[i] / observed[i] : NaN;
  return { observed, correct, meanScore };
}

export function computeTags(d: Dataset, th: TagThresholds, user: UserTags | null = null): TagSet {
  const m = d.models.length;
  const n = d.items.length;
  const st = promptStats(d, th.correctThreshold);
  const notes: string[] = [];
  const tags: TagSummary[] = [];
  const membership: Uint8Array[] = [];
  const groups: CategoryGroup[] = [];

  const add = (id: string, kind: TagKind, label: string, mem: Uint8Array, field?: string) => {
    let count = 0;
    let accSum = 0;
    let accN = 0;
    const examples: string[] = [];
    for (let i = 0; i < n; i++) {
      if (!mem[i]) continue;
      count++;
      if (examples.length < 5) examples.push(d.items[i].id);
      const a = st.meanScore[i];
      if (a === a) {
        accSum += a;
        accN++;
      }
    }
    tags.push({ id, kind, label, ...(field !== undefined ? { field } : {}), count, share: n ? count / n : 0, meanAccuracy: accN ? accSum / accN : null, examples });
    membership.push(mem);
  };

  // Score-based rules: only prompts with at least one observed score can be tagged.
  const allFail = new Uint8Array(n);
  const allSucceed = new Uint8Array(n);
  const hard = new Uint8Array(n);
  let unscored = 0;
  for (let i = 0; i < n; i++) {
    const o = st.observed[i];
    if (o === 0) {
      unscored++;
      continue;
    }
    if (st.correct[i] === 0) allFail[i] = 1;
    if (st.correct[i] === o) allSucceed[i] = 1;
    if (st.correct[i] / o < th.hardThreshold) hard[i] = 1;
  }
  if (unscored) notes.push(`${unscored} prompt(s) have no score from any model and carry no score-based tag`);
  add('all-fail', 'all-fail', 'all models fail', allFail);
  add('all-succeed', 'all-succeed', 'all models succeed', allSucceed);
  add('hard', 'hard', `hard (< ${fmtPct(th.hardThreshold)} of models correct)`, hard);

  if (d.answers) {
    const codes = d.answers.codes;
    const format = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let answered = 0;
      let none = 0;
      for (let k = 0; k < m; k++) {
        const c = codes[k * n + i];
        if (c === ANSWER_MISSING) continue;
        answered++;
        if (c === ANSWER_NONE) none++;
      }
      if (answered > 0 && none / answered > th.formatThreshold) format[i] = 1;
    }
    add('format-failure', 'format-failure', `format failure (> ${fmtPct(th.formatThreshold)} of models gave no extractable answer)`, format);

    if (d.answers.vocab.length <= 2) {
      notes.push(`shared-wrong-answer not computed: the answer vocabulary has only ${d.answers.vocab.length} value(s), so every failing model gives "the same" wrong answer by construction`);
    } else {
      const sw = sharedWrong(d, th);
      const single = singleWrongAnswer(d, th, sw);
      if (single > 0) notes.push(`${single} prompt(s) tagged shared-wrong-answer had one single wrong answer among all failing models: they may be two-choice items (the answer matrix cannot tell)`);
      add('shared-wrong-answer', 'shared-wrong-answer', `shared wrong answer (≥ ${fmtPct(th.distractorThreshold)} of ≥ ${th.distractorMinFailing} failing models pick the same one${th.distractorAlpha < 1 ? `, beyond chance at ${th.distractorAlpha}` : ''})`, sw);
    }
  } else {
    notes.push('format-failure and shared-wrong-answer not computed: the dataset has no answer matrix');
  }

  // Metadata categories.
  const fields = th.categoryFields ?? autoCategoryFields(d, th.maxCategories);
  for (const field of fields) {
    const values: string[] = [];
    const index = new Map<string, number>();
    const codes = new Int32Array(n).fill(-1);
    let present = 0;
    for (let i = 0; i < n; i++) {
      const key = metaKey(d.items[i].metadata[field]);
      if (key === null) continue;
      present++;
      let c = index.get(key);
      if (c === undefined) {
        c = values.length;
        index.set(key, c);
        values.push(key);
      }
      codes[i] = c;
    }
    if (present === 0) {
      notes.push(`category field "${field}" is absent from every item; ignored`);
      continue;
    }
    // Sort values for deterministic, readable output; remap codes.
    const order = values.map((v, c) => ({ v, c })).sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
    const remap = new Int32Array(values.length);
    order.forEach((o, newC) => (remap[o.c] = newC));
    for (let i = 0; i < n; i++) if (codes[i] >= 0) codes[i] = remap[codes[i]];
    const sorted = order.map((o) => o.v);
    groups.push({ id: `category:${field}`, label: `same ${field}`, codes, values: sorted });
    sorted.forEach((v, c) => {
      const mem = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (codes[i] === c) mem[i] = 1;
      add(`category:${field}=${v}`, 'category', `${field} = ${v}`, mem, field);
    });
  }
  if (th.categoryFields === null) notes.push(fields.length ? `metadata category fields (automatic): ${fields.join(', ')}` : 'no metadata field looks categorical (automatic choice); pass --category-fields to name some');

  // Length bins (characters of prompt text).
  let lengthCuts: number[] | null = null;
  if (th.lengthBins > 0) {
    const lens: number[] = [];
    for (const it of d.items) if (it.text !== null && it.text.trim() !== '') lens.push(it.text.length);
    if (lens.length === 0) notes.push('length bins not computed: no prompt text');
    else {
      lens.sort((a, b) => a - b);
      const cuts: number[] = [];
      for (let b = 1; b < th.lengthBins; b++) {
        // Fewer texts than bins: the quantile index clamps to the shortest text rather than to lens[-1].
        const c = lens[Math.max(0, Math.min(lens.length - 1, Math.floor((b * lens.length) / th.lengthBins) - 1))];
        if (cuts.length === 0 || c > cuts[cuts.length - 1]) cuts.push(c);
      }
      cuts.push(lens[lens.length - 1]);
      lengthCuts = cuts;
      const codes = new Int32Array(n).fill(-1);
      d.items.forEach((it, i) => {
        if (it.text === null || it.text.trim() === '') return;
        const L = it.text.length;
        let b = 0;
        while (b < cuts.length - 1 && L > cuts[b]) b++;
        codes[i] = b;
      });
      const values = cuts.map((c, b) => `${b === 0 ? 0 : cuts[b - 1] + 1}–${c} chars`);
      groups.push({ id: 'length', label: 'same length bin', codes, values });
      values.forEach((v, b) => {
        const mem = new Uint8Array(n);
        for (let i = 0; i < n; i++) if (codes[i] === b) mem[i] = 1;
        add(`length:${b + 1}`, 'length', `length bin ${b + 1} (${v})`, mem);
      });
      if (cuts.length < th.lengthBins) notes.push(`only ${cuts.length} distinct length bins (many prompts share a length)`);
    }
  }

  // User tags: from the dataset's own item tags and from a --tags file.
  const userMap = new Map<string, Uint8Array>();
  const userOrder: string[] = [];
  const addUser = (tag: string, i: number) => {
    let mem = userMap.get(tag);
    if (!mem) {
      mem = new Uint8Array(n);
      userMap.set(tag, mem);
      userOrder.push(tag);
    }
    mem[i] = 1;
  };
  d.items.forEach((it, i) => it.tags.forEach((t) => addUser(t, i)));
  if (user) {
    const idx = new Map<string, number>();
    d.items.forEach((it, i) => idx.set(it.id, i));
    for (const [id, ts] of user.byId) {
      const i = idx.get(id);
      if (i !== undefined) ts.forEach((t) => addUser(t, i));
    }
  }
  for (const t of [...userOrder].sort()) add(`user:${t}`, 'user', t, userMap.get(t)!);

  return { tags, membership, groups, lengthCuts, notes };
}

/** Shared wrong answer rule (an attractive distractor). */
export function sharedWrong(d: Dataset, th: TagThresholds): Uint8Array {
  const m = d.models.length;
  const n = d.items.length;
  const out = new Uint8Array(n);
  if (!d.answers) return out;
  const codes = d.answers.codes;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    counts.clear();
    let failing = 0;
    let best = 0;
    for (let k = 0; k < m; k++) {
      const s = d.scores[k * n + i];
      if (s !== s || s >= th.correctThreshold) continue;
      const c = codes[k * n + i];
      if (c < 0) continue; // no extracted answer: a format failure, not a chosen wrong answer
      failing++;
      const v = (counts.get(c) ?? 0) + 1;
      counts.set(c, v);
      if (v > best) best = v;
    }
    if (failing < th.distractorMinFailing || best / failing < th.distractorThreshold) continue;
    if (th.distractorAlpha < 1) {
      // K = wrong answers seen (at least 2: one seen means at least one other exists unseen).
      const K = Math.max(2, counts.size);
      if (K * binomialUpperTail(failing, best, 1 / K) > th.distractorAlpha) continue;
    }
    out[i] = 1;
  }
  return out;
}

/** How many tagged prompts saw one single wrong answer among their failing models. */
function singleWrongAnswer(d: Dataset, th: TagThresholds, tagged: Uint8Array): number {
  const m = d.models.length;
  const n = d.items.length;
  const codes = d.answers!.codes;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!tagged[i]) continue;
    let first = -1;
    let single = true;
    for (let k = 0; k < m && single; k++) {
      const s = d.scores[k * n + i];
      const c = codes[k * n + i];
      if (s !== s || s >= th.correctThreshold || c < 0) continue;
      if (first < 0) first = c;
      else if (c !== first) single = false;
    }
    if (single) count++;
  }
  return count;
}

/** P(X ≥ t) for X ~ Binomial(n, p), summed in log space (n is a number of models: small). */
export function binomialUpperTail(n: number, t: number, p: number): number {
  if (t <= 0) return 1;
  if (t > n) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let logC = 0; // log C(n, 0)
  for (let x = 1; x <= t; x++) logC += Math.log((n - x + 1) / x);
  let sum = 0;
  for (let x = t; x <= n; x++) {
    sum += Math.exp(logC + x * lp + (n - x) * lq);
    logC += Math.log((n - x) / (x + 1));
  }
  return Math.min(1, sum);
}

/** Metadata fields that look like categories: 2..max distinct values, on ≥ half the items, the second most common value on ≥ 1% of them, not an answer/id field. */
export function autoCategoryFields(d: Dataset, maxCategories: number): string[] {
  const n = d.items.length;
  const fields = new Set<string>();
  for (const it of d.items) for (const k of Object.keys(it.metadata)) fields.add(k);
  const out: string[] = [];
  for (const f of [...fields].sort()) {
    if (ANSWER_LIKE.test(f)) continue;
    const distinct = new Map<string, number>();
    let present = 0;
    let ok = true;
    for (const it of d.items) {
      const v = it.metadata[f];
      if (v !== null && v !== undefined && typeof v === 'object') {
        ok = false;
        break;
      }
      const key = metaKey(v);
      if (key === null) continue;
      present++;
      distinct.set(key, (distinct.get(key) ?? 0) + 1);
      if (distinct.size > maxCategories) {
        ok = false;
        break;
      }
    }
    // A field where one value covers (almost) everything is a flag, not a grouping.
    const second = [...distinct.values()].sort((a, b) => b - a)[1] ?? 0;
    if (ok && distinct.size >= 2 && present * 2 >= n && distinct.size * 2 <= present && second >= Math.max(2, 0.01 * present)) out.push(f);
  }
  return out;
}

function fmtPct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
