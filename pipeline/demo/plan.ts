/**
 * Every planted number of the demo benchmark, in one place (docs/demo.md explains them).
 *
 * Latent model: P(model k answers prompt i correctly) = logistic(θ_k + s_{k,f(i)} + b_i), where
 *   θ_k ~ N(0, abilitySd²)                        general ability,
 *   s_{k,f} = g_{k,group(f)} + u_{k,f} + archetype offset    family skill (group skill shared by related families),
 *   b_i ~ N(meanEase_f, itemSd²)                  item ease (trick prompts: trickEase).
 * Format failures come first: with probability modelFormat_k × itemFormat_i the model's answer
 * cannot be extracted (answer ANSWER_NONE, score 0).
 */
import type { PromptFamily } from './families/util.ts';
import { REASONING_FAMILIES } from './families/reasoning.ts';
import { KNOWLEDGE_FAMILIES } from './families/knowledge.ts';
import { LANGUAGE_FAMILIES } from './families/language.ts';

/** Bump when generation changes in any way that alters the output for a given seed. */
export const DEMO_GENERATOR_VERSION = 1;

export interface FamilyPlan {
  family: PromptFamily;
  /** Target share of all prompts. */
  share: number;
  /** Mean item ease (logit scale) of the family's ordinary prompts. */
  meanEase: number;
  /** Range of per-prompt format-failure propensity; null = only the background rate. */
  formatPropensity: [number, number] | null;
  /** Phrasings whose answers are easy to mis-format (several values, lists, dates, clock times): FORMAT_SENSITIVE range. */
  formatTemplates?: number[];
}

/** Item format propensity of the format-sensitive phrasings. */
export const FORMAT_SENSITIVE: [number, number] = [0.85, 1.0];

const byId = new Map([...REASONING_FAMILIES, ...KNOWLEDGE_FAMILIES, ...LANGUAGE_FAMILIES].map((f) => [f.id, f]));
const fam = (id: string): PromptFamily => {
  const f = byId.get(id);
  if (!f) throw new Error(`demo plan: unknown family ${id}`);
  return f;
};

/** Two families hold 40% of the prompts on purpose: the plain average over-weights them. */
export const FAMILY_PLAN: FamilyPlan[] = [
  { family: fam('arithmetic'), share: 0.21, meanEase: 0.3, formatPropensity: null },
  { family: fam('unit-conversion'), share: 0.19, meanEase: 0.5, formatPropensity: null },
  { family: fam('capitals'), share: 0.07, meanEase: 1.4, formatPropensity: null },
  { family: fam('code-output'), share: 0.07, meanEase: 0.0, formatPropensity: [0.2, 0.4], formatTemplates: [3, 5, 7] },
  { family: fam('grammar'), share: 0.06, meanEase: 1.0, formatPropensity: null },
  { family: fam('date-arithmetic'), share: 0.06, meanEase: -0.3, formatPropensity: [0.1, 0.3], formatTemplates: [2, 7] },
  { family: fam('chemistry'), share: 0.06, meanEase: 0.6, formatPropensity: null },
  { family: fam('logic'), share: 0.06, meanEase: 0.2, formatPropensity: null },
  { family: fam('history'), share: 0.06, meanEase: 0.4, formatPropensity: null },
  { family: fam('synonyms'), share: 0.055, meanEase: 1.2, formatPropensity: null },
  { family: fam('spelling'), share: 0.055, meanEase: -0.8, formatPropensity: null },
  { family: fam('translation'), share: 0.05, meanEase: 1.0, formatPropensity: null },
];

export const OVER_REPRESENTED = ['arithmetic', 'unit-conversion'] as const;

export const LATENT = {
  abilitySd: 1.0,
  /** Archetype models (specialists, broad models) sit mid-pack so their rank can move both ways. */
  archetypeAbilitySd: 0.5,
  groupSd: 0.5,
  familySd: 0.6,
  itemSd: 1.0,
  trickEase: -6,
} as const;

export const ARCHETYPES = {
  /** Specialists: strong on the over-represented families, a little weaker elsewhere → drop under balancing. */
  specialistShare: 0.1,
  specialistBoost: 1.8,
  specialistPenalty: -0.4,
  /** Broad models: weak on the over-represented families, a little stronger elsewhere → rise under balancing. */
  broadShare: 0.075,
  broadPenalty: -1.5,
  broadBoost: 0.5,
  /** Format-prone models (named "-base"): often give no extractable answer where prompts invite it. */
  formatProneShare: 0.15,
  formatProne: 0.95,
  formatOther: 0.3,
} as const;

/** Item format propensity outside the format-failure families (times the model's propensity). */
export const BACKGROUND_FORMAT_PROPENSITY = 0.004;

export const MISSING = {
  /** One model (named "-preview") was run on only this share of the prompts. */
  partialCoverage: 0.5,
  /** Every other cell is missing with this probability. */
  randomRate: 0.004,
} as const;

export const TRICKS = {
  share: 0.015,
  minimum: 2,
  /** Share of wrong answers on a trick prompt that are the shared distractor. */
  sharedRate: 0.97,
} as const;

/** A model "rises" / "drops" under family-balanced weighting when its rank moves by at least this. */
export const RANK_CHANGE_THRESHOLD = 2;

export const LIMITS = { models: [12, 500], prompts: [120, 3000] } as const;
