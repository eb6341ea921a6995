import { describe, expect, it } from 'vitest';
import { barFigure, curveFigure, forestFigure, heatmapFigure, histogramFigure, rankChangeFigure } from '../../pipeline/report/svg/figures.ts';
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

  it('heatmap: k×k cells, title, axis label, colour-bar label, cluster labels', () => {
    const k = 6;
    const values = Float32Array.from({ length: k * k }, (_, i) => (Math.floor(i / k) === i % k ? 1 : ((i % 7) - 3) / 3));
    values[1] = NaN;
    const svg = heatmapFigure({ title: 'Similarity', values, size: k, boundaries: [3], groupLabels: [{ start: 0, end: 3, label: EVIL }, { start: 3, end: 6, label: 'b' }], axisLabel: 'prompts, grouped by cluster', colorLabel: 'pearson' });
    const { root, texts } = checkSvg(svg);
    const cells = [...walk(root)].filter((e) => e.name === 'rect' && e.attrs.fill?.startsWith('#') && e.attrs.width !== '14');
    expect(cells.length).toBeGreaterThanOrEqual(k * k);
    expect(texts).toEqual(expect.arrayContaining(['prompts, grouped by cluster', 'pearson', '+1', '0', '−1', 'b']));
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

  it('the same inputs give byte-identical SVG', () => {
    const make = () => histogramFigure({ title: 't', xLabel: 'x', yLabel: 'y', edges: [0, 0.5, 1], series: [{ label: 's', values: [1 / 3, 2 / 3] }] });
    expect(make()).toBe(make());
  });
});
