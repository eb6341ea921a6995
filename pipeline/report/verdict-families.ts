/**
 * The "families" part of the verdict (issue #11 item 6): is there co-variation beyond one ability
 * axis? Three honest outcomes — one axis; unequal discrimination only; families, named by their
 * residual groups — or no verdict, with the reason. Pure: report sections in, sentences out.
 */
import type { Report } from './schema.ts';
import { familiesVerdict, Q3_P_THRESHOLD, type FamiliesVerdict } from '../irt/index.ts';
import { fmt, intCount, pct, pValue } from './format.ts';
import { mdText } from './escape.ts';

type Sections = Pick<Report, 'correlation' | 'benchmark'> & Partial<Pick<Report, 'stages' | 'irt'>>;
type Irt = NonNullable<Report['irt']>;

export interface FamiliesOutcome {
  families: FamiliesVerdict | null;
  reason: string;
  /** True when the irt stage ran (its section exists), verdict or not. */
  irtRan: boolean;
  /** The finding sentence; null when the irt stage did not run (today's Null B wording then stands alone). */
  sentence: string | null;
}

/** Why there is no irt section, from the stage's recorded status. */
export function irtAbsentReason(s: Partial<Pick<Report, 'stages'>>): string {
  const st = s.stages?.irt;
  if (st?.status === 'skipped') return `the irt stage was skipped: ${st.reason ?? 'no reason given'}`;
  if (st?.status === 'not-built') return 'the irt stage is not built in this version';
  if (st?.status === 'missing' && st.reason && !/^not run/.test(st.reason)) return `the irt stage's result cannot be used (${st.reason})`;
  return 'the irt stage (null C and the cross-validated dimension) has not been run';
}

/** "did not converge in N EM cycles (largest gradient g, last change c)". */
export function convergenceText(c: Irt['convergence']): string {
  return `${c.converged ? 'converged' : 'did not converge'} in ${intCount(c.iterations)} EM cycles (largest gradient of the log-likelihood ${fmt(c.maxGradient)}, largest last change of a parameter ${fmt(c.maxChange)})`;
}

export function nullCText(irt: Irt): string {
  const c = irt.nullC;
  if (!c) return 'null C could not be computed';
  const ms = c.meanSquared ?? c;
  return `the mean squared similarity is ${fmt(ms.observed)} against ${fmt(ms.nullMean)} ± ${fmt(ms.nullSd)} under null C (z = ${fmt(ms.z, 1)}, p ${pValue(ms.p, c.replicates)}; ${intCount(c.replicates)} replicates)`;
}

export function chosenRow(irt: Irt): Irt['crossValidation'][number] | null {
  return irt.crossValidation.find((r) => r.chosen) ?? null;
}

export function dimensionText(irt: Irt): string {
  if (irt.dimension === null) return 'the dimension was not cross-validated';
  const row = chosenRow(irt);
  const loss = irt.crossValidationLoss === 'mse' ? 'squared error' : 'log-loss';
  const folds = row ? ` over ${row.folds} folds` : '';
  return `cross-validation picks ${irt.dimension === 1 ? 'one ability dimension' : `${irt.dimension} ability dimensions`}${row ? ` (held-out ${loss} ${fmt(row.loss, 4)} ± ${fmt(row.se, 4)}${folds}; the smallest k within one standard error of the best)` : ''}`;
}

/** "1. “label” (N prompts, mean Q3 x; mostly semantic cluster L)". */
export function groupText(g: Irt['residualGroups'][number]): string {
  const comp = g.composition[0];
  const where = comp ? `; ${pct(comp.share, 0)} in ${g.compositionSource === 'category' ? 'category' : 'semantic cluster'} “${mdText(comp.label, 50)}”` : '';
  return `${g.id}. “${mdText(g.label, 60)}” (${intCount(g.size)} prompts, mean residual correlation ${fmt(g.strength)}${where})`;
}

