import { describe, expect, it } from 'vitest';
import { lossByDimensionFigure, rankSetFigure, residualGroupsFigure } from '../../pipeline/report/svg/model-figures.ts';
import { parseXml, svgTexts, walk, type XmlElement } from './helpers.ts';

const EVIL = 'a<b>&"c" <script>x</script> مرحبا 😀';

function parse(svg: string): { root: XmlElement; texts: string[] } {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  const root = parseXml(svg);
  return { root, texts: svgTexts(root) };
}
const num = (e: XmlElement, a: string) => Number(e.attrs[a]);
const marksOf = (root: XmlElement) => [...walk(root)].filter((e) => e.attrs['data-role'] === 'mark' || e.attrs['data-role'] === 'marks').flatMap((e) => (e.attrs['data-role'] === 'marks' ? e.children : [e]));

// Synthetic: loss falls to k = 2 and rises after (overfitting), references above.
const LOSS = { title: 'Held-out loss by number of ability dimensions', lossLabel: 'held-out log loss per cell', points: [1, 2, 3, 4, 5].map((k) => ({ k, loss: 0.6 - 0.03 * Math.min(k, 2) + 0.01 * Math.max(0, k - 2), se: 0.004 })), references: [{ label: 'additive (model + prompt)', loss: 0.62, se: 0.003 }, { label: `2PL ${EVIL}`, loss: 0.57 }] };

describe('held-out loss against k', () => {
  it('one point with an SE bar per k, the lowest k named, references in the legend, only whole-number k ticks', () => {
    const { root, texts } = parse(lossByDimensionFigure(LOSS));
    const circles = marksOf(root).filter((e) => e.name === 'circle');
    expect(circles).toHaveLength(5);
    // Lower loss is drawn lower down (larger y): k = 2 is the lowest point.
    const ys = circles.map((c) => num(c, 'cy'));
    expect(ys.indexOf(Math.max(...ys))).toBe(1);
    expect(marksOf(root).filter((e) => e.name === 'line')).toHaveLength(5);
    expect(texts).toEqual(expect.arrayContaining(['k-dimensional model (lowest at k = 2)', 'additive (model + prompt): 0.62 ± 0.003', `2PL ${EVIL}: 0.57`, 'ability dimensions k', 'held-out log loss per cell']));
    expect(texts).not.toContain('1.5');
  });
});

describe('rank confidence sets', () => {
  const models = (shift: number) =>
    Array.from({ length: 8 }, (_, i) => {
      const rank = ((i + shift) % 8) + 1;
      return { label: i === 3 ? EVIL : `model-${i}`, rank, marginal: [Math.max(1, rank - 1), Math.min(8, rank + 1)] as [number, number], simultaneous: [Math.max(1, rank - 2), Math.min(8, rank + 2)] as [number, number] };
    });
  const schemes = [{ name: 'uniform', models: models(0) }, { name: 'cluster-balanced', models: models(3) }];

  it('one panel per scheme; per model a set, an interval and a dot; the dot inside the interval inside the set', () => {
    const { root, texts } = parse(rankSetFigure({ title: 'Rank confidence sets', schemes }));
    expect(texts).toEqual(expect.arrayContaining(['uniform', 'cluster-balanced', 'model-0', EVIL, 'rank (1 = best)', 'simultaneous confidence set', 'marginal interval']));
    const marks = marksOf(root);
    const rects = marks.filter((e) => e.name === 'rect');
    const lines = marks.filter((e) => e.name === 'line');
    const dots = marks.filter((e) => e.name === 'circle');
    expect([rects.length, lines.length, dots.length]).toEqual([16, 16, 16]);
    dots.forEach((d, i) => {
      const cx = num(d, 'cx');
      expect(cx).toBeGreaterThanOrEqual(num(lines[i], 'x1') - 1e-9);
      expect(cx).toBeLessThanOrEqual(num(lines[i], 'x2') + 1e-9);
      expect(num(lines[i], 'x1')).toBeGreaterThanOrEqual(num(rects[i], 'x') - 1e-9);
      expect(num(lines[i], 'x2')).toBeLessThanOrEqual(num(rects[i], 'x') + num(rects[i], 'width') + 1e-9);
    });
    // Rows follow the first scheme's ranks: in panel 1, dots go right as rows go down.
    const first = dots.slice(0, 8).map((d) => [num(d, 'cy'), num(d, 'cx')]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < 8; i++) expect(first[i][1]).toBeGreaterThan(first[i - 1][1]);
  });
});

describe('residual co-variation groups', () => {
  it('a bar per group from zero, labelled with the group and its size, a reference line at the overall mean', () => {
    const groups = [{ label: 'dates and clocks', size: 40, within: 0.21 }, { label: EVIL, size: 12, within: 0.08 }, { label: 'negative', size: 5, within: -0.03 }];
    const { root, texts } = parse(residualGroupsFigure({ title: 'Top residual co-variation groups', groups, overall: 0.01, valueLabel: 'mean residual similarity within the group' }));
    const bars = marksOf(root).filter((e) => e.name === 'rect');
    expect(bars).toHaveLength(3);
    expect(num(bars[0], 'width')).toBeGreaterThan(num(bars[1], 'width'));
    // The negative bar ends where the positive ones start (at zero).
    expect(num(bars[2], 'x') + num(bars[2], 'width')).toBeCloseTo(num(bars[0], 'x'), 1);
    expect(texts).toEqual(expect.arrayContaining(['dates and clocks (40)', `${EVIL} (12)`, '0.21', 'all pairs 0.01', 'mean residual similarity within the group']));
  });

  it('the same inputs give byte-identical SVG', () => {
    expect(lossByDimensionFigure(LOSS)).toBe(lossByDimensionFigure(LOSS));
  });
});
