/**
 * Figures for the IRT and rank-confidence work, as generic renderers of plain arrays (the stages'
 * results are wired to them in build-figures.ts once those stages exist): held-out loss against the
 * number of ability dimensions, rank confidence sets per model and scheme, and the top residual
 * co-variation groups. Each is a pure function of its numbers → SVG text.
 */
import { truncate, xmlText } from '../escape.ts';
import { curveFigure } from './figures.ts';
import { FONT, PALETTE, axes, frame, linearScale, plotAreaMarker, r2, rankTicks, svgDoc, textWidth, tickLabel } from './frame.ts';

export interface LossByDimensionFigure {
  title: string;
  /** Held-out loss (e.g. mean negative log-likelihood per held-out cell) of the k-dimensional model. */
  points: { k: number; loss: number; se: number }[];
  /** Reference models drawn as horizontal lines (e.g. the additive model and the one-dimensional 2PL). */
  references: { label: string; loss: number; se?: number }[];
  lossLabel: string;
}

/** Held-out loss ± SE against k, with reference models as dashed lines; the best k is named. */
export function lossByDimensionFigure(l: LossByDimensionFigure): string {
  const pts = l.points.filter((p) => Number.isFinite(p.k) && Number.isFinite(p.loss)).sort((a, b) => a.k - b.k);
  const best = pts.reduce<(typeof pts)[number] | null>((b, p) => (b === null || p.loss < b.loss ? p : b), null);
  const fmt = (v: number) => Number(v.toPrecision(4)).toString();
  return curveFigure({
    title: l.title,
    xLabel: 'ability dimensions k',
    yLabel: l.lossLabel,
    xIntegers: true,
    yFromZero: false,
    series: [{ label: best ? `k-dimensional model (lowest at k = ${best.k})` : 'k-dimensional model', points: pts.map((p) => ({ x: p.k, y: p.loss, low: p.loss - p.se, high: p.loss + p.se })) }],
    hlines: l.references.filter((r) => Number.isFinite(r.loss)).map((r, i) => ({ y: r.loss, label: `${r.label}: ${fmt(r.loss)}${r.se !== undefined && Number.isFinite(r.se) ? ` ± ${Number(r.se.toPrecision(2))}` : ''}`, color: ['#555', '#d62728', '#2ca02c'][i % 3] })),
  });
}

export interface RankSetModel {
  label: string;
  /** Point estimate of the rank (1 = best). */
  rank: number;
  /** Marginal confidence interval for this model's rank. */
  marginal: [number, number];
  /** Simultaneous confidence set (all models at once). */
  simultaneous: [number, number];
}

export interface RankSetFigure {
  title: string;
  /** One panel per scheme (uniform first); models are matched by label across panels. */
  schemes: { name: string; models: RankSetModel[] }[];
  /**
   * The rows to draw, in order (default: every model, by rank under the first scheme); a row
   * whose label is no model's (e.g. "… 120 models", where models are left out) has no marks.
   */
  rows?: string[];
}

/**
 * Rank confidence sets: one row per model (ordered by the first scheme's rank), one panel per
 * scheme; a light thick bar = simultaneous set, a dark thin bar = marginal interval, dot = rank.
 */