/** The Q3 test of the verdict: "residual correlations (Yen's Q3) … null C (z, p)". */
function q3Text(irt: NonNullable<Sections['irt']>): string | null {
  const q = irt.q3;
  if (!q || q.nullC.meanSquaredNormalP === null || q.nullC.meanSquaredNormalP === undefined) return null;
  const p = q.nullC.meanSquaredNormalP;
  return `the mean square of residual correlations (Yen's Q3, after one ability axis) is ${fmt(q.observed.meanSquared, 4)} against ${fmt(q.nullC.meanSquared.nullMean, 4)} ± ${fmt(q.nullC.meanSquared.nullSd, 4)} under null C (z = ${fmt(q.nullC.meanSquared.z, 1)}, p ${p < 1e-4 ? '< 0.0001' : `= ${fmt(p, 3)}`})`;
}

export function familiesOutcome(s: Sections, alpha: number): FamiliesOutcome {
  const irt = s.irt ?? null;
  if (!irt) return { families: null, reason: irtAbsentReason(s), irtRan: false, sentence: null };
  const c = s.correlation;
  const nullBp = c ? (c.nullB.meanSquared ?? c.nullB).p : null;
  let v = familiesVerdict({ converged: irt.convergence.converged, nullCp: irt.nullC ? (irt.nullC.meanSquared ?? irt.nullC).p : null, q3p: irt.q3?.nullC.meanSquaredNormalP ?? null, dimension: irt.dimension, nullBp }, alpha);
  // Without a correlate section here, the stage's own verdict (made with the Null B it saw) stands.
  if (v.families === null && !c && irt.stageFamilies !== null) v = { families: irt.stageFamilies, reason: irt.stageFamiliesReason };
  const dim = dimensionText(irt);
  const q3 = q3Text(irt);
  // Null C decides at alpha/2 and Q3 at z > Q3_Z_THRESHOLD, as familiesVerdict does.
  const nc = nullCText(irt) + (q3 ? `; ${q3}` : '');
  let sentence: string;
  if (v.families === null) {
    sentence = !irt.convergence.converged
      ? `**No verdict on families of prompts:** the one-ability-axis fit ${convergenceText(irt.convergence)}, so no verdict rests on it.`
      : `**No verdict on families of prompts:** ${v.reason}.`;
  } else if (v.families === 'none') {
    sentence = `**Consistent with one ability axis.** Simulating from the fitted one-ability model (null C: one ability per model, each prompt its own difficulty and discrimination), ${nc}, and ${dim}. Prompts differ in difficulty (and in how sharply they separate models) only: there is no sign of families of prompts that particular models are good or bad at.`;
  } else if (v.families === 'discrimination-only') {
    sentence = `**Prompts differ in how sharply they separate models; no families beyond one axis.** Null B is rejected, but one ability axis with a discrimination per prompt accounts for the co-variation: ${nc}, and ${dim}. The excess over null B is unequal discrimination, not families of prompts that particular models are good or bad at.`;
  } else {
    const cRejected = (irt.nullC !== null && ((irt.nullC.meanSquared ?? irt.nullC).p ?? 1) < alpha / 2) || (irt.q3?.nullC.meanSquaredNormalP ?? 1) < Q3_P_THRESHOLD;
    const multi = irt.dimension !== null && irt.dimension >= 2;
    const evidence = cRejected && multi ? `${nc}, and ${dim}` : cRejected ? `${nc}, although ${dim}` : `${dim}, although neither null C test rejects one axis (${nc})`;
    const groups = irt.residualGroups.slice(0, 3);
    const named = groups.length
      ? ` The groups of prompts whose results co-vary most once one ability axis is removed: ${groups.map(groupText).join('; ')}${irt.residualGroups.length > 3 ? `; and ${irt.residualGroups.length - 3} more` : ''}.`
      : ' No residual group of at least 3 prompts was found to name them by.';
    sentence = `**Prompts form families beyond one ability axis:** ${evidence}.${named} These are prompts that particular models are good or bad at beyond their overall strength, so the plain average depends on how many of each the benchmark holds.`;
  }
  return { families: v.families, reason: v.reason, irtRan: true, sentence };
}
