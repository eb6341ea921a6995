/** The section "How many abilities does this benchmark measure?" on hand-made irt sections. */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../pipeline/report/markdown.ts';
import { buildVerdict } from '../../pipeline/report/verdict.ts';
import { benchmark, correlation, irtSection, reportOf } from './sections.ts';
import { markdownProblems } from './helpers.ts';

type Irt = ReturnType<typeof irtSection>;

function page(irt: Irt, withCorrelation = true): string {
  const c = withCorrelation ? correlation({ aP: 0.001, bP: 0.001 }) : null;
  const verdict = buildVerdict({ benchmark: benchmark('b'), correlation: c, reweighting: null, explanation: null, irt });
  const md = renderMarkdown({ ...reportOf({ name: 'b', correlation: c ? { ...c, nullC: irt.nullC } : null, irt, verdict }), stages: { irt: { status: 'ok', reason: null } } });
  expect(markdownProblems(md)).toEqual([]);
  return md.slice(md.indexOf('## How many abilities'), md.indexOf('## Families of prompts'));
}

describe('report.md: How many abilities does this benchmark measure?', () => {
  it('finding first, then fit (priors, guessing, convergence), the CV table with the chosen k, the groups, the CSV', () => {
    const irt: Irt = { ...irtSection({ nullCp: 0.001, dimension: 2, groups: [{ label: 'geometry, triangles', size: 40, strength: 0.21, cluster: 'geometry' }] }), itemsCsv: '../../data/benchmarks/b/irt-items.csv' };
    const sec = page(irt);
    expect(sec.split('\n')[2]).toMatch(/^\*\*Prompts form families beyond one ability axis:\*\*/);
    expect(sec).toContain('weak Bayes-modal priors (log a ~ N(−0.10, 0.40²)');
    expect(sec).toContain('no guessing asymptote');
    expect(sec).toContain('The fit converged in 87 EM cycles');
    expect(sec).toMatch(/\| 2 ability dimensions \(compensatory\) +\| +2 \| +0\.4900 ± 0\.0040 \| +best \| +3 \| \*\*chosen: k = 2\*\* +\|/);
    expect(sec).toMatch(/\| +1 \| +40 \| +0\.210 \| geometry, triangles +\| geometry \(80%\) +\| an example of geometry, triangles +\|/);
    expect(sec).toContain('../../data/benchmarks/b/irt-items.csv');
    expect(sec).toContain('in the table of null models above');
  });

  it('a fit that did not converge says so in bold, with cycles and gradient, and gives no verdict', () => {
    const sec = page(irtSection({ nullCp: 0.001, dimension: 2, converged: false }));
    expect(sec.split('\n')[2]).toMatch(/^\*\*No verdict on families of prompts:\*\* the one-ability-axis fit did not converge in 500 EM cycles/);
    expect(sec).toContain('**The fit did not converge in 500 EM cycles (largest gradient of the log-likelihood 0.250, largest last change of a parameter 0.003)**: no verdict rests on it');
  });

  it('no prior, guessing auto; without the correlation section null C is given here', () => {
    const base = irtSection({ nullCp: 0.4, dimension: 1 });
    const irt: Irt = { ...base, prior: { kind: 'none', logA: null, b: null }, guessing: { mode: 'auto', value: null, promptsWithGuessing: 12 }, model: '3pl-fixed-guessing' };
    const sec = page(irt, false);
    expect(sec).toContain('no priors (maximum likelihood)');
    expect(sec).toContain('guessing c = 1/#options on the 12 prompts that show their options');
    expect(sec).toContain('fixed lower asymptote (guessing)');
    expect(sec).toContain('Null C (one ability axis; the correlation analysis, and with it nulls A and B, is not in this report): the mean squared similarity is 0.090 against 0.080 ± 0.003 under null C');
    expect(sec).not.toContain('in the table of null models above');
  });
});
