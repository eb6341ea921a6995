/**
 * The plain-language verdict: a pure function of the report's sections, so every sentence's
 * numbers are the report's numbers.
 */
import type { Report } from './schema.ts';
import { fmt, intCount, pct, pValue } from './format.ts';
import { mdText } from './escape.ts';
import { mantelText, semanticEffect } from './sections.ts';
import { familiesOutcome } from './verdict-families.ts';
import type { FamiliesVerdict } from '../irt/index.ts';

export const ALPHA = 0.05;

/** Schemes that change what is evaluated drastically (weights from performance, a tiny sample): stress tests, not plausible prompt mixes. */
export const STRESS_TEST_SCHEMES = ['correlation-adjusted', 'performance-cluster-balanced', 'representative'];

type Sections = Pick<Report, 'correlation' | 'reweighting' | 'explanation' | 'benchmark'> & Partial<Pick<Report, 'stages' | 'irt'>>;

/** Why a stage's section is absent, as the stage itself recorded it (skipped with a reason, unusable, not run). */
function absentBecause(s: Sections, stage: string, label: string, what: string): string {
  const st = s.stages?.[stage];
  if (st?.status === 'skipped') return `${label} was skipped (${st.reason ?? 'no reason given'}), so ${what} is not assessed here.`;
  if (st?.status === 'not-built') return `${label} is not built in this version, so ${what} is not assessed here.`;
  if (st?.status === 'missing' && st.reason && !/^not run/.test(st.reason)) return `${label}'s result cannot be used (${st.reason}), so ${what} is not assessed here.`;
  return `${label} has not been run, so ${what} is not assessed here.`;
}

/** Why semantic similarity has no partial R²: no text, a skipped semantic stage, or a model that was not fitted. */
function semanticAbsentBecause(s: Sections, e: NonNullable<Sections['explanation']>): string {
  if (s.benchmark.promptsWithText === 0) return 'Semantic similarity could not be assessed (no prompt text). ';
  for (const stage of ['embed', 'index']) {
    const st = s.stages?.[stage];
    if (st && st.status !== 'ok') return `Semantic similarity could not be assessed (the ${stage} stage: ${st.reason ?? st.status}). `;
  }
  if (e.r2 === null) {
    const why = e.notes.find((n) => /not fitted/.test(n));
    return `Semantic similarity could not be assessed because the pairwise model was not fitted${why ? `: ${why.replace(/^pairwise model not fitted: /, '')}` : ''}. `;
  }
  return 'Semantic similarity was left out of the pairwise model (see the notes of the explanation). ';
}

/** Controlled swaps the verdict names: the clearest under plausible prompt mixes, and under the stress tests. */
export const CLEAREST_SWAPS = 3;
export const CLEAREST_STRESS_SWAPS = 2;

/**
 * The controlled swaps under the content-based (plausible) schemes and under the stress-test
 * schemes, clearest first. "Beyond noise" = a controlled swap: a pair of models whose gap moves
 * across zero on the paired bootstrap, with the family-wise error ≤ alpha over all model pairs ×
 * schemes. Content-based schemes are plausible prompt mixes; the others are stress tests, reported apart.
 */
export function controlledSwaps(rw: NonNullable<Report['reweighting']>) {
  const others = rw.schemes.filter((x) => x.name !== 'uniform' && !(x as { sameAsUniform?: boolean }).sameAsUniform);
  const significantOf = (schemes: typeof others) =>
    schemes.flatMap((sc) => (sc.swaps ?? []).filter((x) => x.significant).map((x) => ({ scheme: sc.name, ...x }))).sort((a, b) => a.pAdjusted - b.pAdjusted || a.scheme.localeCompare(b.scheme) || a.models[1].localeCompare(b.models[1]));
  const plausibleSchemes = others.filter((x) => !STRESS_TEST_SCHEMES.includes(x.name));
  const stressSchemes = others.filter((x) => STRESS_TEST_SCHEMES.includes(x.name));
  // Above 200 models only the clearest swaps are listed: the counts come from significantSwaps.
  const countOf = (schemes: typeof others) => schemes.reduce((t, sc) => t + (sc.significantSwaps ?? (sc.swaps ?? []).filter((x) => x.significant).length), 0);
  return { others, plausibleSchemes, plausible: significantOf(plausibleSchemes), stress: significantOf(stressSchemes), plausibleCount: countOf(plausibleSchemes), stressCount: countOf(stressSchemes) };
}

