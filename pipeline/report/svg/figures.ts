/** The report's figures, each a pure function of plain numbers → SVG text. */
import { truncate, xmlText } from '../escape.ts';
import { PALETTE, FONT, axes, frame, legend, linearScale, plotAreaMarker, r2, rankTicks, spreadLabels, svgDoc, textWidth, tickLabel, type LegendEntry } from './frame.ts';

export interface HistogramSeries {
  label: string;
  /** Density per bin (integrates to 1 over the edges), or counts; drawn as given. */
  values: number[];
  color?: string;
  /** Drawn as a step line instead of filled bars. */
  line?: boolean;
}

export interface HistogramFigure {
  title: string;
  xLabel: string;
  yLabel: string;
  edges: number[];
  series: HistogramSeries[];
  /** Vertical reference lines (e.g. observed mean). */
  markers?: { x: number; label: string; color?: string }[];
}

export function histogramFigure(h: HistogramFigure): string {
  const f = frame(640, 380);
  const maxY = Math.max(1e-12, ...h.series.flatMap((s) => s.values.filter(Number.isFinite)));
  const x = linearScale([h.edges[0], h.edges[h.edges.length - 1]], [0, f.pw], false);
  // Headroom above the data for the legend box in the top-right corner.
  const y = linearScale([0, maxY * (1.1 + 0.09 * (h.series.length + (h.markers?.length ?? 0)))], [f.ph, 0]);
  const body = axes(f, x, y, h.xLabel, h.yLabel);
  const L = f.margin.left;
  const T = f.margin.top;
  body.push(plotAreaMarker(L, T, f.pw, f.ph));
  const entries: LegendEntry[] = [];
  h.series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length];
    if (s.line) {
      let d = '';
      s.values.forEach((v, b) => {
        const x0 = L + x(h.edges[b]);
        const x1 = L + x(h.edges[b + 1]);
        const yy = T + y(Number.isFinite(v) ? v : 0);
        d += `${d ? 'L' : 'M'}${r2(x0)} ${r2(yy)} L${r2(x1)} ${r2(yy)} `;
      });
      body.push(`<path data-role="mark" d="${d.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`);
      entries.push({ label: s.label, color, kind: 'line' });
    } else {
      const bars = s.values.map((v, b) => {
        const x0 = L + x(h.edges[b]);
        const x1 = L + x(h.edges[b + 1]);
        const yy = T + y(Number.isFinite(v) ? v : 0);
        return `<rect x="${r2(x0)}" y="${r2(yy)}" width="${r2(Math.max(0, x1 - x0 - 0.5))}" height="${r2(T + f.ph - yy)}"/>`;
      });
      body.push(`<g data-role="marks" fill="${color}" fill-opacity="0.55">${bars.join('')}</g>`);
      entries.push({ label: s.label, color });
    }
  });
  for (const [i, m] of (h.markers ?? []).entries()) {
    const color = m.color ?? '#000';
    const xx = L + x(m.x);
    body.push(`<line x1="${r2(xx)}" x2="${r2(xx)}" y1="${T}" y2="${r2(T + f.ph)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 3"/>`);
    entries.push({ label: m.label, color, kind: 'line', dashed: true });
    void i;
  }
  body.push(...legend(f, entries));
  return svgDoc(f, h.title, body);
}

export interface ClusterMatrixFigure {
  title: string;
  /** Clusters in display order, with their prompt counts. */
  clusters: { label: string; size: number }[];
  /** k × k values (row-major, display order); NaN = undefined. */
  values: ArrayLike<number>;
  axisLabel: string;
  colorLabel: string;
}

