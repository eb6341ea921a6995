/** report.md: a pure function of the report model. Findings first, then tables and figures. */
import type { Report } from './schema.ts';
import { mdTable, mdText } from './escape.ts';
import { fmt, intCount, pValue, pct, signed } from './format.ts';
import { mantelText } from './sections.ts';
import { figure, stageNote, type Section } from './markdown-parts.ts';
import { abilities, nullCRow } from './irt-markdown.ts';
import { clustersShown, ENDS_SHOWN, manyModels, namedModels, omittedLabel, omittedLine, shownIndices, swapsShown, tauBestShown, withGaps } from './at-scale.ts';

/** A row saying how many models a cut table leaves out at that point. */
const gapRow = (columns: number) => (k: number) => [omittedLabel(k), ...Array<string>(columns - 1).fill('')];

const verdict: Section = (r) => [`# Can the average of “${mdText(r.benchmark.name)}” be trusted?`, '', ...r.verdict.sentences.map((s) => `- ${s}`), ''];

/** Partial text is normal (image tasks, …): say what it means for the statistics. */
function promptTextSentence(withText: number, prompts: number): string {
  const without = prompts - withText;
  if (withText === 0 || without === 0) return `${intCount(withText)} prompts have text; `;
  return `${intCount(without)} of ${intCount(prompts)} prompts have no text: they are in every text-free statistic and left out of the semantic ones; `;
}

const data: Section = (r) => {
  const b = r.benchmark;
  const lines = [
    '## The data',
    '',
    `${intCount(b.models)} models × ${intCount(b.prompts)} prompts (format: ${mdText(b.format)}; scores ${b.binaryScores ? '0/1' : 'graded in [0, 1]'}). ` +
      `${intCount(b.missingCells)} cells are missing (${pct(b.missingCells / Math.max(1, b.models * b.prompts), 2)}) and are never counted as wrong. ` +
      `${promptTextSentence(b.promptsWithText, b.prompts)}${b.hasAnswers ? 'the models’ extracted answers are available' : 'no answer matrix was given'}.`,
    '',
  ];
  if (b.dropped.length) {
    lines.push(`Dropped at ingestion (${intCount(b.droppedPrompts)} prompts in all):`, '');
    lines.push(mdTable(['what', 'id', 'count', 'reason'], b.dropped.slice(0, 20).map((d) => [d.what, d.id ? mdText(d.id, 40) : '', d.count === null ? '' : intCount(d.count), mdText(d.reason, 120)])));
    if (b.dropped.length > 20) lines.push('', `… and ${b.dropped.length - 20} more entries (see report.json).`);
    lines.push('');
  }
  const sorted = [...b.modelMeans].sort((x, y) => (y.mean ?? -1) - (x.mean ?? -1));
  const many = manyModels(r);
  const shown = shownIndices(sorted.map((m) => m.model), many ? namedModels(r) : new Set(), many);
  lines.push('<details><summary>Plain averages per model</summary>', '');
  lines.push(mdTable(['model', 'plain mean', 'prompts answered'], withGaps(sorted, shown, (m) => [mdText(m.model, 60), fmt(m.mean), intCount(m.items)], gapRow(3)), ['left', 'right', 'right']));
  if (many) lines.push('', omittedLine(shown.length, sorted.length, `the ${ENDS_SHOWN} with the highest plain mean and the ${ENDS_SHOWN} with the lowest`));
  lines.push('', '</details>', '');
  return lines;
};

