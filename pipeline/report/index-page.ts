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
    verdictWord(r),
  ]);
  return [
    '# covary reports',
    '',
    'One row per analysed benchmark. Null B z: how far the spread of prompt-to-prompt similarities (mean squared similarity) exceeds what model strength alone produces. Largest rank shift beyond noise: the biggest rank change under any re-weighting that exceeds what resampling the same scheme produces. Semantic partial R²: the share of pairwise performance similarity that prompt meaning explains on top of failure categories and difficulty.',
    '',
    mdTable(
      ['benchmark', 'models', 'prompts', 'mean similarity', 'null B z (p), mean squared', 'largest rank shift beyond noise', 'semantic partial R²', 'plain average'],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
    '',
  ].join('\n');
}

function verdictWord(r: Report): string {
  const v = r.verdict;
  if (v.correlationBeyondModelStrength && v.rankingsMoveBeyondNoise) return 'fragile: rankings move';
  if (v.correlationBeyondModelStrength && v.rankingsMoveBeyondNoise === false) return 'families, ranking stable';
  if (v.correlationBeyondModelStrength === false) return 'no structure beyond strength';
  return 'incomplete analysis';
}