/** Blue (negative) – white – red (positive), for t in [−1, 1]. */
function diverging(t: number): string {
  if (!Number.isFinite(t)) return '#f0f0f0';
  const v = Math.max(-1, Math.min(1, t));
  const [r, g, b] = v >= 0 ? [255, Math.round(255 * (1 - v * 0.85)), Math.round(255 * (1 - v * 0.85))] : [Math.round(255 * (1 + v * 0.85)), Math.round(255 * (1 + v * 0.6)), 255];
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A cluster × cluster matrix (mean similarity between the prompts of two clusters), rows labelled
 * with cluster and prompt count, columns with the count; the colour scale spans ± the largest
 * absolute value, so weak but real structure is visible; values are printed when cells are large.
 */
export function clusterMatrixFigure(h: ClusterMatrixFigure): string {
  const k = h.clusters.length;
  const labelFont = 10;
  const rowLabels = h.clusters.map((c) => `${truncate(c.label, 30)} (${c.size})`);
  const left = Math.min(280, 16 + Math.max(...rowLabels.map((l) => textWidth(l, labelFont))));
  const cell = Math.max(8, Math.min(34, 520 / Math.max(1, k)));
  const side = cell * k;
  // Wide enough for the (bold) title even when there are few clusters.
  const width = Math.max(left + side + 110, textWidth(h.title, 15) * 1.12 + 40);
  const f = frame(width, 48 + side + 74, { left, right: width - left - side, bottom: 74, top: 48 });
  const L = f.margin.left;
  const T = f.margin.top;
  const finite = Array.from(h.values).filter(Number.isFinite);
  const maxAbs = Math.max(1e-6, ...finite.map(Math.abs));
  const ticks = linearScale([0, maxAbs], [0, 1]).ticks;
  const M = ticks[ticks.length - 1] >= maxAbs ? ticks[ticks.length - 1] : maxAbs;
  const body = [plotAreaMarker(L, T, side, side)];
  const rects: string[] = [];
  const numbers: string[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = h.values[i * k + j];
      rects.push(`<rect x="${r2(L + j * cell)}" y="${r2(T + i * cell)}" width="${r2(cell)}" height="${r2(cell)}" fill="${diverging(v / M)}"/>`);
      if (cell >= 28 && Number.isFinite(v)) numbers.push(`<text x="${r2(L + (j + 0.5) * cell)}" y="${r2(T + (i + 0.5) * cell + 3)}" text-anchor="middle" fill="${Math.abs(v / M) > 0.6 ? '#fff' : '#333'}">${xmlText(v.toFixed(2))}</text>`);
    }
  }
  body.push(`<g data-role="marks" shape-rendering="crispEdges">${rects.join('')}</g>`);
  if (numbers.length) body.push(`<g ${FONT} font-size="8.5">${numbers.join('')}</g>`);
  body.push(`<rect x="${r2(L)}" y="${r2(T)}" width="${r2(side)}" height="${r2(side)}" fill="none" stroke="#333"/>`);
  const font = Math.min(labelFont, cell / 1.25);
  body.push(`<g ${FONT} font-size="${r2(font)}" fill="#333">`);
  rowLabels.forEach((label, i) => body.push(`<text x="${r2(L - 5)}" y="${r2(T + (i + 0.5) * cell + font * 0.35)}" text-anchor="end">${xmlText(label)}</text>`));
  // Column labels: the prompt count, written upwards under each column.
  h.clusters.forEach((c, j) => body.push(`<text transform="translate(${r2(L + (j + 0.5) * cell + font * 0.35)} ${r2(T + side + 5)}) rotate(-90)" text-anchor="end">${c.size}</text>`));
  body.push('</g>');
  body.push(`<text x="${r2(L + side / 2)}" y="${r2(T + side + 52)}" text-anchor="middle" ${FONT} font-size="12">${xmlText(h.axisLabel)}</text>`);
  // Colour bar from +M (top) to −M (bottom).
  const bx = L + side + 24;
  const stops = 40;
  const bh = Math.max(120, side * 0.6);
  const bar: string[] = [];
  for (let s = 0; s < stops; s++) bar.push(`<rect x="${r2(bx)}" y="${r2(T + (s * bh) / stops)}" width="14" height="${r2(bh / stops + 0.5)}" fill="${diverging(1 - (2 * s) / (stops - 1))}"/>`);
  body.push(`<g shape-rendering="crispEdges">${bar.join('')}</g>`);
  body.push(`<g ${FONT} font-size="10" fill="#333"><text x="${r2(bx + 18)}" y="${r2(T + 8)}">+${xmlText(tickLabel(M))}</text><text x="${r2(bx + 18)}" y="${r2(T + bh / 2 + 4)}">0</text><text x="${r2(bx + 18)}" y="${r2(T + bh)}">−${xmlText(tickLabel(M))}</text>`);
  body.push(`<text x="${r2(bx)}" y="${r2(T + bh + 16)}">${xmlText(truncate(h.colorLabel, 16))}</text></g>`);
  return svgDoc(f, h.title, body);
}

