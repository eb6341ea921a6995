/**
 * The plain-language verdict: a pure function of the report's sections, so every sentence's
 * numbers are the report's numbers.
 */
import type { Report } from './schema.ts';
import { fmt, pValue } from './format.ts';
import { mdText } from './escape.ts';
import { semanticEffect } from './sections.ts';

export const ALPHA = 0.05;

/** Schemes that change what is evaluated drastically (weights from performance, a tiny sample): stress tests, not plausible prompt mixes. */
export const STRESS_TEST_SCHEMES = ['correlation-adjusted', 'performance-cluster-balanced', 'representative'];

type Sections = Pick<Report, 'correlation' | 'reweighting' | 'explanation' | 'benchmark'> & Partial<Pick<Report, 'stages'>>;

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

export function buildVerdict(s: Sections): Report['verdict'] {
  const sentences: string[] = [];
  const c = s.correlation;
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
    sentences.push(
      beyondStrength
        ? `**It is also beyond what model strength alone explains.** Keeping every model's total and every prompt's difficulty fixed (null B), the mean squared similarity — which grows when prompts form families — is ${fmt(nb.observed)} against ${fmt(nb.nullMean)} ± ${fmt(nb.nullSd)} (z = ${fmt(nb.z, 1)}, p ${pValue(nb.p, c.nullB.replicates)}) ${meanNote}: there are families of prompts that particular models are good or bad at, so the plain average depends on how many prompts each family contributes.`
        : `**Beyond model strength, the correlation is not distinguishable from chance.** With every model's total and every prompt's difficulty kept fixed (null B), the mean squared similarity is ${fmt(nb.observed)} against ${fmt(nb.nullMean)} ± ${fmt(nb.nullSd)} (z = ${fmt(nb.z, 1)}, p ${pValue(nb.p, c.nullB.replicates)}) ${meanNote}: one ability axis accounts for the co-variation, which makes the plain average less fragile.`,
    );
  } else {
    sentences.push(absentBecause(s, 'correlate', 'The correlation analysis', 'whether prompts co-vary'));
  }

  const rw = s.reweighting;
  let rankingsMove: boolean | null = null;
  let largestBeyond: number | null = null;
  let movingScheme: string | null = null;
  if (rw) {
    const others = rw.schemes.filter((x) => x.name !== 'uniform');
    const uni = rw.schemes.find((x) => x.name === 'uniform');
    // Each model's largest move beyond noise; the biggest movers are named. Content-based schemes
    // are plausible prompt mixes; the others (weights from performance, a tiny representative
    // sample) are stress tests and are reported apart.
    const collect = (schemes: typeof others) => {
      const movers = new Map<string, { scheme: string; model: string; delta: number; from: number | null; to: number | null }>();
      for (const sc of schemes) {
        for (const m of sc.models) {
          if (!m.beyondNoise || m.deltaRank === null) continue;
          const prev = movers.get(m.model);
          if (!prev || Math.abs(m.deltaRank) > Math.abs(prev.delta)) {
            movers.set(m.model, { scheme: sc.name, model: m.model, delta: m.deltaRank, from: uni?.models.find((x) => x.model === m.model)?.rank ?? null, to: m.rank });
          }
        }
      }
      const top = [...movers.values()].sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || x.model.localeCompare(y.model)).slice(0, 3);
      return { count: movers.size, top };
    };
    const listMoves = (top: ReturnType<typeof collect>['top']) => top.map((t) => `${mdText(t.model)} from rank ${fmt(t.from, 0)} to ${fmt(t.to, 0)} (${mdText(t.scheme)})`).join('; ');
    const plausible = collect(others.filter((x) => !STRESS_TEST_SCHEMES.includes(x.name)));
    const stress = collect(others.filter((x) => STRESS_TEST_SCHEMES.includes(x.name)));
    const best = plausible.top[0] ?? stress.top[0] ?? null;
    movingScheme = plausible.top[0]?.scheme ?? null;
    rankingsMove = best !== null;
    largestBeyond = Math.max(0, ...[...plausible.top, ...stress.top].map((t) => Math.abs(t.delta)));
    // "Further from uniform than noise": τ_b at or below the 5th percentile of τ_b between two
    // resamples of the same scheme (tauNoiseShare = share of resample pairs with τ_b ≤ the scheme's).
    const share = (x: (typeof others)[number]) => (x as { tauNoiseShare?: number | null }).tauNoiseShare ?? null;
    const p05 = (x: (typeof others)[number]) => (x as { noiseFloorTauP05?: number | null }).noiseFloorTauP05 ?? null;
    const measured = others.filter((x) => x.kendallTau !== null && share(x) !== null);
    const worst = [...measured].sort((a, b) => (share(a) ?? 1) - (share(b) ?? 1) || (a.kendallTau ?? 1) - (b.kendallTau ?? 1) || a.name.localeCompare(b.name))[0];
    const tauSentence = !worst
      ? ''
      : (share(worst) ?? 1) < ALPHA
        ? ` Under ${mdText(worst.name)} weighting the whole ranking differs from the uniform one beyond noise: Kendall τ_b ${fmt(worst.kendallTau)}, below the 5th percentile (${fmt(p05(worst))}) of τ_b between two resamples of that scheme.`
        : ` No scheme's ranking as a whole differs from the uniform one beyond noise (lowest Kendall τ_b: ${fmt(worst.kendallTau)} under ${mdText(worst.name)}; two resamples of that scheme reach ${fmt(worst.noiseFloorTau)} in the median, ${fmt(p05(worst))} at the 5th percentile).`;
    const stressNote = stress.count
      ? ` The stress-test schemes (${STRESS_TEST_SCHEMES.filter((n) => others.some((x) => x.name === n)).join(', ')}) move ${stress.count} model(s) beyond noise (largest: ${listMoves(stress.top.slice(0, 2))}).`
      : '';
    if (plausible.count) {
      sentences.push(`**Rankings move beyond noise under other plausible prompt mixes** (${plausible.count} model(s) in all). The largest moves: ${listMoves(plausible.top)}.` + tauSentence + stressNote);
    } else {
      const maxShift = Math.max(0, ...others.filter((x) => !STRESS_TEST_SCHEMES.includes(x.name)).map((x) => x.maxAbsRankShift ?? 0));
      sentences.push(
        `**Rankings are stable under the content-based prompt mixes tried.** Ranks shift by up to ${fmt(maxShift, 0)} position(s), but no shift exceeds what resampling the same scheme produces.` + tauSentence + stressNote,
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
    sentences.push(
      `**What explains it:** the regression over prompt pairs explains R² = ${fmt(e.r2)} of the variation in performance similarity. ` +
        (sem === null
          ? semanticAbsentBecause(s, e)
          : semSig
            ? `Semantic similarity explains ${sem < 0.01 ? 'a statistically clear but very small part' : 'part'} of it (partial R² ${fmt(sem)}; coefficient ${fmt(semCoef?.estimate ?? null, 3)}, MRQAP p ${pValue(semCoef?.p ?? null, e.permutations)}; Mantel r = ${fmt(e.mantel.r)}, p ${pValue(e.mantel.p, e.permutations)}). `
            : `Semantic similarity adds little once the other predictors are in (partial R² ${fmt(sem)}; coefficient ${fmt(semCoef?.estimate ?? null, 3)}, MRQAP p ${pValue(semCoef?.p ?? null, e.permutations)}; Mantel r = ${fmt(e.mantel.r)}, p ${pValue(e.mantel.p, e.permutations)}). `) +
        `Failure categories add partial R² ${fmt(e.partialR2.failure)}${strongestTag ? ` (strongest: ${mdText(strongestTag.name)})` : ''}, difficulty ${fmt(e.partialR2.difficulty)}.`,
    );
  } else {
    sentences.push(absentBecause(s, 'explain', 'The explanation stage', 'what drives the co-variation'));
  }
  if (beyondStrength !== null && rankingsMove !== null) {
    if (movingScheme)
      sentences.push(
        beyondStrength
          ? `**Bottom line:** do not report the plain average alone; report it with the ${mdText(movingScheme)} score and the rank intervals below.`
          : `**Bottom line:** no structure beyond model strength was detected, yet rankings still move beyond noise under the ${mdText(movingScheme)} mix: report the plain average with the rank intervals and the scheme comparison below.`,
      );
    else if (rankingsMove)
      sentences.push('**Bottom line:** the plain average ranks the models consistently under plausible prompt mixes; only the stress-test schemes move some of them, which shows whose rank rests on a few correlated prompt families — report the rank intervals below.');
    else if (beyondStrength) sentences.push('**Bottom line:** prompts come in families, but the ranking survives the re-weightings tried; the plain average is usable for ranking, with the intervals below.');
    else sentences.push('**Bottom line:** nothing here suggests the plain average is misleading beyond its sampling error.');
  }
  return {
    correlationBeyondChance: beyondChance,
    correlationBeyondModelStrength: beyondStrength,
    rankingsMoveBeyondNoise: rankingsMove,
    largestRankShiftBeyondNoise: largestBeyond,
    semanticPartialR2: e ? e.partialR2.semantic : null,
    sentences,
  };
}
