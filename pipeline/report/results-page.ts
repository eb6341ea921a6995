/**
 * docs/results.md: the cross-benchmark results page (finding 1: correlation under two nulls;
 * finding 2: ranking changes against noise; finding 3: what explains the co-variation), a pure
 * function of the benchmarks' report.json.
 */
import type { Report } from './schema.ts';
import { mdTable, mdText } from './escape.ts';
import { fmt, intCount, pValue, pct, signed } from './format.ts';
import { semanticEffect } from './sections.ts';

/** Mantel r for the results table: the all-pairs value with its own p when computed, the sampled one after it as a cross-check. */
function mantelCell(e: NonNullable<Report['explanation']>): string {
  const m = e.mantel;
  if (m.lead !== 'all-pairs' || m.rAllPairs === null || m.rAllPairs === undefined) return `${fmt(m.r)} (${pValue(m.p, e.permutations)})`;
  if (!e.pairs.sampled) return `${fmt(m.rAllPairs)} all pairs (${pValue(m.p, e.permutations)})`;
  const p = m.pAllPairs !== null && m.pAllPairs !== undefined ? pValue(m.pAllPairs, m.allPairsPermutations ?? undefined) : 'p n/a';
  return `${fmt(m.rAllPairs)} all pairs (${p}); sample ${fmt(m.r)} (${pValue(m.p, e.permutations)})`;
}

const PAPER = 'Siska et al. (ACL 2024)';

function correlationSentence(r: Report): string {
  const c = r.correlation;
  if (!c) return 'not analysed.';
  const ms = c.nullB.meanSquared;
  const bSig = ms?.p !== null && ms?.p !== undefined && ms.p < 0.05;
  const meanSig = c.nullB.p !== null && c.nullB.p < 0.05;
  const aSig = c.nullA.p !== null && c.nullA.p < 0.05;
  return (
    (aSig ? `Null A is rejected (z = ${fmt(c.nullA.z, 0)}, p ${pValue(c.nullA.p, c.nullA.replicates)}). ` : `Null A is not rejected (z = ${fmt(c.nullA.z, 1)}, p ${pValue(c.nullA.p, c.nullA.replicates)}). `) +
    (bSig
      ? `Beyond the equal-discrimination (Rasch) model, the spread of similarities is larger than null B allows (mean-squared z = ${fmt(ms?.z ?? null, 1)}${meanSig ? `, and the mean itself z = ${fmt(c.nullB.z, 1)}` : `, while the mean itself is as null B expects, z = ${fmt(c.nullB.z, 1)}`}): prompt families, or prompts that separate models more or less sharply along one axis — null B cannot tell which.`
      : r.verdict.families === 'families'
        ? `Null B detects no structure beyond model strength (mean-squared z = ${fmt(ms?.z ?? null, 1)}, p ${pValue(ms?.p ?? null, c.nullB.replicates)}).`
        : `Beyond model strength there is no detectable structure (null B mean-squared z = ${fmt(ms?.z ?? null, 1)}, p ${pValue(ms?.p ?? null, c.nullB.replicates)}): one ability axis explains the co-variation.`) +
    irtSentence(r)
  );
}

function irtColumns(r: Report): string[] {
  const irt = r.irt;
  if (!irt) return ['–', '–', '–'];
  const c = irt.nullC?.meanSquared ?? null;
  return [c ? `${fmt(c.z, 1)} (${pValue(c.p, irt.nullC!.replicates)})` : '–', irt.dimension === null ? '–' : String(irt.dimension), r.verdict.families ?? 'no verdict'];
}

