/** report.md's section "How many abilities does this benchmark measure?" (issue #11 item 7): finding first, then tables and figures. */
import type { Report } from './schema.ts';
import { mdTable, mdText } from './escape.ts';
import { fmt, intCount, pct, pValue } from './format.ts';
import { figure, type Section } from './markdown-parts.ts';
import { convergenceText, familiesOutcome, irtAbsentReason, nullCText } from './verdict-families.ts';
import { ALPHA } from './verdict.ts';

type Irt = NonNullable<Report['irt']>;

export const IRT_DIMENSION_FIGURE = 'figures/irt-dimension.svg';
export const IRT_GROUPS_FIGURE = 'figures/irt-residual-groups.svg';

/** Under the null table: why there is no null C row, when there is none. */
export function nullCRow(r: Report): string[] {
  if (r.correlation?.nullC) return [];
  const why = r.irt ? 'the irt stage could not compute it (too few prompts vary)' : irtAbsentReason(r);
  return [`Null C (one ability axis, simulated from a fitted item response model) is not in this table: ${mdText(why)}.`, ''];
}

const MODEL_NAMES: Record<string, string> = {
  '2pl': 'two-parameter logistic (2PL) model',
  '3pl-fixed-guessing': 'two-parameter logistic model with a fixed lower asymptote (guessing)',
  'graded-one-factor': 'one-factor model with a logit link for graded scores (the graded analogue of the 2PL)',
};

/** Which model, priors and guessing were used, and whether the fit converged. */
export function fitSentence(irt: Irt): string {
  const prior =
    irt.prior.kind === 'none'
      ? 'no priors (maximum likelihood)'
      : `weak Bayes-modal priors (log a ~ N(${fmt(irt.prior.logA?.mean ?? null, 2)}, ${fmt(irt.prior.logA?.sd ?? null, 2)}²), centre and spread re-estimated from all prompts; b ~ N(${fmt(irt.prior.b?.mean ?? null, 1)}, ${fmt(irt.prior.b?.sd ?? null, 1)}²))`;
  const g = irt.guessing;
  const guessing =
    g.mode === 'none'
      ? 'no guessing asymptote'
      : g.mode === 'auto'
        ? `guessing c = 1/#options on the ${intCount(g.promptsWithGuessing)} prompts that show their options (\`--guessing auto\`), none elsewhere`
        : `a fixed guessing asymptote c = ${fmt(g.value, 2)} on ${intCount(g.promptsWithGuessing)} prompts`;
  const conv = irt.convergence.converged
    ? `The fit ${convergenceText(irt.convergence)}; log-likelihood ${fmt(irt.logLik, 1)}.`
    : `**The fit ${convergenceText(irt.convergence)}**: no verdict rests on it (log-likelihood at the last cycle ${fmt(irt.logLik, 1)}).`;
  return (
    `A unidimensional ${MODEL_NAMES[irt.model] ?? mdText(irt.model)} was fitted to ${intCount(irt.models)} models × ${intCount(irt.prompts.total)} prompts (${intCount(irt.prompts.estimated)} estimated) by marginal maximum likelihood, with ${prior} and ${guessing}. ` +
    conv
  );
}

function cvTable(irt: Irt): string[] {
  if (!irt.crossValidation.length) return ['The dimension was not cross-validated.', ''];
  const loss = irt.crossValidationLoss === 'mse' ? 'squared error' : 'log-loss';
  const name = (x: Irt['crossValidation'][number]) => (x.model === 'additive' ? 'additive (model strength + prompt difficulty)' : x.model === '2pl' ? 'one ability axis (2PL, joint fit)' : `${x.k} ability dimensions (compensatory)`);
  return [
    `Held-out cells (${irt.crossValidation[0].folds} folds): mean ${loss} per cell of each model, ± its fold standard error; the chosen dimension is the smallest k whose loss is within one (paired) standard error of the best.`,
    '',
    mdTable(
      ['model', 'k', `held-out ${loss} ± SE`, 'SE of the difference to the best', 'penalty λ', ''],
      irt.crossValidation.map((x) => [name(x), String(x.k), `${fmt(x.loss, 4)} ± ${fmt(x.se, 4)}`, x.best ? 'best' : fmt(x.seVsBest, 4), fmt(x.lambda, 0), x.chosen ? `**chosen: k = ${x.k}**` : '']),
      ['left', 'right', 'right', 'right', 'right', 'left'],
    ),
    '',
  ];
}

