import { describe, expect, it } from 'vitest';
import { barFigure, clusterMatrixFigure, curveFigure, forestFigure, histogramFigure, rankChangeFigure } from '../../pipeline/report/svg/figures.ts';
import { linearScale, spreadLabels } from '../../pipeline/report/svg/frame.ts';
import { parseXml, svgTexts, walk, type XmlElement } from './helpers.ts';
import { svgSize } from '../../scripts/check-figures.ts';

const EVIL = 'a<b>&"c"\'d\' <script>x</script> ]]> \u0001 😀';
const EVIL_CLEAN = 'a<b>&"c"\'d\' <script>x</script> ]]>  😀';

function titleOf(root: XmlElement): string {
  return root.children.find((c) => c.name === 'title')?.text ?? '';
}

/** Checks every figure must pass: well-formed, an <svg> root with a size, a <title>, no NaN coordinates. */
function checkSvg(svg: string): { root: XmlElement; texts: string[] } {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  const root = parseXml(svg);
  expect(root.name).toBe('svg');
  expect(svgSize(svg)).not.toBeNull();
  expect(titleOf(root).length).toBeGreaterThan(0);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  for (const el of walk(root)) expect(el.name).not.toMatch(/^(script|foreignObject|a|iframe)$/i);
  return { root, texts: svgTexts(root) };
}