/** Null C and the cross-validated dimension (issue #11), when the irt stage ran: they, not null B, decide "families". */
function irtSentence(r: Report): string {
  const irt = r.irt;
  if (!irt) return '';
  const c = irt.nullC?.meanSquared ?? null;
  const nullC = c ? `null C mean-squared z = ${fmt(c.z, 1)}, p ${pValue(c.p, irt.nullC!.replicates)}` : 'null C not computed';
  const dim = irt.dimension === null ? 'dimension not cross-validated' : `cross-validated dimension ${irt.dimension}`;
  const fam = r.verdict.families ?? null;
  const word = fam === 'families' ? 'families of prompts beyond one ability axis' : fam === 'discrimination-only' ? 'prompts differ in discrimination only, no families beyond one axis' : fam === 'none' ? 'consistent with one ability axis' : `no verdict (${mdText(r.verdict.familiesReason ?? '')})`;
  return ` One ability axis (irt): ${nullC}; ${dim}: ${word}.`;
}

/** Schemes that re-weight by content (what the prompts are about), as opposed to by performance. */
const CONTENT_SCHEMES = ['cluster-balanced', 'category-balanced', 'inverse-density'];

function reweightSentence(r: Report): string {
  const rw = r.reweighting;
  if (!rw) return 'not analysed.';
  type S = (typeof rw.schemes)[number] & { maxAbsRelDeltaScore?: number | null };
  const summary = (schemes: S[]) => ({
    shift: Math.max(0, ...schemes.map((s) => s.maxAbsRankShift ?? 0)),
    rel: Math.max(0, ...schemes.map((s) => Math.abs(s.maxAbsRelDeltaScore ?? 0))),
    beyond: schemes.reduce((n, s) => n + s.significantSwaps, 0),
  });
  const content = rw.schemes.filter((s) => CONTENT_SCHEMES.includes(s.name)) as S[];
  const other = rw.schemes.filter((s) => s.name !== 'uniform' && !CONTENT_SCHEMES.includes(s.name)) as S[];
  const cmp = (x: number) => (x > 5 ? 'more than' : x === 5 ? 'as many as' : 'fewer than');
  const parts: string[] = [];
  if (content.length) {
    const c = summary(content);
    parts.push(
      `content-based re-weighting (${content.map((s) => s.name).join(', ')}) moves ranks by up to ${c.shift} positions (${cmp(c.shift)} the paper's 5) and model scores by up to ${pct(c.rel, 0)} of their value (paper: about 10%); ` +
        (c.beyond ? `${c.beyond} pair(s) of models swap order beyond noise (controlled swaps, family-wise error ${pct(rw.rankInference.alpha, 0)})` : 'no pair of models swaps order beyond noise (family-wise error ' + pct(rw.rankInference.alpha, 0) + ')'),
    );
  } else parts.push('no content-based scheme could run (no prompt text or categories)');
  if (other.length) {
    const o = summary(other);
    parts.push(`the other schemes (${other.map((s) => s.name).join(', ')}), which change what is evaluated more drastically (weights from performance, or a small representative sample), move ranks by up to ${o.shift} with ${o.beyond} controlled swap(s): read them as stress tests`);
  }
  // Cut short as in the verdict: with thousands of models the set can hold hundreds.
  if (rw.tauBest.length) parts.push(`the models that may be the best under the plain average (95% set) are ${rw.tauBest.slice(0, 8).map((x) => mdText(x)).join(', ')}${rw.tauBest.length > 8 ? ` and ${rw.tauBest.length - 8} more` : ''}`);
  const text = parts.join('; ') + '.';
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function explainSentence(r: Report): string {
  const e = r.explanation;
  if (!e) return 'not analysed.';
  const { coefficient: sem, significant: semSig } = semanticEffect(e, 0.05);
  const fail = e.coefficients.filter((c) => c.block === 'failure' && c.p !== null && c.p < 0.05 && (c.estimate ?? 0) > 0).map((c) => c.name);
  return (
    (semSig
      ? (e.partialR2.semantic ?? 0) < 0.01
        ? `Semantic similarity explains a statistically clear but very small part of the co-variation (partial R² ${fmt(e.partialR2.semantic)}, MRQAP p ${pValue(sem?.p ?? null, e.permutations)}) — the paper's claim holds in direction, not in size; `
        : `Semantic similarity explains part of the co-variation (partial R² ${fmt(e.partialR2.semantic)}, MRQAP p ${pValue(sem?.p ?? null, e.permutations)}), as ${PAPER} found; `
      : `Semantic similarity adds no explanatory power beyond the other predictors here (partial R² ${fmt(e.partialR2.semantic)}, MRQAP p ${pValue(sem?.p ?? null, e.permutations)}), unlike the paper's claim; `) +
    (fail.length ? `common failure points do (${fail.slice(0, 3).join(', ')}).` : 'no failure category has a significant positive effect.') +
    ` Difficulty (how far apart, and how hard, the two prompts are) carries most of the explained variance (partial R² ${fmt(e.partialR2.difficulty)}).`
  );
}

export function renderResultsPage(reports: Report[]): string {
  const rs = [...reports].sort((a, b) => a.benchmark.name.localeCompare(b.benchmark.name));
  // The irt columns appear once any benchmark has the irt stage's result.
  const withIrt = rs.some((r) => r.irt);
  const link = (r: Report) => `[${mdText(r.benchmark.name)}](real-data/${encodeURIComponent(r.benchmark.name)}/report.md)`;
  const out: string[] = [
    '# Results on real benchmarks',
    '',
    `Generated by \`npm run real-data\` from the reports of \`covary run\` on each shared dataset (seed ${rs[0]?.reproducibility.seed ?? '–'}; every number below is in the linked report.json). ` +
      `The three findings of ${PAPER} are checked on each: (1) performance is correlated across prompts beyond chance; (2) re-weighting prompts can change rankings; (3) semantic similarity and common failure points explain part of the correlation.`,
    '',
    '## 1. Is performance correlated across prompts — beyond chance, and beyond model strength?',
    '',
    'Null A shuffles each prompt’s results across models (the paper’s test). Null B keeps every model’s total and every prompt’s total (curveball swaps for 0/1 scores), so it asks whether there is structure beyond one strength per model and one difficulty per prompt with equal discrimination (the Rasch model); a rejection can come from prompt families or merely from prompts that differ in discrimination, which only the one-ability-axis test of issue #11 (null C, `covary irt`, still experimental) can separate. Under null B the mean similarity barely moves when prompts form families (within-family similarity rises, between-family falls), so the mean *squared* similarity and the KS distance are the informative statistics there.',
    '',
    mdTable(
      ['benchmark', 'models', 'prompts used', 'set aside', 'mean r', 'null A z (p)', 'null B z (p), mean', 'null B z (p), mean r²', 'KS D vs A', 'KS D vs B (p)', ...(withIrt ? ['null C z (p), mean r²', 'dimension', 'families'] : [])],
      rs.map((r) => {
        const c = r.correlation;
        const irtCells = withIrt ? irtColumns(r) : [];
        if (!c) return [link(r), intCount(r.benchmark.models), '–', '–', '–', '–', '–', '–', '–', '–', ...irtCells];
        const b = c.nullB.replicates;
        return [
          link(r),
          intCount(r.benchmark.models),
          intCount(c.promptsUsed),
          intCount(r.benchmark.prompts - c.promptsUsed),
          fmt(c.meanSimilarity),
          `${fmt(c.nullA.z, 0)} (${pValue(c.nullA.p, c.nullA.replicates)})`,
          `${fmt(c.nullB.z, 1)} (${pValue(c.nullB.p, b)})`,
          `${fmt(c.nullB.meanSquared?.z ?? null, 1)} (${pValue(c.nullB.meanSquared?.p ?? null, b)})`,
          fmt(c.ks.nullA),
          `${fmt(c.ks.nullB)} (${pValue(c.nullB.ks?.p ?? null, b)})`,
          ...irtCells,
        ];
      }),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    ...rs.map((r) => `- **${mdText(r.benchmark.name)}**: ${correlationSentence(r)}`),
    '',
    '## 2. Do rankings change when the prompt distribution changes — beyond noise?',
    '',
    'For each scheme: Kendall τ_b between its ranking and the uniform one, the largest rank change, how many pairs of models change order, and how many of those are controlled swaps — the pair’s gap moves beyond noise on the paired bootstrap, with the family-wise error at 5% over all model pairs × schemes of the benchmark — and the median width of the 95% marginal rank confidence sets; then the largest score change (relative to the model’s uniform score: large for low-scoring models).',
    '',
    mdTable(
      ['benchmark', 'scheme', 'τ_b vs uniform', 'max |Δrank|', 'largest rank change', 'pairs reordered: controlled swaps', 'median rank-set width', 'max |Δscore| (relative)'],
      rs.flatMap((r) =>
        (r.reweighting?.schemes ?? [])
          .filter((s) => s.name !== 'uniform')
          .map((s) => {
            const top = [...s.models].sort((a, b) => Math.abs(b.deltaRank ?? 0) - Math.abs(a.deltaRank ?? 0) || a.model.localeCompare(b.model))[0];
            const ext = s as { maxAbsDeltaScore?: number | null; maxAbsRelDeltaScore?: number | null };
            const widths = s.models.flatMap((m) => (m.rankSet.marginal ? [m.rankSet.marginal[1] - m.rankSet.marginal[0] + 1] : [])).sort((x, y) => x - y);
            return [
              link(r),
              mdText(s.name),
              fmt(s.kendallTau),
              fmt(s.maxAbsRankShift, 0),
              top && (top.deltaRank ?? 0) !== 0 ? `${mdText(top.model, 36)} ${signed(top.deltaRank, 0)}${top.beyondNoise ? ' (in a controlled swap)' : ''}` : '–',
              `${s.pointSwaps}: ${s.significantSwaps}`,
              widths.length ? fmt(widths[Math.floor((widths.length - 1) / 2)], 0) : '–',
              `${fmt(ext.maxAbsDeltaScore ?? null)} (${pct(ext.maxAbsRelDeltaScore ?? null, 0)})`,
            ];
          }),
      ),
      ['left', 'left', 'right', 'right', 'right', 'left', 'left', 'right'],
    ),
    '',
    ...rs.map((r) => `- **${mdText(r.benchmark.name)}**: ${reweightSentence(r)}`),
    '',
    '## 3. What explains the co-variation?',
    '',
    'A weighted regression over prompt pairs of performance similarity on semantic cosine similarity (and same semantic cluster), failure categories (both prompts in the tag) and difficulty controls; p-values from MRQAP permutations of prompt labels. Partial R² per block = (R²_full − R²_without block) / (1 − R²_without block).',
    '',
    mdTable(
      ['benchmark', 'pairs', 'R²', 'partial R² semantic', 'partial R² failure', 'partial R² difficulty', 'semantic coefficient (p)', 'Mantel r (p)', 'strongest failure categories (coefficient)'],
      rs.map((r) => {
        const e = r.explanation;
        if (!e) return [link(r), '–', '–', '–', '–', '–', '–', '–', '–'];
        const sem = e.coefficients.find((c) => c.name === 'semantic cosine');
        const fails = e.coefficients
          .filter((c) => c.block === 'failure' && c.p !== null && c.p < 0.05)
          .sort((a, b) => Math.abs(b.estimate ?? 0) - Math.abs(a.estimate ?? 0))
          .slice(0, 3)
          .map((c) => `${mdText(c.name, 30)} (${signed(c.estimate, 3)})`)
          .join('; ');
        return [
          link(r),
          intCount(e.pairs.used),
          fmt(e.r2),
          fmt(e.partialR2.semantic),
          fmt(e.partialR2.failure),
          fmt(e.partialR2.difficulty),
          sem ? `${fmt(sem.estimate, 3)} (${pValue(sem.p, e.permutations)})` : '–',
          mantelCell(e),
          fails || '–',
        ];
      }),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
    '',
    ...rs.map((r) => `- **${mdText(r.benchmark.name)}**: ${explainSentence(r)}`),
    '',
  ];
  return out.join('\n');
}
