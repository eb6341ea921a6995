/** Which figures a report has, built from its sections (pure: sections in, SVG text out). */
import type { Report } from './schema.ts';
import { barFigure, clusterMatrixFigure, curveFigure, forestFigure, histogramFigure, rankChangeFigure, rankDensityFigure } from './svg/figures.ts';
import type { FamilyMatrix } from './family-matrix.ts';
import { rankSetFigure } from './svg/model-figures.ts';
import { irtFigures } from './build-irt-figures.ts';
import { biggestMovers, clustersShown, ENDS_SHOWN, MANY_CLUSTERS, manyModels, namedModels, omittedLabel, shownIndices, withGaps } from './at-scale.ts';
import { intCount } from './format.ts';

export interface FigureInputs {
  report: Omit<Report, 'figures' | 'methods' | 'verdict'>;
  /** Cluster × cluster mean performance similarity (family-matrix.ts), or why there is none. */
  family:
    | {
        matrix: FamilyMatrix;
        kind: string;
        metric: string;
        /** Clusters in all, when only the largest are in the matrix. */
        of?: number;
      }
    | { reason: string };
}

export type LeftOutFigure = {
  file: string;
  title: string;
  reason: string;
};

export interface BuiltFigure {
  file: string;
  title: string;
  caption: string;
  svg: string;
}

export const FAMILY_FIGURE = { file: 'figures/family-similarity.svg', title: 'Performance similarity between and within clusters of prompts' };

/** A stage's figure is absent: say why, from the stage's status. */
function stageReason(r: FigureInputs['report'], stage: string): string {
  const s = r.stages[stage];
  if (!s) return `the ${stage} stage has not been run`;
  if (s.status === 'skipped') return `the ${stage} stage was skipped: ${s.reason ?? 'no reason given'}`;
  if (s.status === 'ok') return `the ${stage} stage has no data for it`;
  return `the ${stage} stage result is unavailable (${s.reason ?? s.status})`;
}

/** Each model's row (the first, should a name repeat), by name: lookups stay linear in the number of models. */
function firstByModel<T extends { model: string }>(rows: readonly T[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const m of rows) if (!out.has(m.model)) out.set(m.model, m);
  return out;
}

