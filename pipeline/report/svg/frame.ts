/**
 * A minimal SVG plotting kit: linear scales, axes with "nice" ticks, title, axis labels and
 * a legend. Pure string building, no canvas or DOM, so figures are byte-identical across runs.
 */
import { xmlText } from '../escape.ts';

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
export const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface Frame {
  width: number;
  height: number;
  margin: Margins;
  /** Plot area size. */
  pw: number;
  ph: number;
}

export function frame(width: number, height: number, margin: Partial<Margins> = {}): Frame {
  const m: Margins = { top: 48, right: 24, bottom: 56, left: 64, ...margin };
  return { width, height, margin: m, pw: width - m.left - m.right, ph: height - m.top - m.bottom };
}

export type Scale = ((v: number) => number) & { domain: [number, number]; ticks: number[] };

/** Round coordinates so output text is stable and small. */
export const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out.map((v) => Number(v.toPrecision(12)));
}

/**
 * A linear scale. `nice` widens the domain outward to whole tick steps, so the axis starts at a
 * tick at or before the first value and ends at one at or after the last; `pad` (a share of the
 * span) first leaves room so point marks do not sit on the frame.
 */
export function linearScale(domain: [number, number], range: [number, number], nice = true, pad = 0): Scale {
  let [d0, d1] = domain;
  if (!(d1 > d0)) {
    d0 -= 0.5;
    d1 += 0.5;
  }
  if (pad > 0) {
    const p = (d1 - d0) * pad;
    d0 -= p;
    d1 += p;
  }
  let ticks = niceTicks(d0, d1);
  if (nice && ticks.length > 1) {
    const step = ticks[1] - ticks[0];
    d0 = Math.min(d0, Number((Math.floor(d0 / step + 1e-9) * step).toPrecision(12)));
    d1 = Math.max(d1, Number((Math.ceil(d1 / step - 1e-9) * step).toPrecision(12)));
    // Same step, now reaching both ends of the widened domain.
    ticks = [];
    for (let i = Math.round(d0 / step); i * step <= d1 + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  }
  const [r0, r1] = range;
  const f = ((v: number) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0)) as Scale;
  f.domain = [d0, d1];
  f.ticks = ticks.filter((t) => t >= d0 - 1e-12 && t <= d1 + 1e-12);
  return f;
}

/**
 * One-dimensional label placement: positions as close as possible to `targets` (in any order) with
 * at least `gap` between neighbours, kept within [lo, hi] when they fit. Returns positions in the
 * input order. Used for end labels of lines, whose natural positions can coincide.
 */
export function spreadLabels(targets: readonly number[], gap: number, lo: number, hi: number): number[] {
  const order = targets.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
  const pos = order.map((o) => Math.min(hi, Math.max(lo, o.t)));
  for (let i = 1; i < pos.length; i++) pos[i] = Math.max(pos[i], pos[i - 1] + gap);
  if (pos.length && pos[pos.length - 1] > hi) {
    pos[pos.length - 1] = hi;
    for (let i = pos.length - 2; i >= 0; i--) pos[i] = Math.min(pos[i], pos[i + 1] - gap);
  }
  const out = new Array<number>(targets.length);
  order.forEach((o, k) => (out[o.i] = pos[k]));
  return out;
}

/**
 * Ticks for a rank axis 1..n: 1, the round ranks 5, 10, 20, 50, 100, 200, 500, … below n, and n,
 * leaving out a round rank whose label would crowd its neighbour's (`at` maps a rank to px; n
 * replaces a round rank too close to it).
 */
export function rankTicks(n: number, at: (rank: number) => number, fontSize = 10): number[] {
  if (!(n > 1)) return [1];
  const apart = (a: number, b: number) => Math.abs(at(b) - at(a)) >= (textWidth(tickLabel(a), fontSize) + textWidth(tickLabel(b), fontSize)) / 2 + 4;
  const ticks = [1];
  for (let mag = 1; 5 * mag < n; mag *= 10) {
    for (const t of [5 * mag, 10 * mag, 20 * mag]) if (t < n && apart(ticks[ticks.length - 1], t)) ticks.push(t);
  }
  if (ticks.length > 1 && !apart(ticks[ticks.length - 1], n)) ticks.pop();
  ticks.push(n);
  return ticks;
}