export function buildVerdict(s: Sections): Report['verdict'] {
  const sentences: string[] = [];
  const c = s.correlation;
  const fam = familiesOutcome(s, ALPHA);
  let beyondChance: boolean | null = null;
  let beyondStrength: boolean | null = null;
  if (c) {
    beyondChance = c.nullA.p !== null && c.nullA.p < ALPHA;
    // Families of prompts raise within-family and lower between-family similarity, so under the
    // ability-preserving null the mean can stay put while the spread grows: the mean *squared*
    // similarity is the statistic that detects them (the mean is reported beside it).
    const nb = c.nullB.meanSquared ?? c.nullB;
    beyondStrength = nb.p !== null && nb.p < ALPHA;
    sentences.push(
      beyondChance
        ? `**Performance is correlated across prompts beyond chance.** The mean ${mdText(c.metric)} similarity between prompts is ${fmt(c.nullA.observed)}, against ${fmt(c.nullA.nullMean)} ± ${fmt(c.nullA.nullSd)} when each prompt's results are shuffled across models (z = ${fmt(c.nullA.z, 1)}, p ${pValue(c.nullA.p, c.nullA.replicates)}).`
        : `**No correlation beyond chance was found.** The mean ${mdText(c.metric)} similarity between prompts, ${fmt(c.nullA.observed)}, is within what shuffling each prompt's results produces (${fmt(c.nullA.nullMean)} ± ${fmt(c.nullA.nullSd)}, p ${pValue(c.nullA.p, c.nullA.replicates)}).`,
    );
    const meanNote = `(the mean similarity itself is ${fmt(c.nullB.observed)} against ${fmt(c.nullB.nullMean)} ± ${fmt(c.nullB.nullSd)}, p ${pValue(c.nullB.p, c.nullB.replicates)})`;
    // Null B is the Rasch null: its rejection never claims families on its own. With the irt stage's
    // verdict, null C (next sentence) separates the two causes; without it the report says why not.
    const irtSt = s.stages?.irt;
    const rejectedTail = fam.families !== null
      ? 'The one-ability-axis test (null C and the cross-validated dimension, next) tells them apart.'
      : fam.irtRan
        ? 'The one-ability-axis test (null C) gave no verdict (next), so this report does not claim families.'
        : irtSt?.status === 'skipped'
          ? `The one-ability-axis test (null C) was skipped (${mdText(irtSt.reason ?? 'no reason given')}), so this report does not claim families.`
          : 'The one-ability-axis test (`covary irt`, null C) is still experimental, so this report does not claim families.';
    const notRejectedTail = fam.families === 'families' ? ': null B alone sees no structure beyond model strength; the one-ability-axis analysis (next) looks further.' : ': one ability axis accounts for the co-variation, which makes the plain average less fragile.';
    sentences.push(
      beyondStrength
        ? `**It is also beyond what one strength per model and one difficulty per prompt explain.** Keeping every model's total and every prompt's difficulty fixed (null B, the equal-discrimination Rasch model), the mean squared similarity — which grows when prompts form families — is ${fmt(nb.observed)} against ${fmt(nb.nullMean)} ± ${fmt(nb.nullSd)} (z = ${fmt(nb.z, 1)}, p ${pValue(nb.p, c.nullB.replicates)}) ${meanNote}. Null B cannot tell two causes apart: families of prompts that particular models are good or bad at, or prompts that merely separate strong from weak models more or less sharply along one ability axis (unequal discrimination) — the second leaves the plain average sound. ${rejectedTail}`
        : `**Beyond model strength, the correlation is not distinguishable from chance.** With every model's total and every prompt's difficulty kept fixed (null B), the mean squared similarity is ${fmt(nb.observed)} against ${fmt(nb.nullMean)} ± ${fmt(nb.nullSd)} (z = ${fmt(nb.z, 1)}, p ${pValue(nb.p, c.nullB.replicates)}) ${meanNote}${notRejectedTail}`,
    );
  } else {
    sentences.push(absentBecause(s, 'correlate', 'The correlation analysis', 'whether prompts co-vary'));
  }
  if (fam.sentence) sentences.push(fam.sentence);

  const rw = s.reweighting;
  let rankingsMove: boolean | null = null;
  let largestBeyond: number | null = null;
  let movingScheme: string | null = null;
  let stressOnly = false;
  if (rw) {
    const { others, plausibleSchemes, plausible, stress, plausibleCount, stressCount } = controlledSwaps(rw);
    rankingsMove = plausibleCount > 0;
    stressOnly = !rankingsMove && stressCount > 0;
    const countIn = (sc: (typeof plausibleSchemes)[number]) => sc.significantSwaps ?? sc.swaps.filter((x) => x.significant).length;
    movingScheme = plausibleSchemes.filter((sc) => countIn(sc) > 0).sort((a, b) => countIn(b) - countIn(a) || a.name.localeCompare(b.name))[0]?.name ?? null;
    // The largest rank change of a model in a controlled swap: every such model is flagged
    // (beyondNoise), listed or not; the listed swaps' models count too.
    largestBeyond = 0;
    for (const sc of plausibleSchemes) {
      const listed = new Set(sc.swaps.filter((x) => x.significant).flatMap((x) => x.models));
      for (const mm of sc.models) if (mm.beyondNoise || listed.has(mm.model)) largestBeyond = Math.max(largestBeyond, Math.abs(mm.deltaRank ?? 0));
    }
    const listSwaps = (swaps: typeof plausible) =>
      swaps
        .map((x) => `${mdText(x.models[1])} overtakes ${mdText(x.models[0])} under ${mdText(x.scheme)} (ranks ${fmt(x.uniformRanks[1], 0)}→${fmt(x.ranks[1], 0)} and ${fmt(x.uniformRanks[0], 0)}→${fmt(x.ranks[0], 0)}; adjusted p ${pValue(x.pAdjusted, rw.bootstrap)})`)
        .join('; ');
    const inf = (rw as { rankInference?: { alpha: number; bootstrap: string; swapFamily: number } }).rankInference;
    const how = inf ? ` (paired ${inf.bootstrap} bootstrap of each pair's change of gap; family-wise error ${pct(inf.alpha, 0)} over all ${intCount(inf.swapFamily)} model pairs × schemes)` : '';
    const stressNote = stressCount
      ? ` The stress-test schemes (${STRESS_TEST_SCHEMES.filter((n) => others.some((x) => x.name === n)).join(', ')}) swap ${stressCount} pair(s) beyond noise (clearest: ${listSwaps(stress.slice(0, CLEAREST_STRESS_SWAPS))}).`
      : '';
    const best = (rw as { tauBest?: string[] }).tauBest;
    const bestNote = best && best.length ? ` Models that may be the best under the plain average (95% confidence set): ${best.slice(0, 8).map((x) => mdText(x)).join(', ')}${best.length > 8 ? ` and ${best.length - 8} more` : ''}.` : '';
    if (plausibleCount) {
      sentences.push(`**Rankings move beyond noise under other plausible prompt mixes:** ${plausibleCount} pair(s) of models change order${how}. The clearest: ${listSwaps(plausible.slice(0, CLEAREST_SWAPS))}.` + stressNote + bestNote);
    } else {
      const maxShift = Math.max(0, ...plausibleSchemes.map((x) => x.maxAbsRankShift ?? 0));
      sentences.push(
        (maxShift > 0
          ? `**Ranks move by up to ${fmt(maxShift, 0)} place(s), within noise.** Under the content-based prompt mixes tried, no pair of models changes order beyond noise${how}.`
          : `**No rank changes under the content-based prompt mixes tried**${how}.`) +
          stressNote +
          bestNote,
      );
    }
  } else {
    sentences.push(absentBecause(s, 'reweight', 'Re-weighting', 'ranking robustness'));
  }

  const e = s.explanation;
  if (e) {
    const sem = e.partialR2.semantic;
    const { coefficient: semCoef, significant: semSig } = semanticEffect(e, ALPHA);
    const strongestTag = e.coefficients.filter((x) => x.block === 'failure' && x.p !== null && x.p < ALPHA && (x.estimate ?? 0) > 0).sort((a, b) => (b.estimate ?? 0) - (a.estimate ?? 0))[0];
    // With the irt stage's residuals the main response is Q3: co-variation beyond model strength (issue #11 item 5).
    const residual = e.responseKind === 'residual-similarity';
    const perf = e.performanceSimilarity ?? null;
    const head = residual
      ? `**What explains co-variation beyond model strength:** the regression over prompt pairs explains R² = ${fmt(e.r2)} of the variation in residual similarity (Q3: how two prompts' results co-vary once one ability axis — each model's strength, each prompt's difficulty and discrimination — is removed). `
      : `**What explains it:** the regression over prompt pairs explains R² = ${fmt(e.r2)} of the variation in performance similarity. `;
    const secondary = residual && perf ? ` For raw performance similarity, which includes model strength: R² = ${fmt(perf.r2)}, semantic partial R² ${fmt(perf.partialR2.semantic)}, difficulty ${fmt(perf.partialR2.difficulty)}.` : '';
    sentences.push(
      head +
        (sem === null
          ? semanticAbsentBecause(s, e)
          : semSig
            ? `Semantic similarity explains ${sem < 0.01 ? 'a statistically clear but very small part' : 'part'} of it (partial R² ${fmt(sem)}; coefficient ${fmt(semCoef?.estimate ?? null, 3)}, MRQAP p ${pValue(semCoef?.p ?? null, e.permutations)}; ${mantelText(e)}). `
            : `Semantic similarity adds little once the other predictors are in (partial R² ${fmt(sem)}; coefficient ${fmt(semCoef?.estimate ?? null, 3)}, MRQAP p ${pValue(semCoef?.p ?? null, e.permutations)}; ${mantelText(e)}). `) +
        `Failure categories add partial R² ${fmt(e.partialR2.failure)}${strongestTag ? ` (strongest: ${mdText(strongestTag.name)})` : ''}, difficulty ${fmt(e.partialR2.difficulty)}.` +
        secondary,
    );
  } else {
    sentences.push(absentBecause(s, 'explain', 'The explanation stage', 'what drives the co-variation'));
  }
  if (beyondStrength !== null && rankingsMove !== null) sentences.push(bottomLine(beyondStrength, fam.families, movingScheme, stressOnly));
  return {
    correlationBeyondChance: beyondChance,
    correlationBeyondModelStrength: beyondStrength,
    rankingsMoveBeyondNoise: rankingsMove,
    largestRankShiftBeyondNoise: largestBeyond,
    semanticPartialR2: e ? e.partialR2.semantic : null,
    families: fam.families,
    familiesReason: fam.reason,
    sentences,
  };
}