export function rankSetFigure(rs: RankSetFigure): string {
  const first = rs.schemes[0]?.models ?? [];
  const rows = rs.rows ?? [...first].sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label)).map((m) => m.label);
  const nModels = Math.max(1, ...rs.schemes.map((s) => s.models.length));
  const rowH = 14;
  const labelW = Math.min(240, 16 + Math.max(40, ...rows.map((r) => textWidth(truncate(r, 36), 10))));
  const panelW = 200;
  const gap = 24;
  const top = 84;
  const width = Math.max(labelW + rs.schemes.length * (panelW + gap) + 16, textWidth(rs.title, 15) * 1.12 + 40);
  const f = frame(width, top + rows.length * rowH + 60, { left: labelW, right: 16, top, bottom: 60 });
  const T = f.margin.top;
  const x = linearScale([1, nModels], [0, panelW], false, 0.04);
  const ticks = rankTicks(nModels, x);
  const body: string[] = [`<g ${FONT} font-size="10" fill="#333">`];
  rows.forEach((label, i) => body.push(`<text x="${r2(labelW - 6)}" y="${r2(T + i * rowH + rowH / 2 + 3.5)}" text-anchor="end">${xmlText(truncate(label, 36))}</text>`));
  body.push('</g>');
  // Legend above the panels.
  body.push(
    `<g ${FONT} font-size="11" fill="#222"><rect x="${r2(labelW)}" y="38" width="22" height="8" fill="#9ecae1"/><text x="${r2(labelW + 28)}" y="46">simultaneous confidence set</text>` +
      `<line x1="${r2(labelW + 220)}" x2="${r2(labelW + 242)}" y1="42" y2="42" stroke="#08519c" stroke-width="2"/><text x="${r2(labelW + 248)}" y="46">marginal interval</text>` +
      `<circle cx="${r2(labelW + 366)}" cy="42" r="3" fill="#08519c"/><text x="${r2(labelW + 374)}" y="46">rank</text></g>`,
  );
  rs.schemes.forEach((s, si) => {
    const L = labelW + si * (panelW + gap);
    const byLabel = new Map(s.models.map((m) => [m.label, m]));
    body.push(plotAreaMarker(L, T, panelW, rows.length * rowH));
    body.push(`<text x="${r2(L + panelW / 2)}" y="${r2(T - 10)}" text-anchor="middle" ${FONT} font-size="11" font-weight="bold" fill="#222">${xmlText(truncate(s.name, 30))}</text>`);
    const g: string[] = [];
    for (const t of ticks) g.push(`<line x1="${r2(L + x(t))}" x2="${r2(L + x(t))}" y1="${r2(T)}" y2="${r2(T + rows.length * rowH)}" stroke="#eee"/>`);
    body.push(g.join(''));
    const marks: string[] = [];
    rows.forEach((label, i) => {
      const m = byLabel.get(label);
      if (!m || !Number.isFinite(m.rank)) return;
      const yy = T + i * rowH + rowH / 2;
      const [s0, s1] = m.simultaneous;
      const [m0, m1] = m.marginal;
      if (Number.isFinite(s0) && Number.isFinite(s1)) marks.push(`<rect x="${r2(L + x(s0))}" y="${r2(yy - 4)}" width="${r2(Math.max(1, x(s1) - x(s0)))}" height="8" fill="#9ecae1"/>`);
      if (Number.isFinite(m0) && Number.isFinite(m1)) marks.push(`<line x1="${r2(L + x(m0))}" x2="${r2(L + x(Math.max(m0, m1)))}" y1="${r2(yy)}" y2="${r2(yy)}" stroke="#08519c" stroke-width="2"/>`);
      marks.push(`<circle cx="${r2(L + x(m.rank))}" cy="${r2(yy)}" r="3" fill="#08519c"/>`);
    });
    body.push(`<g data-role="marks">${marks.join('')}</g>`);
    const axisY = T + rows.length * rowH;
    const a: string[] = [`<g ${FONT} font-size="10" fill="#333"><line x1="${r2(L)}" x2="${r2(L + panelW)}" y1="${r2(axisY)}" y2="${r2(axisY)}" stroke="#333"/>`];
    for (const t of ticks) a.push(`<line x1="${r2(L + x(t))}" x2="${r2(L + x(t))}" y1="${r2(axisY)}" y2="${r2(axisY + 4)}" stroke="#333"/><text x="${r2(L + x(t))}" y="${r2(axisY + 16)}" text-anchor="middle">${tickLabel(t)}</text>`);
    a.push('</g>');
    body.push(...a);
  });
  body.push(`<text x="${r2(labelW + (rs.schemes.length * (panelW + gap) - gap) / 2)}" y="${r2(f.height - 14)}" text-anchor="middle" ${FONT} font-size="12">rank (1 = best)</text>`);
  return svgDoc(f, rs.title, body);
}

export interface ResidualGroupsFigure {
  title: string;
  /** Groups of prompts whose residuals co-vary, strongest first. */
  groups: { label: string; size: number; within: number }[];
  /** Mean residual similarity over all prompt pairs (the reference line). */
  overall: number;
  valueLabel: string;
}

/** Horizontal bars: mean within-group residual similarity per group (label with size), a line at the overall mean. */
export function residualGroupsFigure(g: ResidualGroupsFigure): string {
  const rowH = 18;
  const labels = g.groups.map((x) => `${truncate(x.label, 44)} (${x.size})`);
  const labelW = Math.min(320, 16 + Math.max(60, ...labels.map((l) => textWidth(l, 10))));
  const f = frame(Math.max(720, labelW + 420), g.groups.length * rowH + 48 + 56 + 20, { left: labelW, right: 60, top: 48 + 20 });
  const vals = [...g.groups.map((x) => x.within), g.overall, 0].filter(Number.isFinite);
  const x = linearScale([Math.min(...vals), Math.max(...vals)], [0, f.pw]);
  const body = axes(f, x, null, g.valueLabel, '', { grid: false });
  const L = f.margin.left;
  const T = f.margin.top;
  body.push(plotAreaMarker(L, T, f.pw, f.ph));
  const bars: string[] = [];
  const text: string[] = [];
  g.groups.forEach((grp, i) => {
    const yy = T + i * rowH + 3;
    text.push(`<text x="${r2(L - 6)}" y="${r2(yy + rowH / 2)}" text-anchor="end">${xmlText(labels[i])}</text>`);
    if (!Number.isFinite(grp.within)) return;
    const x0 = x(Math.min(0, grp.within));
    const x1 = x(Math.max(0, grp.within));
    bars.push(`<rect x="${r2(L + x0)}" y="${r2(yy)}" width="${r2(Math.max(0.5, x1 - x0))}" height="${rowH - 6}" fill="${PALETTE[1]}" fill-opacity="0.75"/>`);
    text.push(`<text x="${r2(L + x1 + 4)}" y="${r2(yy + rowH / 2)}">${xmlText(tickLabel(grp.within))}</text>`);
  });
  body.push(`<g data-role="marks">${bars.join('')}</g>`);
  body.push(`<g ${FONT} font-size="10" fill="#333">${text.join('')}</g>`);
  if (Number.isFinite(g.overall)) {
    const xo = L + x(g.overall);
    body.push(`<line x1="${r2(xo)}" x2="${r2(xo)}" y1="${r2(T)}" y2="${r2(T + f.ph)}" stroke="#333" stroke-dasharray="5 3"/>`);
    body.push(`<text x="${r2(xo)}" y="${r2(T - 6)}" text-anchor="middle" ${FONT} font-size="10" fill="#333">all pairs ${xmlText(tickLabel(g.overall))}</text>`);
  }
  return svgDoc(f, g.title, body);
}