/** An invisible rectangle marking the plot area, for the figure checks (marks must lie inside it). */
export function plotAreaMarker(x: number, y: number, w: number, h: number): string {
  return `<rect data-role="plot-area" x="${r2(x)}" y="${r2(y)}" width="${r2(w)}" height="${r2(h)}" fill="none" stroke="none"/>`;
}

/** Rough width of a text in px for layout (Helvetica-like: ~0.58 em per character). */
export function textWidth(s: string, fontSize: number): number {
  return [...s].length * fontSize * 0.58;
}

export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (a >= 1) return Number(v.toFixed(2)).toString();
  return Number(v.toPrecision(3)).toString();
}

export function svgDoc(f: Frame, title: string, body: string[], description?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${xmlText(title)}">`,
    `<title>${xmlText(title)}</title>`,
    description ? `<desc>${xmlText(description)}</desc>` : '',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${r2(f.width / 2)}" y="24" text-anchor="middle" ${FONT} font-size="15" font-weight="bold" fill="#222">${xmlText(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** Left and bottom axes with ticks, grid lines and labels. */
export function axes(f: Frame, x: Scale | null, y: Scale | null, xLabel: string, yLabel: string, opts: { grid?: boolean } = {}): string[] {
  const { left, top } = f.margin;
  const out: string[] = [];
  const x0 = left;
  const y0 = top + f.ph;
  out.push(`<g ${FONT} font-size="11" fill="#333">`);
  if (y) {
    for (const t of y.ticks) {
      const yy = top + y(t);
      if (opts.grid !== false) out.push(`<line x1="${r2(x0)}" x2="${r2(x0 + f.pw)}" y1="${r2(yy)}" y2="${r2(yy)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${r2(x0 - 6)}" y="${r2(yy + 4)}" text-anchor="end">${xmlText(tickLabel(t))}</text>`);
    }
  }
  if (x) {
    for (const t of x.ticks) {
      const xx = left + x(t);
      out.push(`<line x1="${r2(xx)}" x2="${r2(xx)}" y1="${r2(y0)}" y2="${r2(y0 + 5)}" stroke="#333"/>`);
      out.push(`<text x="${r2(xx)}" y="${r2(y0 + 18)}" text-anchor="middle">${xmlText(tickLabel(t))}</text>`);
    }
  }
  out.push(`<line x1="${r2(x0)}" x2="${r2(x0 + f.pw)}" y1="${r2(y0)}" y2="${r2(y0)}" stroke="#333"/>`);
  out.push(`<line x1="${r2(x0)}" x2="${r2(x0)}" y1="${r2(top)}" y2="${r2(y0)}" stroke="#333"/>`);
  out.push(`<text x="${r2(left + f.pw / 2)}" y="${r2(f.height - 12)}" text-anchor="middle" font-size="12">${xmlText(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${r2(top + f.ph / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${xmlText(yLabel)}</text>`);
  out.push('</g>');
  return out;
}

export interface LegendEntry {
  label: string;
  color: string;
  kind?: 'box' | 'line' | 'dot';
  dashed?: boolean;
}

/** A legend in the top-right corner of the plot area. */
export function legend(f: Frame, entries: LegendEntry[]): string[] {
  const w = Math.max(...entries.map((e) => e.label.length)) * 6.5 + 34;
  const x = f.margin.left + f.pw - w - 4;
  const y = f.margin.top + 4;
  const out = [`<g ${FONT} font-size="11"><rect x="${r2(x)}" y="${r2(y)}" width="${r2(w)}" height="${entries.length * 16 + 8}" fill="#fff" fill-opacity="0.85" stroke="#ccc"/>`];
  entries.forEach((e, i) => {
    const yy = y + 14 + i * 16;
    if (e.kind === 'line') out.push(`<line x1="${r2(x + 6)}" x2="${r2(x + 22)}" y1="${r2(yy - 4)}" y2="${r2(yy - 4)}" stroke="${e.color}" stroke-width="2"${e.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
    else if (e.kind === 'dot') out.push(`<circle cx="${r2(x + 14)}" cy="${r2(yy - 4)}" r="4" fill="${e.color}"/>`);
    else out.push(`<rect x="${r2(x + 6)}" y="${r2(yy - 10)}" width="16" height="10" fill="${e.color}" fill-opacity="0.6"/>`);
    out.push(`<text x="${r2(x + 28)}" y="${r2(yy)}" fill="#222">${xmlText(e.label)}</text>`);
  });
  out.push('</g>');
  return out;
}