function q3Lines(irt: Irt): string[] {
  const q = irt.q3;
  if (!q) return [];
  const ms = q.nullC.meanSquared;
  return [
    `**Local dependence (Yen's Q3).** Q3 is the correlation over models of two prompts' residuals once the one-ability model is removed. Over ${intCount(q.pairs)} ${q.exact ? '' : 'sampled '}prompt pairs its mean is ${fmt(q.observed.mean, 4)} (null C: ${fmt(q.nullC.mean.nullMean, 4)} ± ${fmt(q.nullC.mean.nullSd, 4)}, p ${pValue(q.nullC.mean.p, q.nullC.replicates)}) and its mean square ${fmt(ms.observed, 4)} (null C: ${fmt(ms.nullMean, 4)} ± ${fmt(ms.nullSd, 4)}, z = ${fmt(ms.z, 1)}, p ${pValue(ms.p, q.nullC.replicates)}; ${intCount(q.nullC.replicates)} replicates); ${intCount(q.pairsAboveNullP99)} pairs lie above null C's 99th percentile (${fmt(q.nullC.p99)}) against ${intCount(q.expectedAboveNullP99)} expected. Each replicate re-estimates items and abilities as the observed residuals were; the verdict's Q3 test takes the mean square's z against a normal (p ${q.nullC.meanSquaredNormalP === null ? 'n/a' : q.nullC.meanSquaredNormalP < 1e-4 ? '< 0.0001' : fmt(q.nullC.meanSquaredNormalP, 4)}) and rejects one axis at z > 3.5 (stricter than nominal: on unidimensional data Q3's null sits about one sd low).`,
    '',
  ];
}

function groupLines(irt: Irt): string[] {
  const gs = irt.residualGroups;
  if (!gs.length) return ['No group of at least 3 prompts whose residuals co-vary was found.', ''];
  const src = gs.some((g) => g.compositionSource === 'category') && !gs.some((g) => g.compositionSource === 'semantic') ? 'given categories' : 'semantic clusters';
  return [
    `**Residual groups**: prompts clustered on their residuals after one ability axis (k-means on the leading principal components), strongest first. Each is labelled, as the clusters below are, by the distinctive words of its prompts, with the ${src} its prompts come from and the prompts that follow the group most closely.`,
    '',
    mdTable(
      ['group', 'prompts', 'mean Q3 within', 'label', src, 'a typical prompt'],
      gs.slice(0, 12).map((g) => [
        String(g.id),
        intCount(g.size),
        fmt(g.strength),
        mdText(g.label, 60),
        g.composition.map((c) => `${mdText(c.label, 30)} (${pct(c.share, 0)})`).join('; '),
        g.examples[0] ? mdText(g.examples[0], 90) : '',
      ]),
      ['right', 'right', 'right', 'left', 'left', 'left'],
    ),
    ...(gs.length > 12 ? ['', `… and ${gs.length - 12} more groups (see report.json, irt.residualGroups).`] : []),
    '',
  ];
}

/** The plain-language finding: the verdict's families sentence (the same words as at the top), or why there is none. */
function finding(r: Report): string[] {
  const s = familiesOutcome(r, ALPHA).sentence;
  return [s ?? `No verdict on families of prompts: ${mdText(r.verdict.familiesReason)}.`, ''];
}

export const abilities: Section = (r) => {
  const lines = ['## How many abilities does this benchmark measure?', ''];
  const irt = r.irt;
  if (!irt) {
    const st = r.stages.irt;
    const notRun = st?.status === 'missing' && st.reason !== null && /^not run/.test(st.reason);
    const why = notRun ? `the irt stage has not been run (${st!.reason!.replace(/^not run \((.*)\)$/, '$1')})` : irtAbsentReason(r);
    return [...lines, `> Not available — ${mdText(why)}.`, '', 'Without it, a null B rejection cannot be told apart from prompts that merely differ in discrimination, so this report does not claim families of prompts.', ''];
  }
  lines.push(...finding(r));
  for (const note of irt.notes) lines.push(`> ${mdText(note)}`, '');
  lines.push(fitSentence(irt), '');
  lines.push(`**Dimension**: ${irt.dimension === null ? 'not cross-validated' : `k = ${irt.dimension}`}.`, '');
  lines.push(...cvTable(irt), ...figure(r, IRT_DIMENSION_FIGURE));
  if (irt.nullC && !r.correlation) lines.push(`Null C (one ability axis; the correlation analysis, and with it nulls A and B, is not in this report): ${nullCText(irt)}; mean similarity ${fmt(irt.nullC.observed)} against ${fmt(irt.nullC.nullMean)} ± ${fmt(irt.nullC.nullSd)}; KS D ${fmt(irt.nullC.ks?.D ?? null)} (p ${pValue(irt.nullC.ks?.p ?? null, irt.nullC.replicates)}).`, '');
  else if (irt.nullC) lines.push(`Null C (one ability axis) is in the table of null models above, beside nulls A and B${irt.nullCDiscriminationBias !== null ? `; before generating it, the small-sample upward bias of the discriminations was removed (mean log a shifted by −${fmt(irt.nullCDiscriminationBias)})` : ''}.`, '');
  lines.push(...q3Lines(irt), ...groupLines(irt), ...figure(r, IRT_GROUPS_FIGURE));
  lines.push(
    `Item parameters — each prompt's difficulty b and discrimination a — are in report.json (\`irt.items\`)${irt.itemsCsv ? ` and in the file ${mdText(irt.itemsCsv)} (relative to this report; columns id, difficulty, discrimination, guessing)` : ''}; each model's ability is in \`irt.abilities\`.`,
    '',
  );
  return lines;
};