const correlation: Section = (r) => {
  const lines = ['## Do models succeed and fail on prompts together?', ''];
  const c = r.correlation;
  if (!c) return [...lines, ...stageNote(r, 'correlate')];
  lines.push(
    `Performance similarity is the ${mdText(c.metric)} similarity of two prompts’ performance vectors (how every model did on each), over the models that have both. ` +
      `${intCount(c.promptsUsed)} prompts were used; ${intCount(c.zeroVariance.total)} had no variance across models (${intCount(c.zeroVariance.allCorrect)} solved by all, ${intCount(c.zeroVariance.allWrong)} by none) and are set aside here (they still count in scores). ` +
      `${c.pairs.exact ? 'All' : 'A seeded random sample of'} ${intCount(c.pairs.evaluated)} prompt pairs ${c.pairs.exact ? 'were' : 'was'} evaluated${c.pairs.lackingCommonModels ? `; ${intCount(c.pairs.lackingCommonModels)} pairs lacked enough common models` : ''}.`,
    '',
  );
  const row = (label: string, n: Report['correlation'] extends infer T ? (T extends { nullA: infer U } ? U : never) : never) => [
    label,
    mdText(n.method, 70),
    intCount(n.replicates),
    fmt(n.observed),
    `${fmt(n.nullMean)} ± ${fmt(n.nullSd)}`,
    fmt(n.z, 1),
    pValue(n.p, n.replicates),
    n.ks ? fmt(n.ks.D) : '–',
    n.ks ? pValue(n.ks.p, n.replicates) : '–',
  ];
  lines.push(
    mdTable(
      ['null model', 'how the null is drawn', 'B', 'observed mean similarity', 'null mean ± sd', 'z', 'p', 'KS D', 'KS p'],
      [row('A (shuffle)', c.nullA), row('B (ability-preserving)', c.nullB), ...(c.nullC ? [row('C (one ability axis)', c.nullC)] : [])],
      ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
  );
  const ms = (n: typeof c.nullA) => (n.meanSquared ? `${fmt(n.meanSquared.observed)} vs ${fmt(n.meanSquared.nullMean)} ± ${fmt(n.meanSquared.nullSd)} (p ${pValue(n.meanSquared.p, n.replicates)})` : '–');
  lines.push(`Mean squared similarity: ${ms(c.nullA)} under null A; ${ms(c.nullB)} under null B${c.nullC ? `; ${ms(c.nullC)} under null C` : ''}.`, '');
  lines.push(...nullCRow(r));
  lines.push(...figure(r, 'figures/null-histograms.svg'));
  return lines;
};

const clusters: Section = (r) => {
  const lines = ['## Families of prompts', ''];
  const cs = r.clusters;
  if (!cs) return [...lines, ...stageNote(r, 'cluster')];
  for (const note of cs.notes) lines.push(`> ${mdText(note)}`, '');
  const block = (title: string, key: 'semantic' | 'performance' | 'category', c: NonNullable<typeof cs.semantic>) => {
    lines.push(`### ${title}`, '', `k = ${c.k}; mean silhouette ${fmt(c.silhouette)}; stability across seeds (adjusted Rand index) ${fmt(c.stabilityAri)}.`, '');
    const { shown, rest } = clustersShown(c.clusters);
    lines.push(
      mdTable(
        ['cluster', 'prompts', 'label', 'a typical prompt'],
        shown.map((x) => [String(x.id), intCount(x.size), mdText(x.label, 60), x.examples[0] ? mdText(x.examples[0], 90) : '']),
        ['right', 'right', 'left', 'left'],
      ),
      '',
    );
    if (rest.clusters) lines.push(`The ${intCount(shown.length)} largest of ${intCount(c.clusters.length)} clusters; the other ${intCount(rest.clusters)} (${intCount(rest.prompts)} prompts) are in report.json (clusters.${key}.clusters).`, '');
  };
  if (cs.semantic) block('Semantic clusters (prompt embeddings)', 'semantic', cs.semantic);
  if (cs.performance) block('Performance clusters (which models get them right)', 'performance', cs.performance);
  if (cs.category) block('Given categories (metadata)', 'category', cs.category);
  lines.push(...figure(r, 'figures/family-similarity.svg'), ...figure(r, 'figures/cluster-sizes.svg'));
  return lines;
};

function clusterIntervalKind(rw: NonNullable<Report['reweighting']>): string {
  const ci = rw.clusterInference;
  if (!ci) return '';
  return ci.method === 'wild' ? `: wild cluster bootstrap-t over ${ci.clusters} clusters` : `: whole clusters resampled, ${ci.clusters} clusters`;
}

const reweighting: Section = (r) => {
  const lines = ['## Does the ranking depend on the prompt mix?', ''];
  const rw = r.reweighting;
  if (!rw) return [...lines, ...stageNote(r, 'reweight')];
  lines.push(
    `Each scheme is a different assumption about which prompts matter. Score intervals are 95% bootstrap intervals (${intCount(rw.bootstrap)} replicates; prompt bootstrap, and in brackets the cluster-robust interval${clusterIntervalKind(rw)}). ` +
      `Ranks carry ${pct(1 - rw.rankInference.alpha, 0)} confidence sets (${rw.rankInference.bootstrap} bootstrap): the marginal set covers that model's rank, the simultaneous one (in brackets) covers every model's rank at once. ` +
      `A rank change counts as beyond noise only as a controlled swap: a pair of models whose order changes and whose gap moves beyond noise on the paired bootstrap, with the family-wise error at ${pct(rw.rankInference.alpha, 0)} over all ${intCount(rw.rankInference.swapFamily)} model pairs × schemes.`,
    '',
  );
  const best = tauBestShown(r);
  const moreBest = rw.tauBest.length - best.length;
  if (rw.tauBest.length) lines.push(`**May be the best under the plain average** (${pct(1 - rw.rankInference.alpha, 0)} confidence set for the top model): ${best.map((x) => mdText(x)).join(', ')}${moreBest ? ` and ${intCount(moreBest)} more (all in report.json, reweighting.tauBest)` : ''}.`, '');
  const ci = rw.clusterInference;
  if (ci?.fewClusters)
    lines.push(
      `> **Cluster-robust intervals rest on few clusters:** only ${ci.clusters} ${ci.source === 'inference' ? `clusters (${ci.basis ?? 'inference partition'})` : `${ci.source} clusters`} are available for inference, so the cluster intervals (from a wild cluster bootstrap-t) are approximate.`,
      '',
    );
  lines.push(
    mdTable(
      ['scheme', 'Kendall τ_b vs uniform', 'τ_b between resamples: median [5th pct] (descriptive)', 'max |Δrank|', 'pairs reordered', 'controlled swaps', `top-${(rw as { overlapK?: number }).overlapK ?? 5} overlap`, 'effective prompts'],
      rw.schemes.map((s) => [
        mdText(s.name),
        fmt(s.kendallTau),
        `${fmt(s.noiseFloorTau)} [${fmt((s as { noiseFloorTauP05?: number | null }).noiseFloorTauP05 ?? null)}]`,
        fmt(s.maxAbsRankShift, 0),
        s.name === 'uniform' ? '' : intCount(s.pointSwaps),
        s.name === 'uniform' ? '' : intCount(s.significantSwaps),
        pct(s.top5Overlap, 0),
        fmt(s.effectiveSampleSize, 0),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
  );
  for (const sk of rw.skipped) lines.push(`- ${mdText(sk.name)}: skipped — ${mdText(sk.reason)}`);
  if (rw.skipped.length) lines.push('');
  lines.push(...figure(r, 'figures/rank-changes.svg'), ...figure(r, 'figures/rank-sets.svg'), ...figure(r, 'figures/score-intervals.svg'));
  const many = manyModels(r);
  const named = many ? namedModels(r) : new Set<string>();
  for (const s of rw.schemes) {
    lines.push(`### ${mdText(s.name)}`, '', mdText(s.description), '');
    if (s.name !== 'uniform') lines.push(...swapLines(s, rw.bootstrap));
    const rows = [...s.models].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
    const shown = shownIndices(rows.map((m) => m.model), named, many);
    const set = (x: [number, number] | null) => (x ? `${x[0]}–${x[1]}` : '–');
    lines.push(
      mdTable(
        ['model', 'score [95% CI]', '(cluster CI)', 'rank: set [simultaneous]', 'P(rank 1)', 'Δscore', 'Δrank', 'in a controlled swap'],
        withGaps(rows, shown, (m) => [
          mdText(m.model, 48),
          `${fmt(m.score)} [${fmt(m.ciLow)}, ${fmt(m.ciHigh)}]`,
          m.clusterCiLow === null ? '–' : `[${fmt(m.clusterCiLow)}, ${fmt(m.clusterCiHigh)}]`,
          `${fmt(m.rank, 0)}: ${set(m.rankSet.marginal)} [${set(m.rankSet.simultaneous)}]`,
          fmt(m.pRank1, 2),
          s.name === 'uniform' ? '' : signed(m.deltaScore),
          s.name === 'uniform' ? '' : signed(m.deltaRank, 0),
          s.name === 'uniform' || m.beyondNoise === null ? '' : m.beyondNoise ? 'yes' : 'no',
        ], gapRow(8)),
        ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
      ),
      '',
    );
    if (many) lines.push(omittedLine(shown.length, rows.length, `the ${ENDS_SHOWN} ranked highest under this scheme and the ${ENDS_SHOWN} ranked lowest`), '');
  }
  return lines;
};

/** A scheme's controlled swaps (and, when there are none, how close the nearest came). */
function swapLines(s: NonNullable<Report['reweighting']>['schemes'][number], B: number): string[] {
  const sig = s.swaps.filter((x) => x.significant);
  const listed = swapsShown(s);
  const row = (x: (typeof s.swaps)[number]) => [
    `${mdText(x.models[1], 40)} overtakes ${mdText(x.models[0], 40)}`,
    `${fmt(x.uniformRanks[1], 0)}→${fmt(x.ranks[1], 0)}, ${fmt(x.uniformRanks[0], 0)}→${fmt(x.ranks[0], 0)}`,
    pValue(x.p, B),
    pValue(x.pAdjusted, B),
    pValue(x.pOrder, B),
  ];
  const head = ['swap', 'ranks (uniform→scheme)', 'p', 'adjusted p', 'p of each order (pOrder)'];
  const align: ('left' | 'right')[] = ['left', 'left', 'right', 'right', 'right'];
  // Above 200 models report.json lists only the clearest swaps; significantSwaps counts them all.
  const total = s.significantSwaps ?? sig.length;
  const more = total > listed.length ? ['', `… and ${intCount(total - listed.length)} more (${sig.length < total ? `report.json lists the ${intCount(sig.length)} clearest` : 'see report.json'}).`] : [];
  if (total) return [`${intCount(total)} of ${intCount(s.pointSwaps)} reordered pair(s) are controlled swaps:`, '', mdTable(head, listed.map(row), align), ...more, ''];
  if (!s.pointSwaps) return ['No pair of models changes order.', ''];
  return [`${intCount(s.pointSwaps)} pair(s) change order, none beyond noise. The closest:`, '', mdTable(head, listed.map(row), align), ''];
}

const explanation: Section = (r) => {
  const e = r.explanation;
  const residual = e?.responseKind === 'residual-similarity';
  const lines = [residual ? '## What explains co-variation beyond model strength?' : '## What explains the co-variation?', ''];
  if (!e) return [...lines, ...stageNote(r, 'explain')];
  for (const note of e.notes) lines.push(`> ${mdText(note)}`, '');
  lines.push(
    `A regression over ${intCount(e.pairs.used)} prompt pairs${e.pairs.sampled ? ' (a seeded stratified sample, weighted to represent all pairs)' : ''} of ${mdText(e.response)} on semantic similarity, failure categories and difficulty. ` +
      `p-values come from ${intCount(e.permutations)} permutations of prompt labels (MRQAP), which respect that pairs share prompts; ordinary regression p-values would be wrong here.`,
    '',
    `R² = ${fmt(e.r2)}; partial R²: semantic ${fmt(e.partialR2.semantic)}, failure categories ${fmt(e.partialR2.failure)}, difficulty ${fmt(e.partialR2.difficulty)}. Mantel test (semantic similarity alone): ${mantelText(e)}.`,
    '',
  );
  lines.push(
    mdTable(
      ['predictor', 'block', 'coefficient', 'permutation p'],
      e.coefficients.map((c) => [mdText(c.name, 50), mdText(c.block), fmt(c.estimate, 4), pValue(c.p, e.permutations)]),
      ['left', 'left', 'right', 'right'],
    ),
    '',
  );
  if (residual && e.performanceSimilarity) lines.push(...secondaryRegression(e.performanceSimilarity, e.permutations));
  if (e.excessOverNullB) {
    lines.push(`For the similarity in excess of what model strength alone produces (null B expectation subtracted): R² = ${fmt(e.excessOverNullB.r2)}; partial R² semantic ${fmt(e.excessOverNullB.partialR2.semantic)}, failure ${fmt(e.excessOverNullB.partialR2.failure)}, difficulty ${fmt(e.excessOverNullB.partialR2.difficulty)}.`, '');
  }
  if (e.nearestNeighbours) {
    lines.push(`Semantic nearest neighbours have mean performance similarity ${fmt(e.nearestNeighbours.meanSimilarity)} against ${fmt(e.nearestNeighbours.randomMeanSimilarity)} for random pairs (permutation p ${pValue(e.nearestNeighbours.p, e.permutations)}).`, '');
  }
  lines.push(...figure(r, 'figures/similarity-vs-semantic.svg'));
  if (e.tags.length) {
    lines.push('### Failure categories and tags', '');
    lines.push(
      mdTable(
        ['tag', 'kind', 'prompts', 'share', 'mean accuracy', residual ? 'raw similarity within' : 'similarity within', residual ? 'raw similarity outside' : 'similarity outside'],
        e.tags.map((t) => [mdText(t.tag, 70), mdText(t.kind), intCount(t.count), pct(t.share), fmt(t.meanAccuracy), fmt(t.withinSimilarity), fmt(t.outsideSimilarity)]),
        ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
      ),
      '',
      `Thresholds: ${Object.entries(e.thresholds)
        .map(([k, v]) => `${mdText(k)} = ${Number.isInteger(v) ? String(v) : fmt(v, 2)}`)
        .join('; ')}.`,
      '',
    );
  }
  return lines;
};

/** With the residual (Q3) response, raw performance similarity's regression as a secondary table. */
function secondaryRegression(p: NonNullable<NonNullable<Report['explanation']>['performanceSimilarity']>, B: number): string[] {
  return [
    `### Raw ${mdText(p.response)} (secondary)`,
    '',
    `The same regression for raw similarity, which also carries model strength and prompt difficulty: R² = ${fmt(p.r2)}; partial R²: semantic ${fmt(p.partialR2.semantic)}, failure categories ${fmt(p.partialR2.failure)}, difficulty ${fmt(p.partialR2.difficulty)}; Mantel r = ${fmt(p.mantel.r)} (sampled pairs, p ${pValue(p.mantel.p, B)}).`,
    '',
    mdTable(['predictor', 'block', 'coefficient', 'permutation p'], p.coefficients.map((c) => [mdText(c.name, 50), mdText(c.block), fmt(c.estimate, 4), pValue(c.p, B)]), ['left', 'left', 'right', 'right']),
    '',
  ];
}

const methods: Section = (r) => ['## Methods', '', r.methods, ''];

const footer: Section = (r) => {
  const p = r.reproducibility;
  const lines = ['## Reproducibility', '', `covary ${mdText(p.covaryVersion)}, seed ${p.seed}, dataset hash \`${p.datasetHash.slice(0, 16)}\`.`, '', `Command: \`${p.commandLine.replace(/`/g, "'")}\``, ''];
  if (p.inputs.length) {
    lines.push(mdTable(['input', 'role', 'sha256'], p.inputs.map((i) => [mdText(i.path, 80), mdText(i.role), `\`${i.sha256}\``])), '');
  }
  return lines;
};

export function renderMarkdown(r: Report): string {
  const parts = [verdict, data, correlation, abilities, clusters, reweighting, explanation, methods, footer].flatMap((s) => s(r));
  return parts.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
