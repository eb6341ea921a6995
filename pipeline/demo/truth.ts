/**
 * The demo's ground truth: what was planted (families, abilities, tricks, format failures,
 * missing cells) and what it implies (rank changes under family-balanced weighting), written
 * beside the dataset as `ground-truth.json` so every later stage can be tested against it.
 */
import { competitionRanks } from '../core/stats.ts';
import type { Dataset } from '../core/dataset.ts';

export type DemoArchetype = 'generalist' | 'specialist' | 'broad' | 'format-prone' | 'partial';
export type RankDirection = 'rise' | 'drop' | 'stable';

export interface DemoFamilyTruth {
  id: string;
  label: string;
  group: string;
  /** Planned share of prompts. */
  plannedShare: number;
  count: number;
  overRepresented: boolean;
  meanEase: number;
  templates: number;
  formatFailure: boolean;
  trickCount: number;
}

export interface DemoModelTruth {
  name: string;
  archetype: DemoArchetype;
  /** θ_k, general ability (logit). */
  ability: number;
  /** s_{k,f} per family (logit), including the group skill and archetype offset. */
  skills: Record<string, number>;
  /** Model factor of the format-failure probability. */
  formatPropensity: number;
  observedCells: number;
  /** Plain mean over observed cells. */
  uniformScore: number;
  /** Family-balanced score: weights 1/(families × family size), renormalised over the model's observed prompts. */
  balancedScore: number;
  uniformRank: number;
  balancedRank: number;
  /** uniformRank − balancedRank: positive = the model climbs under family-balanced weighting. */
  rankChange: number;
  /** From the observed scores, with the threshold in `rankChanges.threshold`. */
  direction: RankDirection;
  /** What the archetype was planted to do (specialists drop, broad models rise), null otherwise. */
  plantedDirection: RankDirection | null;
  /** The same two scores from the latent probabilities (no sampling noise). */
  expectedUniform: number;
  expectedBalanced: number;
}

export interface DemoItemTruth {
  id: string;
  family: string;
  template: string;
  /** b_i (logit). */
  ease: number;
  /** Item factor of the format-failure probability. */
  formatPropensity: number;
  answer: string;
  distractors: string[];
  /** The trick's name for trick prompts, else null. */
  trick: string | null;
}

export interface DemoTrickTruth {
  id: string;
  trick: string;
  family: string;
  answer: string;
  sharedDistractor: string;
  /** Observed: share of models with an extracted answer that got it wrong. */
  wrongShare: number;
  /** Observed: share of the wrong extracted answers that are the shared distractor. */
  sharedShare: number;
}

export interface DemoTruth {
  generatorVersion: number;
  seed: number;
  counts: { models: number; prompts: number; families: number; cells: number };
  latentModel: {
    formula: string;
    abilitySd: number;
    archetypeAbilitySd: number;
    groupSd: number;
    familySd: number;
    itemSd: number;
    trickEase: number;
    archetypes: Record<string, number>;
  };
  families: DemoFamilyTruth[];
  /** Families over-represented on purpose (together about 40% of prompts). */
  overRepresented: string[];
  /** Family groups: related families share a group skill, so they co-vary a little too. */
  groups: Record<string, string[]>;
  items: DemoItemTruth[];
  models: DemoModelTruth[];
  tricks: { itemIds: string[]; sharedRate: number; byItem: DemoTrickTruth[] };
  formatFailure: {
    families: string[];
    models: string[];
    /** Phrasings whose answers are easy to mis-format; their prompts get the highest item propensity. */
    templates: string[];
    /** Prompts of those phrasings: many models give no extractable answer on them. */
    sensitiveItems: string[];
    noneCells: number;
    /** NONE cells in the planted families. */
    noneInFamilies: number;
    /** NONE cells of the planted models. */
    noneByModels: number;
    noneByFamily: Record<string, number>;
  };
  missing: {
    partialModel: string;
    partialCoverage: number;
    partialObserved: number;
    randomRate: number;
    randomMissingCells: number;
    totalMissingCells: number;
  };
  rankChanges: {
    weighting: string;
    threshold: number;
    rise: string[];
    drop: string[];
    maxAbsRankChange: number;
    /** How many models move by at least the threshold. */
    moved: number;
  };
}

/**
 * Per-model plain mean and family-balanced score over observed cells. Family-balanced weights
 * are w_i = 1 / (F · n_f(i)) (every family the same total weight), renormalised over the prompts
 * the model has — the convention of `covary reweight`'s category-balanced scheme.
 */
export function familyScores(d: Dataset, familyOf: readonly string[]): { uniform: Float64Array; balanced: Float64Array } {
  const m = d.models.length;
  const n = d.items.length;
  const size = new Map<string, number>();
  for (const f of familyOf) size.set(f, (size.get(f) ?? 0) + 1);
  const w = Float64Array.from(familyOf, (f) => 1 / (size.size * size.get(f)!));
  const uniform = new Float64Array(m);
  const balanced = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let s = 0, c = 0, ws = 0, wc = 0;
    for (let i = 0; i < n; i++) {
      const v = d.scores[k * n + i];
      if (v !== v) continue;
      s += v;
      c++;
      ws += w[i] * v;
      wc += w[i];
    }
    uniform[k] = c ? s / c : NaN;
    balanced[k] = wc ? ws / wc : NaN;
  }
  return { uniform, balanced };
}

/** Competition ranks, 1 = highest score. */
export function ranksOf(scores: ArrayLike<number>): Int32Array {
  return Int32Array.from(competitionRanks(scores));
}

export function directionOf(rankChange: number, threshold: number): RankDirection {
  return rankChange >= threshold ? 'rise' : rankChange <= -threshold ? 'drop' : 'stable';
}