/**
 * The bottom line follows from the families verdict when there is one: family-based advice only
 * when families were found; with one ability axis, a moving ranking is a matter of the prompt mix.
 * Without a verdict it keeps null B's careful wording (a rejection does not claim families).
 */
function bottomLine(beyondStrength: boolean, families: FamiliesVerdict | null, movingScheme: string | null, stressOnly: boolean): string {
  const oneAxis = families === 'none' || families === 'discrimination-only';
  if (movingScheme) {
    const scheme = mdText(movingScheme);
    if (families === 'families')
      return `**Bottom line:** prompts form families beyond one ability axis and the ${scheme} mix reorders models beyond noise: do not report the plain average alone; report every model's rank with its confidence set, and the ${scheme} score beside the plain one.`;
    if (oneAxis)
      return `**Bottom line:** the prompts measure one ability axis${families === 'discrimination-only' ? ' (with unequal discrimination)' : ''}, yet the ${scheme} mix reorders models beyond noise: report ranks with their confidence sets, and the ${scheme} score beside the plain one — the prompt mix, not a family structure, moves them.`;
    return beyondStrength
      ? `**Bottom line:** do not report the plain average alone; report every model's rank with its confidence set, and the ${scheme} score beside the plain one, since it reorders models beyond noise.`
      : `**Bottom line:** no structure beyond model strength was detected, yet the ${scheme} mix reorders models beyond noise: report ranks with their confidence sets, and the ${scheme} score beside the plain one.`;
  }
  if (stressOnly) {
    if (oneAxis)
      return "**Bottom line:** report each model's rank with its confidence set; the plain average orders the models consistently under plausible prompt mixes, and only the stress-test schemes swap some of them — with one ability axis, that shows how much weight a few prompts carry, not distinct abilities.";
    return "**Bottom line:** report each model's rank with its confidence set; the plain average orders the models consistently under plausible prompt mixes, and only the stress-test schemes swap some of them, which shows whose rank rests on a few correlated prompt families.";
  }
  if (families === 'families')
    return "**Bottom line:** prompts form families beyond one ability axis, but no content-based re-weighting reorders any pair of models beyond noise: report the plain average with each model's rank confidence set, and read the residual groups (“How many abilities does this benchmark measure?”) for what it mixes.";
  if (families === 'discrimination-only')
    return "**Bottom line:** prompts differ in how sharply they separate models but measure one ability, and no content-based re-weighting reorders any pair of models beyond noise: report the plain average with each model's rank confidence set.";
  if (beyondStrength && families === null) return "**Bottom line:** prompts co-vary beyond the equal-discrimination model, but no content-based re-weighting reorders any pair of models beyond noise: report the plain average with each model's rank confidence set.";
  return "**Bottom line:** nothing here suggests the plain average is misleading beyond its sampling error: report it with each model's rank confidence set.";
}