export interface RankChangeFigure {
  title: string;
  schemes: string[];
  /** ranks[model][scheme], 1 = best; NaN where absent. */
  models: { label: string; ranks: number[]; highlight?: boolean }[];
}

/** A bump chart: one line per model across schemes; the biggest movers are coloured. */
export function rankChangeFigure(r: RankChangeFigure): string {
  const nModels = r.models.length;
  const f = frame(Math.max(520, 110 * r.schemes.length + 230), Math.max(320, 16 * nModels + 120), { left: 48, right: 190, bottom: 80 });
  const x = (s: number) => f.margin.left + (r.schemes.length === 1 ? f.pw / 2 : (s / (r.schemes.length - 1)) * f.pw);
  const y = (rank: number) => f.margin.top + ((rank - 1) / Math.max(1, nModels - 1)) * f.ph;
  const body: string[] = [`<g ${FONT} font-size="11" fill="#333">`];
  r.schemes.forEach((s, i) => {
    body.push(`<line x1="${r2(x(i))}" x2="${r2(x(i))}" y1="${f.margin.top}" y2="${r2(f.margin.top + f.ph)}" stroke="#e5e5e5"/>`);
    body.push(`<text x="${r2(x(i))}" y="${r2(f.margin.top + f.ph + 18 + (i % 2) * 14)}" text-anchor="middle">${xmlText(s)}</text>`);
  });
  for (const t of [1, ...[5, 10, 20, 30, 50, 100].filter((v) => v <= nModels)]) {
    body.push(`<text x="${r2(f.margin.left - 10)}" y="${r2(y(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  body.push(`<text transform="translate(14 ${r2(f.margin.top + f.ph / 2)}) rotate(-90)" text-anchor="middle" font-size="12">rank (1 = best)</text>`);
  body.push(`<text x="${r2(f.margin.left + f.pw / 2)}" y="${r2(f.height - 10)}" text-anchor="middle" font-size="12">weighting scheme</text>`);
  body.push('</g>');
  body.push(plotAreaMarker(f.margin.left - 4, f.margin.top - 4, f.pw + 8, f.ph + 8));
  const ends: { label: string; y: number; col: string }[] = [];
  let colour = 0;
  const ordered = [...r.models].sort((a, b) => Number(Boolean(a.highlight)) - Number(Boolean(b.highlight)));
  for (const m of ordered) {
    const col = m.highlight ? PALETTE[colour++ % PALETTE.length] : '#c8c8c8';
    const pts = m.ranks.map((rk, i) => (Number.isFinite(rk) ? `${r2(x(i))},${r2(y(rk))}` : null)).filter((p): p is string => p !== null);
    body.push(`<polyline data-role="mark" points="${pts.join(' ')}" fill="none" stroke="${col}" stroke-width="${m.highlight ? 2.2 : 1}"/>`);
    for (const p of pts) body.push(`<circle data-role="mark" cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="${m.highlight ? 3 : 2}" fill="${col}"/>`);
    const last = m.ranks[m.ranks.length - 1];
    if (m.highlight && Number.isFinite(last)) ends.push({ label: m.label, y: y(last), col });
  }
  // End labels of the coloured lines, spread apart where their ranks are close, with a leader line.
  const placed = spreadLabels(ends.map((e) => e.y), 13, f.margin.top, f.margin.top + f.ph);
  const xe = x(r.schemes.length - 1);
  ends.forEach((e, i) => {
    if (Math.abs(placed[i] - e.y) > 0.5) body.push(`<line x1="${r2(xe + 3)}" x2="${r2(xe + 12)}" y1="${r2(e.y)}" y2="${r2(placed[i])}" stroke="${e.col}" stroke-width="0.8"/>`);
    body.push(`<text x="${r2(xe + 14)}" y="${r2(placed[i] + 4)}" ${FONT} font-size="11" fill="${e.col}">${xmlText(truncate(e.label, 28))}</text>`);
  });
  return svgDoc(f, r.title, body);
}

export interface RankDensityFigure {
  title: string;
  /** The ranking on the horizontal axis of every panel (uniform weighting). */
  reference: string;
  /** Ranks run from 1 to n. */
  n: number;
  /** One panel per scheme: each model's [rank under the reference, rank under the scheme]. */
  panels: { name: string; ranks: [number, number][] }[];
  /** Models drawn as coloured points in every panel (their [reference, scheme] ranks per panel, null where unranked) and named under the panels. */
  highlights: { label: string; note?: string; ranks: ([number, number] | null)[] }[];
}

/** Cells per axis of a rank-density panel: the figure's size does not grow with the number of models. */
const DENSITY_BINS = 20;
const DENSITY_LEVELS = ['#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

/**
 * The rank-change figure for many models: one panel per scheme, models binned by their rank under
 * the reference (across) and under the scheme (down), darker = more models, the diagonal = same
 * rank; a few models as coloured points, named in a legend rather than beside their points.
 */
export function rankDensityFigure(r: RankDensityFigure): string {
  const P = 200;
  const gapX = 64;
  const gapY = 78;
  const cols = Math.max(1, Math.min(4, r.panels.length));
  const panelRows = Math.max(1, Math.ceil(r.panels.length / cols));
  const left = 76;
  const top = 72;
  const legendTop = top + panelRows * P + (panelRows - 1) * gapY + 62;
  const legendLines = r.highlights.map((h) => truncate(h.label, 48) + (h.note ?? ''));
  const width = Math.max(left + cols * P + (cols - 1) * gapX + 24, textWidth(r.title, 15) * 1.12 + 40, left + 24 + Math.max(0, ...legendLines.map((l) => textWidth(l, 11))));
  const f = frame(width, legendTop + 26 + legendLines.length * 16 + 12, { left, top, right: 24, bottom: 0 });
  const n = Math.max(1, r.n);
  // Each rank has an equal slot; a point stays clear of the frame.
  const at = (rank: number) => ((rank - 0.5) / n) * P;
  const ticks = rankTicks(n, at);
  const body: string[] = [];
  let maxCount = 1;
  const grids = r.panels.map((p) => {
    const counts = new Int32Array(DENSITY_BINS * DENSITY_BINS);
    for (const [a, b] of p.ranks) {
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      const bin = (v: number) => Math.min(DENSITY_BINS - 1, Math.max(0, Math.floor(((v - 1) * DENSITY_BINS) / n)));
      counts[bin(b) * DENSITY_BINS + bin(a)]++;
    }
    maxCount = Math.max(maxCount, ...counts);
    return counts;
  });
  const level = (c: number) => Math.min(DENSITY_LEVELS.length - 1, Math.floor((Math.log1p(c) / Math.log1p(maxCount)) * DENSITY_LEVELS.length - 1e-9));
  const cell = P / DENSITY_BINS;
  r.panels.forEach((p, pi) => {
    const L = left + (pi % cols) * (P + gapX);
    const T = top + Math.floor(pi / cols) * (P + gapY);
    body.push(plotAreaMarker(L, T, P, P));
    body.push(`<rect x="${r2(L)}" y="${r2(T)}" width="${P}" height="${P}" fill="#fafafa" stroke="#bbb"/>`);
    body.push(`<text x="${r2(L + P / 2)}" y="${r2(T - 10)}" text-anchor="middle" ${FONT} font-size="11" font-weight="bold" fill="#222">${xmlText(truncate(p.name, 32))}</text>`);
    // One path per shade: a cell is a small square in it.
    const paths = DENSITY_LEVELS.map(() => '');
    grids[pi].forEach((c, k) => {
      if (c) paths[level(c)] += `M${r2(L + (k % DENSITY_BINS) * cell)} ${r2(T + Math.floor(k / DENSITY_BINS) * cell)}h${r2(cell)}v${r2(cell)}h-${r2(cell)}z`;
    });
    body.push(`<g data-role="marks" shape-rendering="crispEdges">${paths.map((d, i) => (d ? `<path d="${d}" fill="${DENSITY_LEVELS[i]}"/>` : '')).join('')}</g>`);
    body.push(`<line x1="${r2(L)}" y1="${r2(T)}" x2="${r2(L + P)}" y2="${r2(T + P)}" stroke="#777" stroke-width="0.8" stroke-dasharray="4 3"/>`);
    const pts = r.highlights.flatMap((h, hi) => {
      const rk = h.ranks[pi];
      if (!rk || !Number.isFinite(rk[0]) || !Number.isFinite(rk[1])) return [];
      const clamp = (v: number) => Math.min(P - 4, Math.max(4, v));
      return [`<circle cx="${r2(L + clamp(at(rk[0])))}" cy="${r2(T + clamp(at(rk[1])))}" r="3.5" fill="${PALETTE[(hi + 1) % PALETTE.length]}" stroke="#fff" stroke-width="1"/>`];
    });
    if (pts.length) body.push(`<g data-role="marks">${pts.join('')}</g>`);
    const a: string[] = [`<g ${FONT} font-size="10" fill="#333">`];
    for (const t of ticks) {
      a.push(`<line x1="${r2(L + at(t))}" x2="${r2(L + at(t))}" y1="${r2(T + P)}" y2="${r2(T + P + 4)}" stroke="#333"/><text x="${r2(L + at(t))}" y="${r2(T + P + 15)}" text-anchor="middle">${tickLabel(t)}</text>`);
      a.push(`<line x1="${r2(L - 4)}" x2="${r2(L)}" y1="${r2(T + at(t))}" y2="${r2(T + at(t))}" stroke="#333"/><text x="${r2(L - 6)}" y="${r2(T + at(t) + 3.5)}" text-anchor="end">${tickLabel(t)}</text>`);
    }
    a.push(`<text x="${r2(L + P / 2)}" y="${r2(T + P + 31)}" text-anchor="middle" font-size="11">rank under ${xmlText(truncate(r.reference, 24))}</text></g>`);
    body.push(...a);
  });
  for (let row = 0; row < panelRows; row++) {
    body.push(`<text transform="translate(16 ${r2(top + row * (P + gapY) + P / 2)}) rotate(-90)" text-anchor="middle" ${FONT} font-size="11" fill="#333">rank under the scheme (1 = best)</text>`);
  }
  // Legend: the shades (models per cell), then the coloured models.
  const key: string[] = [`<g ${FONT} font-size="11" fill="#222"><text x="${r2(left)}" y="${r2(legendTop + 10)}">models per cell: 1</text>`];
  const kx = left + textWidth('models per cell: 1', 11) + 8;
  DENSITY_LEVELS.forEach((c, i) => key.push(`<rect x="${r2(kx + i * 14)}" y="${r2(legendTop)}" width="14" height="12" fill="${c}"/>`));
  key.push(`<text x="${r2(kx + DENSITY_LEVELS.length * 14 + 6)}" y="${r2(legendTop + 10)}">${xmlText(tickLabel(maxCount))}</text>`);
  key.push(`<line x1="${r2(kx + DENSITY_LEVELS.length * 14 + 60)}" x2="${r2(kx + DENSITY_LEVELS.length * 14 + 80)}" y1="${r2(legendTop + 6)}" y2="${r2(legendTop + 6)}" stroke="#777" stroke-dasharray="4 3"/><text x="${r2(kx + DENSITY_LEVELS.length * 14 + 86)}" y="${r2(legendTop + 10)}">same rank</text>`);
  legendLines.forEach((l, i) => {
    const y = legendTop + 26 + i * 16;
    key.push(`<circle cx="${r2(left + 5)}" cy="${r2(y + 6)}" r="4" fill="${PALETTE[(i + 1) % PALETTE.length]}"/><text x="${r2(left + 14)}" y="${r2(y + 10)}">${xmlText(l)}</text>`);
  });
  key.push('</g>');
  body.push(...key);
  return svgDoc(f, r.title, body);
}

export interface ForestFigure {
  title: string;
  xLabel: string;
  rows: string[];
  series: { label: string; points: { value: number; low: number; high: number }[] }[];
}

/** Score with 95% interval per model, one colour per scheme (offset vertically). */
export function forestFigure(fp: ForestFigure): string {
  const rowH = Math.max(14, 6 * fp.series.length + 6);
  const labelW = Math.min(260, 12 + 6.2 * Math.max(...fp.rows.map((r) => Math.min(r.length, 40))));
  const top = 48 + 16 * Math.ceil(fp.series.length / 3);
  // The plot area holds exactly one row band per model.
  const f = frame(760, fp.rows.length * rowH + top + 56, { left: labelW, right: 24, bottom: 56, top });
  const all = fp.series.flatMap((s) => s.points.flatMap((p) => [p.low, p.high, p.value])).filter(Number.isFinite);
  const x = linearScale([Math.min(...all), Math.max(...all)], [0, f.pw], true, 0.02);
  const body = axes(f, x, null, fp.xLabel, '', { grid: false });
  const L = f.margin.left;
  const T = f.margin.top;
  body.push(plotAreaMarker(L, T, f.pw, f.ph));
  body.push(`<g ${FONT} font-size="10" fill="#333">`);
  for (const t of x.ticks) body.push(`<line x1="${r2(L + x(t))}" x2="${r2(L + x(t))}" y1="${T}" y2="${r2(T + f.ph)}" stroke="#eee"/>`);
  fp.rows.forEach((label, i) => {
    body.push(`<text x="${r2(L - 6)}" y="${r2(T + i * rowH + rowH / 2 + 3)}" text-anchor="end">${xmlText(truncate(label, 40))}</text>`);
  });
  body.push('</g>');
  fp.series.forEach((s, si) => {
    const col = PALETTE[si % PALETTE.length];
    const off = (si - (fp.series.length - 1) / 2) * 5;
    const parts: string[] = [];
    s.points.forEach((p, i) => {
      if (!Number.isFinite(p.value)) return;
      const yy = T + i * rowH + rowH / 2 + off;
      if (Number.isFinite(p.low) && Number.isFinite(p.high)) parts.push(`<line x1="${r2(L + x(p.low))}" x2="${r2(L + x(p.high))}" y1="${r2(yy)}" y2="${r2(yy)}" stroke="${col}" stroke-width="1.4"/>`);
      parts.push(`<circle cx="${r2(L + x(p.value))}" cy="${r2(yy)}" r="2.6" fill="${col}"/>`);
    });
    body.push(`<g data-role="marks">${parts.join('')}</g>`);
  });
  // Legend above the plot, in rows of three.
  body.push(`<g ${FONT} font-size="11">`);
  fp.series.forEach((s, si) => {
    const col = PALETTE[si % PALETTE.length];
    const lx = L + (si % 3) * 170;
    const ly = 40 + Math.floor(si / 3) * 16;
    body.push(`<circle cx="${r2(lx + 4)}" cy="${r2(ly - 4)}" r="4" fill="${col}"/><text x="${r2(lx + 12)}" y="${r2(ly)}" fill="#222">${xmlText(s.label)}</text>`);
  });
  body.push('</g>');
  return svgDoc(f, fp.title, body);
}

export interface CurveFigure {
  title: string;
  xLabel: string;
  yLabel: string;
  series: { label: string; points: { x: number; y: number; low?: number; high?: number }[]; color?: string; dashed?: boolean }[];
  hlines?: { y: number; label: string; color?: string }[];
  /** Start the y axis at 0 (default) or at the data. */
  yFromZero?: boolean;
  /** Only whole-number ticks on the x axis (e.g. a count of dimensions). */
  xIntegers?: boolean;
}

export function curveFigure(c: CurveFigure): string {
  const f = frame(640, 380);
  const xs = c.series.flatMap((s) => s.points.map((p) => p.x)).filter(Number.isFinite);
  const ys = [...c.series.flatMap((s) => s.points.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y])), ...(c.hlines ?? []).map((h) => h.y)].filter(Number.isFinite);
  // Padded so the first and last points sit inside the frame, not on it.
  const x = linearScale([Math.min(...xs), Math.max(...xs)], [0, f.pw], true, 0.04);
  const lo = c.yFromZero === false ? Math.min(...ys) : Math.min(0, ...ys);
  const hi = Math.max(...ys);
  // Headroom above the data for the legend box in the top-right corner.
  const y = linearScale([lo, hi + (hi - lo) * 0.12 * (c.series.length + (c.hlines?.length ?? 0))], [f.ph, 0], true, c.yFromZero === false ? 0.04 : 0);
  const L = f.margin.left;
  const T = f.margin.top;
  if (c.xIntegers) x.ticks = x.ticks.filter((t) => Number.isInteger(t));
  const body = axes(f, x, y, c.xLabel, c.yLabel);
  body.push(plotAreaMarker(L, T, f.pw, f.ph));
  const entries: LegendEntry[] = [];
  c.series.forEach((s, si) => {
    const col = s.color ?? PALETTE[si % PALETTE.length];
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    for (const p of pts) {
      if (p.low !== undefined && p.high !== undefined && Number.isFinite(p.low) && Number.isFinite(p.high)) {
        body.push(`<line data-role="mark" x1="${r2(L + x(p.x))}" x2="${r2(L + x(p.x))}" y1="${r2(T + y(p.low))}" y2="${r2(T + y(p.high))}" stroke="${col}" stroke-opacity="0.6"/>`);
      }
    }
    body.push(`<polyline data-role="mark" points="${pts.map((p) => `${r2(L + x(p.x))},${r2(T + y(p.y))}`).join(' ')}" fill="none" stroke="${col}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    for (const p of pts) body.push(`<circle data-role="mark" cx="${r2(L + x(p.x))}" cy="${r2(T + y(p.y))}" r="3" fill="${col}"/>`);
    entries.push({ label: s.label, color: col, kind: 'line', dashed: s.dashed });
  });
  for (const h of c.hlines ?? []) {
    const col = h.color ?? '#555';
    body.push(`<line x1="${L}" x2="${r2(L + f.pw)}" y1="${r2(T + y(h.y))}" y2="${r2(T + y(h.y))}" stroke="${col}" stroke-dasharray="5 3"/>`);
    entries.push({ label: h.label, color: col, kind: 'line', dashed: true });
  }
  body.push(...legend(f, entries));
  return svgDoc(f, c.title, body);
}

