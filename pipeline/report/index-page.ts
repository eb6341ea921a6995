/** reports/index.md: one row per analysed benchmark — the page for comparing and reusing results. */
import type { Report } from './schema.ts';
import { mdTable, mdText } from './escape.ts';
import { fmt, intCount, pValue } from './format.ts';

export function renderIndexPage(reports: { dir: string; report: Report }[]): string {
  const sorted = [...reports].sort((a, b) => a.report.benchmark.name.localeCompare(b.report.benchmark.name));
  const rows = sorted.map(({ dir, report: r }) => [
    `[${mdText(r.benchmark.name)}](${encodeURI(dir)}/report.md)`,
    intCount(r.benchmark.models),
    intCount(r.benchmark.prompts),
    r.correlation ? fmt(r.correlation.nullA.observed) : '–',
    // The verdict judges null B on the mean squared similarity, so the index shows that statistic.
    r.correlation?.nullB.meanSquared ? `${fmt(r.correlation.nullB.meanSquared.z, 1)} (p ${pValue(r.correlation.nullB.meanSquared.p, r.correlation.nullB.replicates)})` : '–',
    r.verdict.largestRankShiftBeyondNoise === null ? '–' : fmt(r.verdict.largestRankShiftBeyondNoise, 0),
    fmt(r.verdict.semanticPartialR2),
    // Reports from before the irt integration have no `families` key.
    r.verdict.families ?? '–',
    verdictWord(r),
  ]);
  return [
    '# covary reports',
    '',
    'One row per analysed benchmark. Null B z: how far the spread of prompt-to-prompt similarities (mean squared similarity) exceeds what model strength alone produces. Largest rank shift beyond noise: the biggest rank change under any re-weighting that exceeds what resampling the same scheme produces. Semantic partial R²: the share of pairwise performance similarity that prompt meaning explains on top of failure categories and difficulty. Families: the one-ability-axis verdict of the irt stage (none, discrimination-only or families; – when it gave none or did not run).',
    '',
    mdTable(
      ['benchmark', 'models', 'prompts', 'mean similarity', 'null B z (p), mean squared', 'largest rank shift beyond noise', 'semantic partial R²', 'families', 'plain average'],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
    ),
    '',
  ].join('\n');
}

function verdictWord(r: Report): string {
  const v = r.verdict;
  // With the irt verdict, families are named only when found; null B alone never claims them (issue #11).
  if (v.families === 'families') return v.rankingsMoveBeyondNoise ? 'fragile: families, rankings move' : v.rankingsMoveBeyondNoise === false ? 'families, ranking stable' : 'families';
  if (v.families === 'none' || v.families === 'discrimination-only') return v.rankingsMoveBeyondNoise ? 'fragile: rankings move (one ability axis)' : v.rankingsMoveBeyondNoise === false ? 'one ability axis, ranking stable' : 'one ability axis';
  if (v.correlationBeyondModelStrength && v.rankingsMoveBeyondNoise) return 'fragile: rankings move';
  if (v.correlationBeyondModelStrength && v.rankingsMoveBeyondNoise === false) return 'beyond null B, ranking stable';
  if (v.correlationBeyondModelStrength === false) return 'no structure beyond strength';
  return 'incomplete analysis';
}