export function buildFigures({ report: r, family }: FigureInputs): { figures: BuiltFigure[]; leftOut: LeftOutFigure[] } {
  const out: BuiltFigure[] = [];
  const leftOut: LeftOutFigure[] = [];
  const c = r.correlation;
  if (!c?.histogram) leftOut.push({ file: 'figures/null-histograms.svg', title: 'Pairwise performance similarity: observed vs null models', reason: stageReason(r, 'correlate') });
  if (c?.histogram) {
    const h = c.histogram;
    const width = h.edges[1] - h.edges[0];
    const dens = (xs: (number | null)[] | null) => (xs ?? []).map((v) => (v ?? 0) / width);
    const series = [{ label: 'observed prompt pairs', values: dens(h.observed) }];
    if (h.nullA) series.push({ label: 'null A (shuffled)', values: dens(h.nullA), line: true } as (typeof series)[number]);
    if (h.nullB) series.push({ label: 'null B (ability-preserving)', values: dens(h.nullB), line: true } as (typeof series)[number]);
    const markers = [] as { x: number; label: string; color?: string }[];
    if (c.meanSimilarity !== null) markers.push({ x: c.meanSimilarity, label: `observed mean ${c.meanSimilarity.toFixed(3)}`, color: '#000' });
    if (c.nullB.nullMean !== null) markers.push({ x: c.nullB.nullMean, label: `null B mean ${c.nullB.nullMean.toFixed(3)}`, color: '#2ca02c' });
    out.push({
      file: 'figures/null-histograms.svg',
      title: 'Pairwise performance similarity: observed vs null models',
      caption: `Distribution of ${c.metric} similarity over ${c.pairs.exact ? 'all' : 'sampled'} prompt pairs, against the pooled pairs of ${c.nullA.replicates} null-A and ${c.nullB.replicates} null-B replicates.`,
      svg: histogramFigure({ title: 'Pairwise performance similarity: observed vs null models', xLabel: `${c.metric} similarity of two prompts`, yLabel: 'density', edges: h.edges, series, markers }),
    });
  }
  if ('reason' in family) leftOut.push({ ...FAMILY_FIGURE, reason: family.reason });
  else {
    const fm = family.matrix;
    const kinds = family.kind === 'category' ? 'categories' : `${family.kind}s`;
    out.push({
      ...FAMILY_FIGURE,
      caption:
        `Mean ${family.metric} similarity of two prompts from the row and column ${kinds} (diagonal: two different prompts of the same ${family.kind}); ` +
        `${kinds} ordered by average-linkage hierarchical clustering of this matrix, prompt counts in brackets and under the columns. ` +
        `Red blocks along the diagonal = families of prompts that models succeed and fail on together.${fm.sampled ? ' Large cells are estimated from random prompt pairs.' : ''}` +
        (family.of ? ` Only the ${MANY_CLUSTERS} largest of the ${intCount(family.of)} ${kinds} are shown.` : ''),
      svg: clusterMatrixFigure({ title: FAMILY_FIGURE.title, clusters: fm.clusters, values: fm.values, axisLabel: `prompts per ${family.kind} (same order as the rows)`, colorLabel: `mean ${family.metric}` }),
    });
  }
  const irt = irtFigures(r);
  out.push(...irt.figures);
  leftOut.push(...irt.leftOut);
  const cs = r.clusters;
  const sizeSource = cs?.semantic ?? cs?.category ?? cs?.performance ?? null;
  if (sizeSource) {
    const kind = cs?.semantic ? 'semantic clusters' : cs?.category ? 'given categories' : 'performance clusters';
    const { shown, rest } = clustersShown(sizeSource.clusters);
    out.push({
      file: 'figures/cluster-sizes.svg',
      title: `Prompts per cluster (${kind})`,
      caption: `How many prompts each of the ${sizeSource.k} ${kind} holds: an uneven bar chart is what makes a plain average depend on the mix.${rest.clusters ? ` The ${shown.length} largest are drawn; the other ${intCount(rest.clusters)} hold ${intCount(rest.prompts)} prompts.` : ''}`,
      svg: barFigure({ title: `Prompts per cluster (${kind})`, xLabel: 'prompts', bars: [...shown].sort((a, b) => b.size - a.size).map((x) => ({ label: `${x.id}: ${x.label}`, value: x.size })) }),
    });
  } else leftOut.push({ file: 'figures/cluster-sizes.svg', title: 'Prompts per cluster', reason: stageReason(r, 'cluster') });
  const rw = r.reweighting;
  const rwReason = !rw ? stageReason(r, 'reweight') : rw.schemes.length < 2 ? 'only one weighting scheme: no rank change to show' : null;
  if (rwReason) {
    leftOut.push({ file: 'figures/rank-changes.svg', title: 'Model rank under each weighting scheme', reason: rwReason });
    leftOut.push({ file: 'figures/score-intervals.svg', title: 'Scores with 95% bootstrap intervals', reason: rwReason });
  }
  // With many models the per-model figures show the ends of the ranking and the named models (models.csv has them all).
  const many = manyModels(r);
  const named = many ? namedModels(r) : new Set<string>();
  const manyNote = (top: string, bottom: string) => ` With ${intCount(r.benchmark.models)} models: the ${ENDS_SHOWN} ${top}, the ${ENDS_SHOWN} ${bottom} and those this report names, with “…” where models are left out (every model is in models.csv).`;
  if (rw && rw.schemes.length > 1) {
    const uni = rw.schemes.find((s) => s.name === 'uniform') ?? rw.schemes[0];
    const models = uni.models.map((m) => m.model);
    const rowsOf = rw.schemes.map((s) => firstByModel(s.models));
    const highlight = biggestMovers(rw);
    if (!many) {
      const marked = new Set(highlight);
      out.push({
        file: 'figures/rank-changes.svg',
        title: 'Model rank under each weighting scheme',
        caption: 'One line per model; coloured lines are the models whose rank moves most (moves beyond resampling noise first).',
        svg: rankChangeFigure({ title: 'Model rank under each weighting scheme', schemes: rw.schemes.map((s) => s.name), models: models.map((mdl) => ({ label: mdl, ranks: rowsOf.map((rows) => rows.get(mdl)?.rank ?? NaN), highlight: marked.has(mdl) })) }),
      });
    } else {
      // A line per model would be thousands of lines: bin the models instead, and name the few that move most.
      const uniRows = rowsOf[rw.schemes.indexOf(uni)];
      const panels = rw.schemes.flatMap((s, j) => (s === uni ? [] : [{ s, rows: rowsOf[j] }]));
      const pair = (rows: Map<string, { rank: number | null }>, mdl: string): [number, number] | null => {
        const a = uniRows.get(mdl)?.rank;
        const b = rows.get(mdl)?.rank;
        return a === null || a === undefined || b === null || b === undefined ? null : [a, b];
      };
      out.push({
        file: 'figures/rank-changes.svg',
        title: 'Model rank under each weighting scheme',
        caption:
          `With ${intCount(r.benchmark.models)} models, one panel per scheme: models binned by their rank under ${uni.name} weighting (across) and under the scheme (down); darker cells hold more models, and cells on the dashed diagonal keep their rank. ` +
          `The coloured points are the ${highlight.length} models whose rank moves most (moves beyond resampling noise first), named under the panels; every model's ranks are in models.csv.`,
        svg: rankDensityFigure({
          title: 'Model rank under each weighting scheme',
          reference: uni.name,
          n: Math.max(...rw.schemes.map((s) => s.models.length)),
          panels: panels.map(({ s, rows }) => ({ name: s.name, ranks: models.flatMap((mdl) => { const p = pair(rows, mdl); return p ? [p] : []; }) })),
          highlights: highlight.map((mdl) => {
            const ranks = panels.map(({ rows }) => pair(rows, mdl));
            // Named with its largest move, so the legend says what the point shows.
            const shifts = ranks.map((p) => (p ? Math.abs(p[1] - p[0]) : -1));
            const j = shifts.indexOf(Math.max(...shifts));
            const p = ranks[j];
            return { label: mdl, note: p ? `: ${p[0]} → ${p[1]} under ${panels[j].s.name}` : '', ranks };
          }),
        }),
      });
    }
    const others = rw.schemes.filter((s) => s !== uni).sort((a, b) => (a.kendallTau ?? 1) - (b.kendallTau ?? 1) || a.name.localeCompare(b.name)).slice(0, 3);
    const shown = [uni, ...others];
    const order = [...uni.models].sort((a, b) => (b.score ?? -1) - (a.score ?? -1)).map((m) => m.model);
    const rowLabels = withGaps(order, shownIndices(order, named, many), (mdl) => mdl, omittedLabel);
    out.push({
      file: 'figures/score-intervals.svg',
      title: 'Scores with 95% bootstrap intervals',
      caption: `Uniform weighting and the ${others.length} schemes whose ranking differs most from it; models ordered by uniform score.${many ? manyNote('with the highest uniform score', 'with the lowest') : ''}`,
      svg: forestFigure({
        title: 'Scores with 95% bootstrap intervals',
        xLabel: 'weighted score',
        rows: rowLabels,
        series: shown.map((s) => {
          const rows = rowsOf[rw.schemes.indexOf(s)];
          return { label: s.name, points: rowLabels.map((mdl) => { const m = rows.get(mdl); return { value: m?.score ?? NaN, low: m?.ciLow ?? NaN, high: m?.ciHigh ?? NaN }; }) };
        }),
      }),
    });
  }
  const RANK_SETS = { file: 'figures/rank-sets.svg', title: 'Rank confidence sets under each weighting scheme' };
  const withSets = (rw?.schemes ?? []).map((s) => ({
    name: s.name,
    models: s.models.flatMap((m) => (m.rank !== null && m.rankSet?.marginal && m.rankSet.simultaneous ? [{ label: m.model, rank: m.rank, marginal: m.rankSet.marginal, simultaneous: m.rankSet.simultaneous }] : [])),
  })).filter((s) => s.models.length > 1);
  if (!rw) leftOut.push({ ...RANK_SETS, reason: stageReason(r, 'reweight') });
  else if (!withSets.length) leftOut.push({ ...RANK_SETS, reason: 'no scheme has rank confidence sets for two or more models' });
  else {
    const order = [...withSets[0].models].sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label)).map((m) => m.label);
    out.push({
      ...RANK_SETS,
      caption: `95% confidence sets for the rank of each model (Mogstad, Romano, Shaikh and Wilhelm 2024): the light bar covers the ranks of all models at once (simultaneous), the dark line the rank of this model alone (marginal); one panel per scheme, models ordered by rank under ${withSets[0].name}.${many ? manyNote(`ranked highest under ${withSets[0].name}`, 'ranked lowest') : ''}`,
      svg: rankSetFigure({ title: RANK_SETS.title, schemes: withSets, ...(many ? { rows: withGaps(order, shownIndices(order, named, many), (mdl) => mdl, omittedLabel) } : {}) }),
    });
  }
  const e = r.explanation;
  if (!e) leftOut.push({ file: 'figures/similarity-vs-semantic.svg', title: 'Performance similarity against semantic similarity', reason: stageReason(r, 'explain') });
  else if (!e.semanticDeciles.length) leftOut.push({ file: 'figures/similarity-vs-semantic.svg', title: 'Performance similarity against semantic similarity', reason: r.benchmark.promptsWithText === 0 ? 'no semantic similarity of prompts: the benchmark has no prompt text' : `no semantic similarity of prompts: ${r.stages.embed?.status === 'ok' ? 'the explanation has no eligible semantic pairs' : stageReason(r, 'embed')}` });
  if (e && e.semanticDeciles.length) {
    const pts = e.semanticDeciles.map((d) => ({ x: ((d.semanticLow ?? 0) + (d.semanticHigh ?? 0)) / 2, y: d.meanSimilarity ?? NaN }));
    const ex = e.semanticDeciles.map((d) => ({ x: ((d.semanticLow ?? 0) + (d.semanticHigh ?? 0)) / 2, y: (d as { meanExcess?: number | null }).meanExcess ?? NaN }));
    const series: Parameters<typeof curveFigure>[0]['series'] = [{ label: 'mean performance similarity', points: pts }];
    if (ex.some((p) => Number.isFinite(p.y))) series.push({ label: 'excess over null B', points: ex, dashed: true });
    const q3 = e.semanticDeciles.map((d) => ({ x: ((d.semanticLow ?? 0) + (d.semanticHigh ?? 0)) / 2, y: (d as { meanResidual?: number | null }).meanResidual ?? NaN }));
    const withQ3 = q3.some((p) => Number.isFinite(p.y));
    if (withQ3) series.push({ label: 'residual similarity (Q3, beyond one ability axis)', points: q3 });
    out.push({
      file: 'figures/similarity-vs-semantic.svg',
      title: 'Performance similarity against semantic similarity',
      caption: `Prompt pairs binned by deciles of the cosine similarity of their embeddings; a rising curve means similar prompts are solved by the same models.${withQ3 ? ' The residual curve is the same after removing one ability axis: a rise there is co-variation beyond model strength.' : ''}`,
      svg: curveFigure({
        title: 'Performance similarity against semantic similarity',
        xLabel: 'semantic cosine similarity (decile midpoint)',
        yLabel: withQ3 ? 'mean similarity' : 'mean performance similarity',
        series,
        hlines: e.nearestNeighbours?.randomMeanSimilarity !== null && e.nearestNeighbours ? [{ y: e.nearestNeighbours.randomMeanSimilarity as number, label: 'all pairs (mean)' }] : [],
      }),
    });
  }
  return { figures: out, leftOut };
}
