/** The irt figures (issue #11 item 7): held-out loss against k, and the top residual groups; left out with a reason when there is nothing to draw. */
import type { Report } from './schema.ts';
import { lossByDimensionFigure, residualGroupsFigure } from './svg/model-figures.ts';
import { IRT_DIMENSION_FIGURE, IRT_GROUPS_FIGURE } from './irt-markdown.ts';
import { irtAbsentReason } from './verdict-families.ts';

type Built = { file: string; title: string; caption: string; svg: string };
type LeftOut = { file: string; title: string; reason: string };

const DIMENSION = { file: IRT_DIMENSION_FIGURE, title: 'Held-out loss by number of ability dimensions' };
const GROUPS = { file: IRT_GROUPS_FIGURE, title: 'Prompt groups whose residuals co-vary beyond one ability axis' };
/** Bars beyond this many would not fit a readable figure; the table and report.json have them all. */
const MAX_GROUPS_DRAWN = 10;

export function irtFigures(r: Pick<Report, 'irt' | 'stages'>): { figures: Built[]; leftOut: LeftOut[] } {
  const figures: Built[] = [];
  const leftOut: LeftOut[] = [];
  const irt = r.irt;
  if (!irt) {
    const reason = irtAbsentReason(r);
    return { figures, leftOut: [{ ...DIMENSION, reason }, { ...GROUPS, reason }] };
  }
  const loss = irt.crossValidationLoss === 'mse' ? 'squared error' : 'log-loss';
  const rows = irt.crossValidation.filter((x) => x.loss !== null);
  // The 2PL is the one-dimensional member of the family of k-dimensional models; the additive model is the reference.
  const points = rows.filter((x) => x.model !== 'additive').map((x) => ({ k: x.k, loss: x.loss as number, se: x.se ?? 0 }));
  if (points.length < 2) leftOut.push({ ...DIMENSION, reason: rows.length ? 'fewer than two dimensions were cross-validated' : 'the dimension was not cross-validated' });
  else {
    const additive = rows.find((x) => x.model === 'additive');
    const chosen = rows.find((x) => x.chosen);
    figures.push({
      ...DIMENSION,
      caption:
        `Mean held-out ${loss} per cell over ${rows[0].folds} folds (bars: ± one fold standard error) of one ability axis (the 2PL, k = 1) and of k-dimensional compensatory models; ` +
        `${additive ? 'the dashed line is the additive model (model strength + prompt difficulty, no discrimination). ' : ''}` +
        `The chosen dimension${chosen ? `, k = ${chosen.k},` : ''} is the smallest k within one standard error of the lowest loss.`,
      svg: lossByDimensionFigure({ title: DIMENSION.title, lossLabel: `held-out ${loss} per cell`, points, references: additive ? [{ label: 'additive (model + prompt)', loss: additive.loss as number, se: additive.se ?? undefined }] : [] }),
    });
  }
  const groups = irt.residualGroups.filter((g) => g.strength !== null);
  if (!irt.q3) leftOut.push({ ...GROUPS, reason: 'Q3 could not be computed (too few prompts vary)' });
  else if (!groups.length) leftOut.push({ ...GROUPS, reason: 'no group of at least 3 prompts whose residuals co-vary was found' });
  else {
    const shown = groups.slice(0, MAX_GROUPS_DRAWN);
    figures.push({
      ...GROUPS,
      caption:
        `Mean residual correlation (Yen's Q3) between the prompts of each group, once one ability axis is removed; group label and size on the left${groups.length > shown.length ? `; the ${shown.length} strongest of ${groups.length} groups` : ''}. ` +
        'The dashed line is the mean over all prompt pairs (slightly negative under one axis: Q3 is biased that way).',
      svg: residualGroupsFigure({ title: GROUPS.title, groups: shown.map((g) => ({ label: `${g.id}: ${g.label}`, size: g.size, within: g.strength as number })), overall: irt.q3.observed.mean ?? NaN, valueLabel: 'mean Q3 within the group' }),
    });
  }
  return { figures, leftOut };
}
