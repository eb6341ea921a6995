import { describe, expect, it } from 'vitest';
import { renderIndexPage } from '../../pipeline/report/index-page.ts';
import { buildVerdict } from '../../pipeline/report/verdict.ts';
import { benchmark, correlation, explanation, irtSection, reportOf, reweighting } from './sections.ts';
import { markdownProblems, tables } from './helpers.ts';

function report(name: string, o: { aP: number; bP: number } | null, moves: boolean | null, semantic: number | null) {
  const c = o ? correlation({ ...o, B: 199 }) : null;
  const rw =
    moves === null
      ? null
      : reweighting(6, [{ name: 'cluster-balanced', tau: moves ? 0.3 : 0.95, noise: 0.9, moves: moves ? [{ model: 'model-6', rank: 2, deltaRank: -4, beyondNoise: true }] : [] }]);
  const e = explanation({ semantic, semanticP: 0.01 });
  const verdict = buildVerdict({ benchmark: benchmark(name), correlation: c, reweighting: rw, explanation: e });
  return reportOf({ name, correlation: c, reweighting: rw, explanation: e, verdict });
}

describe('reports/index.md', () => {
  const page = renderIndexPage([
    { dir: 'zeta', report: report('zeta', { aP: 0.001, bP: 0.001 }, true, 0.12) },
    { dir: 'alpha', report: report('alpha', { aP: 0.001, bP: 0.001 }, false, null) },
    { dir: 'mid', report: report('mid', { aP: 0.001, bP: 0.4 }, false, 0.01) },
    { dir: 'partial', report: report('partial', null, null, null) },
  ]);
  const table = tables(page)[0];
  const body = table.rows.slice(2);

  it('is one table, one row per benchmark, sorted by name, with a link to each report', () => {
    expect(tables(page)).toHaveLength(1);
    expect(body).toHaveLength(4);
    expect(body.map((r) => /\[(\w+)\]\((\w+)\/report\.md\)/.exec(r)?.slice(1))).toEqual([
      ['alpha', 'alpha'],
      ['mid', 'mid'],
      ['partial', 'partial'],
      ['zeta', 'zeta'],
    ]);
    expect(markdownProblems(page)).toEqual([]);
  });

  it('has the columns the issue asks for: models, prompts, null B z, largest rank shift beyond noise, semantic partial R²', () => {
    const header = table.rows[0];
    for (const col of ['models', 'prompts', 'null B z', 'largest rank shift beyond noise', 'semantic partial R²']) expect(header).toContain(col);
    const cells = (r: string) => r.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const zeta = cells(body[3]);
    expect(zeta[1]).toBe('10');
    expect(zeta[2]).toBe('100');
    expect(zeta[4]).toBe('20.0 (p ≤ 0.0050)'); // null B mean-squared z, the statistic the verdict uses
    expect(zeta[5]).toBe('4');
    expect(zeta[6]).toBe('0.120');
    const alpha = cells(body[0]);
    expect(alpha[5]).toBe('0');
    expect(alpha[6]).toBe('–');
  });

  it('says in words whether the plain average is fragile', () => {
    expect(body[3]).toContain('fragile: rankings move');
    // Null B's rejection alone does not claim families (issue #11).
    expect(body[0]).toContain('beyond null B, ranking stable');
    expect(body[0]).not.toContain('families, ranking stable');
    expect(body[1]).toContain('no structure beyond strength');
    expect(body[2]).toContain('incomplete analysis');
    expect(body[2]).toMatch(/\|\s+–\s+\|/);
  });

  it('with the irt verdict: the families column, and the word follows it (one axis despite a null B rejection; families when found)', () => {
    const withIrt = (name: string, nullCp: number, moves: boolean) => {
      const c = correlation({ aP: 0.001, bP: 0.001, B: 199 });
      const rw = reweighting(6, [{ name: 'cluster-balanced', tau: moves ? 0.3 : 0.95, noise: 0.9, moves: moves ? [{ model: 'model-6', rank: 2, deltaRank: -4, beyondNoise: true }] : [] }]);
      const irt = irtSection({ nullCp, dimension: 1 });
      return reportOf({ name, correlation: c, reweighting: rw, irt, verdict: buildVerdict({ benchmark: benchmark(name), correlation: c, reweighting: rw, explanation: null, irt }) });
    };
    const rows = tables(renderIndexPage([{ dir: 'a', report: withIrt('a', 0.4, false) }, { dir: 'b', report: withIrt('b', 0.001, true) }]))[0].rows.slice(2);
    const cells = (r: string) => r.split(/(?<!\\)\|/).slice(1, -1).map((x) => x.trim());
    expect(cells(rows[0]).slice(7)).toEqual(['discrimination-only', 'one ability axis, ranking stable']);
    expect(cells(rows[1]).slice(7)).toEqual(['families', 'fragile: families, rankings move']);
    expect(cells(body[0])[7]).toBe('–');
  });

  it('an empty reports folder gives a header-only table', () => {
    const empty = renderIndexPage([]);
    expect(tables(empty)[0].rows).toHaveLength(2);
    expect(markdownProblems(empty)).toEqual([]);
  });

  it('escapes a hostile benchmark name in the link text and encodes the folder in the link', () => {
    const r = report('x', { aP: 0.001, bP: 0.001 }, true, 0.1);
    r.benchmark.name = 'evil|`name` <script>';
    const p = renderIndexPage([{ dir: 'my bench', report: r }]);
    expect(p).toContain('[evil\\|\\`name\\` &lt;script&gt;](my%20bench/report.md)');
    expect(markdownProblems(p, /^[\w%.-]+\/report\.md$/)).toEqual([]);
  });
});