export interface BarFigure {
  title: string;
  xLabel: string;
  bars: { label: string; value: number; color?: string }[];
}

/** Horizontal bars with labels (cluster sizes). */
export function barFigure(b: BarFigure): string {
  const rowH = 18;
  const labelW = Math.min(300, 16 + 6 * Math.max(8, ...b.bars.map((x) => Math.min(x.label.length, 44))));
  const f = frame(760, b.bars.length * rowH + 110, { left: labelW, right: 60 });
  const x = linearScale([0, Math.max(1, ...b.bars.map((v) => v.value))], [0, f.pw]);
  const body = axes(f, x, null, b.xLabel, '', { grid: false });
  const L = f.margin.left;
  const T = f.margin.top;
  body.push(plotAreaMarker(L, T, f.pw, f.ph));
  body.push(`<g ${FONT} font-size="10" fill="#333">`);
  b.bars.forEach((bar, i) => {
    const yy = T + i * rowH + 3;
    body.push(`<rect data-role="mark" x="${L}" y="${r2(yy)}" width="${r2(Math.max(0.5, x(bar.value)))}" height="${rowH - 6}" fill="${bar.color ?? PALETTE[0]}" fill-opacity="0.75"/>`);
    body.push(`<text x="${r2(L - 6)}" y="${r2(yy + rowH / 2)}" text-anchor="end">${xmlText(truncate(bar.label, 44))}</text>`);
    body.push(`<text x="${r2(L + x(bar.value) + 4)}" y="${r2(yy + rowH / 2)}">${xmlText(tickLabel(bar.value))}</text>`);
  });
  body.push('</g>');
  return svgDoc(f, b.title, body);
}
