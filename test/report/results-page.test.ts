/** docs/results.md with and without the irt stage: null C, the dimension and the families verdict appear only with it. */
import { describe, expect, it } from 'vitest';
import { renderResultsPage } from '../../pipeline/report/results-page.ts';
import { buildVerdict } from '../../pipeline/report/verdict.ts';
import { benchmark, correlation, explanation, irtSection, reportOf, reweighting } from './sections.ts';
import { markdownProblems, tables } from './helpers.ts';

function report(name: string, irt: ReturnType<typeof irtSection> | null) {
  const c = correlation({ aP: 0.001, bP: 0.001, B: 199 });
  const rw = reweighting(6, [{ name: 'cluster-balanced', tau: 0.95, noise: 0.9, moves: [] }]);
  const e = explanation({ semantic: 0.02, semanticP: 0.01 });
  return reportOf({ name, correlation: c, reweighting: rw, explanation: e, irt, verdict: buildVerdict({ benchmark: benchmark(name), correlation: c, reweighting: rw, explanation: e, irt }) });
}

describe('docs/results.md and the irt stage', () => {
  it('without irt anywhere: no null C columns', () => {
    const page = renderResultsPage([report('a', null)]);
    expect(page).not.toContain('null C z');
    expect(page).not.toContain('One ability axis (irt)');
    expect(markdownProblems(page, /^real-data\/[\w.%-]+\/report\.md$/)).toEqual([]);
  });

  it('with irt: null C, dimension and families per benchmark, and the finding restated from them', () => {
    const page = renderResultsPage([report('a', null), report('b', irtSection({ nullCp: 0.4, dimension: 1 }))]);
    const t = tables(page)[0];
    expect(t.rows[0]).toContain('null C z (p), mean r²');
    const cells = (r: string) => r.split(/(?<!\\)\|/).slice(1, -1).map((x) => x.trim());
    expect(cells(t.rows[2]).slice(-3)).toEqual(['–', '–', '–']);
    expect(cells(t.rows[3]).slice(-3)).toEqual(['3.3 (0.400)', '1', 'discrimination-only']);
    expect(page).toContain('One ability axis (irt): null C mean-squared z = 3.3, p 0.400; cross-validated dimension 1: prompts differ in discrimination only, no families beyond one axis.');
  });
});
