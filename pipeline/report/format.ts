/** Number formatting shared by the markdown and SVG renderers (deterministic, locale-free). */

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (digits >= 3 && x !== 0 && Math.abs(x) < 10 ** -digits) return x.toExponential(1).replace(/-/g, '−');
  return x.toFixed(digits).replace(/^-/, '−');
}

export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return `${(x * 100).toFixed(digits)}%`.replace(/^-/, '−');
}

/** p-values: exact permutation p's are never 0; show the bound "≤ 1/(B+1)" honestly. */
export function pValue(p: number | null | undefined, B?: number): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '–';
  if (B !== undefined && p <= 1 / (B + 1) + 1e-12) return `≤ ${fmt(1 / (B + 1), 4)}`;
  if (p < 0.001) return p.toExponential(1).replace(/-/g, '−');
  return p.toFixed(3);
}

export function signed(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const s = fmt(Math.abs(x), digits);
  return x > 0 ? `+${s}` : x < 0 ? `−${s}` : s;
}

export function intCount(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return Math.round(x)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
