/**
 * Shared pieces of the demo's prompt families: the family interface and small seeded helpers
 * for filling templates.
 */
import type { Rng } from '../../core/rng.ts';

/** One generated prompt: its text, the correct answer and plausible wrong answers. */
export interface GeneratedPrompt {
  text: string;
  answer: string;
  /** At least one, at most three wrong answers a model might give (never equal to `answer`). */
  distractors: string[];
  /** Which phrasing (template) produced the text, 0-based within the family. */
  template: number;
}

/** Families are grouped so that related skills co-vary (a second level above families). */
export type FamilyGroup = 'reasoning' | 'knowledge' | 'language';

export interface PromptFamily {
  id: string;
  label: string;
  group: FamilyGroup;
  /** Number of distinct phrasings (template ids 0 … templates-1). */
  templates: number;
  generate(rng: Rng): GeneratedPrompt;
}

export function pick<T>(rng: Rng, a: readonly T[]): T {
  return a[rng.int(a.length)];
}

/** Uniform integer in [lo, hi]. */
export function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** k distinct elements of `a`, in random order. */
export function pickDistinct<T>(rng: Rng, a: readonly T[], k: number): T[] {
  return Array.from(rng.sample(a.length, Math.min(k, a.length)), (i) => a[i]);
}

/** Up to k distinct candidates, in order, that differ from the answer (and are not empty). */
export function distractorsFor(answer: string, candidates: readonly (string | number)[], k = 3): string[] {
  const out: string[] = [];
  for (const c of candidates) {
    const s = String(c);
    if (s === '' || s === answer || out.includes(s)) continue;
    out.push(s);
    if (out.length === k) break;
  }
  if (out.length === 0) throw new Error(`demo: no distractor for answer ${answer}`);
  return out;
}

/** "a, b, c or d" with the options in random order. */
export function optionList(rng: Rng, options: readonly string[], conj = 'or'): string {
  const o = rng.shuffle([...options]);
  return o.length === 1 ? o[0] : `${o.slice(0, -1).join(', ')} ${conj} ${o[o.length - 1]}`;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const PEOPLE = [
  'Maya', 'Liam', 'Priya', 'Omar', 'Sofia', 'Noah', 'Chen', 'Amara', 'Lucas', 'Elena', 'Kofi', 'Hana',
  'Mateo', 'Zara', 'Ivan', 'Leila', 'Tom', 'Aisha', 'Diego', 'Yuki', 'Nadia', 'Ben', 'Ines', 'Ravi',
] as const;