describe('SVG figures (pure renderers)', () => {
  it('histogram: title, both axis labels, a legend entry per series and marker; hostile labels stay text', () => {
    const svg = histogramFigure({
      title: `Histogram ${EVIL}`,
      xLabel: `x ${EVIL}`,
      yLabel: 'density',
      edges: [-1, -0.5, 0, 0.5, 1],
      series: [
        { label: 'observed', values: [0.1, 0.4, NaN, 0.2] },
        { label: `null ${EVIL}`, values: [0.2, 0.3, 0.3, 0.2], line: true },
      ],
      markers: [{ x: 0.1, label: 'observed mean 0.100' }],
    });
    const { root, texts } = checkSvg(svg);
    expect(titleOf(root)).toBe(`Histogram ${EVIL_CLEAN}`);
    expect(texts).toContain(`x ${EVIL_CLEAN}`);
    expect(texts).toContain('density');
    expect(texts).toEqual(expect.arrayContaining(['observed', `null ${EVIL_CLEAN}`, 'observed mean 0.100']));
    // Tick labels on both axes.
    expect(texts).toEqual(expect.arrayContaining(['-1', '-0.5', '0', '0.5', '1']));
  });

  it('cluster matrix: k×k cells, row labels with prompt counts, counts under the columns, colour bar spans ± the largest value', () => {
    const k = 3;
    const values = [0.2, 0.05, NaN, 0.05, 0.15, -0.02, NaN, -0.02, 0.1];
    const svg = clusterMatrixFigure({ title: 'Families', clusters: [{ label: EVIL, size: 12 }, { label: 'b', size: 40 }, { label: 'c', size: 7 }], values, axisLabel: 'prompts per cluster', colorLabel: 'mean pearson' });
    const { root, texts } = checkSvg(svg);
    const cells = [...walk(root)].find((e) => e.attrs['data-role'] === 'marks')!.children.filter((e) => e.name === 'rect');
    expect(cells).toHaveLength(k * k);
    expect(cells[2].attrs.fill).toBe('#f0f0f0');
    expect(texts).toEqual(expect.arrayContaining([`${EVIL_CLEAN.slice(0, 29)}… (12)`, 'b (40)', 'c (7)', '12', '40', '7', 'prompts per cluster', 'mean pearson', '+0.2', '−0.2', '0.20', '0.15']));
  });

  it('rank-change chart: one line per model, scheme names on the x axis, both axis labels, movers labelled', () => {
    const svg = rankChangeFigure({
      title: 'Ranks',
      schemes: ['uniform', 'cluster-balanced', `evil ${EVIL}`],
      models: [
        { label: 'model-a', ranks: [1, 2, 2], highlight: false },
        { label: `mover ${EVIL}`, ranks: [2, 1, 1], highlight: true },
        { label: 'gap', ranks: [3, NaN, 3] },
      ],
    });
    const { root, texts } = checkSvg(svg);
    expect([...walk(root)].filter((e) => e.name === 'polyline')).toHaveLength(3);
    expect(texts).toEqual(expect.arrayContaining(['uniform', 'cluster-balanced', 'rank (1 = best)', 'weighting scheme']));
    expect(texts.some((t) => t.startsWith('mover a<b>'))).toBe(true);
  });

  it('forest plot: model rows, x axis label, a legend entry per scheme', () => {
    const svg = forestFigure({
      title: 'Scores',
      xLabel: 'weighted score',
      rows: ['m1', `m2 ${EVIL}`],
      series: [
        { label: 'uniform', points: [{ value: 0.5, low: 0.4, high: 0.6 }, { value: 0.3, low: 0.2, high: 0.4 }] },
        { label: 'cluster-balanced', points: [{ value: 0.55, low: NaN, high: NaN }, { value: NaN, low: NaN, high: NaN }] },
      ],
    });
    const { texts } = checkSvg(svg);
    expect(texts).toEqual(expect.arrayContaining(['m1', 'weighted score', 'uniform', 'cluster-balanced']));
  });

  it('curve: axis labels, legend for several series and reference lines; NaN points are left out', () => {
    const svg = curveFigure({
      title: 'Curve',
      xLabel: 'semantic cosine',
      yLabel: 'performance similarity',
      series: [
        { label: 'mean', points: [{ x: 0.1, y: 0.01 }, { x: 0.5, y: NaN }, { x: 0.9, y: 0.2, low: 0.1, high: 0.3 }] },
        { label: 'excess', points: [{ x: 0.1, y: 0 }, { x: 0.9, y: 0.1 }], dashed: true },
      ],
      hlines: [{ y: 0.05, label: 'all pairs' }],
    });
    const { texts } = checkSvg(svg);
    expect(texts).toEqual(expect.arrayContaining(['semantic cosine', 'performance similarity', 'mean', 'excess', 'all pairs']));
  });

  it('bars: a label and a value per bar, x axis label', () => {
    const svg = barFigure({ title: 'Sizes', xLabel: 'prompts', bars: [{ label: `0: ${EVIL}`, value: 12 }, { label: '1: b', value: 3 }] });
    const { texts } = checkSvg(svg);
    expect(texts).toEqual(expect.arrayContaining(['prompts', '1: b', '12', '3']));
  });

  it('axes start at a tick at or before the first value; padding keeps points off the frame', () => {
    const x = linearScale([0.05, 0.95], [0, 100]);
    expect(x.domain).toEqual([0, 1]);
    expect(x.ticks[0]).toBe(0);
    const p = linearScale([0, 1], [0, 100], true, 0.04);
    expect(p.domain[0]).toBeLessThan(0);
    expect(p(0)).toBeGreaterThan(0);
    expect(p(1)).toBeLessThan(100);
  });

  it('end labels are spread at least the gap apart, near their targets and inside the range', () => {
    const pos = spreadLabels([50, 51, 50.5, 200, 10], 12, 0, 210);
    const sorted = [...pos].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(12 - 1e-9);
    expect(pos[3]).toBe(200);
    expect(pos[4]).toBe(10);
    expect(Math.max(...pos)).toBeLessThanOrEqual(210);
    // Crowded at the bottom edge: pushed up, still within range.
    const edge = spreadLabels([100, 100, 100], 10, 0, 100);
    expect([...edge].sort((a, b) => a - b)).toEqual([80, 90, 100]);
  });

  it('the same inputs give byte-identical SVG', () => {
    const make = () => histogramFigure({ title: 't', xLabel: 'x', yLabel: 'y', edges: [0, 0.5, 1], series: [{ label: 's', values: [1 / 3, 2 / 3] }] });
    expect(make()).toBe(make());
  });
});
