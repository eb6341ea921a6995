/** The irt stage's result as report.json's irt section: CV rows marked, residual groups described like clusters. */
import { describe, expect, it } from 'vitest';
import { irtSection } from '../../pipeline/report/irt-section.ts';
import type { IrtResult } from '../../pipeline/irt/index.ts';
import type { Clusterings } from '../../pipeline/cluster/index.ts';

const m = 6;
const n = 5;

function result(): IrtResult {
  return {
    model: '2pl',
    binary: true,
    models: m,
    prompts: { total: n, estimated: n },
    prior: { kind: 'none' },
    guessing: { mode: 'none', value: null, promptsWithGuessing: 0 },
    quadrature: { kind: 'adaptive', points: 11 },
    convergence: { converged: true, iterations: 30, maxChange: 1e-5, maxGradient: 1e-4 },
    logLik: -20,
    items: Array.from({ length: n }, (_, i) => ({ id: `p${i}`, difficulty: i === 4 ? null : i / 2, discrimination: i === 4 ? null : 1 + i / 10 })),
    abilities: [],
    nullC: null,
    nullCDiscriminationBias: null,
    nullCHistograms: null,
    dimension: 1,
    crossValidation: [
      { k: 1, model: 'additive', loss: 0.6, se: 0.01, seVsBest: 0.004, lambda: 1, foldLosses: [0.6, 0.6, 0.6] },
      { k: 1, model: '2pl', loss: 0.597, se: 0.01, seVsBest: 0.004, lambda: 1, foldLosses: [0.597, 0.597, 0.597] },
      { k: 2, model: 'compensatory', loss: 0.595, se: 0.01, seVsBest: 0, lambda: 3, foldLosses: [0.595, 0.595, 0.595] },
    ],
    crossValidationLoss: 'log-loss',
    q3: null,
    residualGroups: [{ prompts: [0, 1, 2, 3], size: 4, strength: 0.3, ids: ['p0', 'p1', 'p2', 'p3'] }],
    families: 'none',
    familiesReason: 'x',
    seed: 1,
    notes: [],
  };
}

describe('irt section', () => {
  it('marks the chosen CV row (the first of the reported k within one SE of the best) and keeps unestimated items null', () => {
    const items = Array.from({ length: n }, (_, i) => ({ id: `p${i}`, text: null, metadata: {}, tags: [] }));
    const s = irtSection({ result: result(), residuals: null, dataset: { models: [], items }, clusterings: null, itemsCsv: null });
    expect(s.crossValidation.map((r) => [r.model, r.chosen, r.best, r.withinOneSe])).toEqual([
      ['additive', false, false, false],
      ['2pl', true, false, true],
      ['compensatory', false, true, true],
    ]);
    expect(s.items[4]).toEqual({ id: 'p4', difficulty: null, discrimination: null });
    expect(s.prior).toEqual({ kind: 'none', logA: null, b: null });
    // Without text or residuals: labelled by its ids, its first prompts as examples.
    expect(s.residualGroups[0].label).toBe('group 1: p0, p1, p2, …');
    expect(s.residualGroups[0].examples).toEqual(['(item p0)', '(item p1)']);
  });

  it('describes a residual group by distinctive words, the prompts that follow its mean residual, and its semantic clusters', () => {
    const base = [1, -1, 2, -2, 0.5, -0.5];
    const residuals = new Float32Array(m * n);
    // p0 and p1 carry the group's pattern, p3 partly; p2 is orthogonal to it; p4 is outside the group.
    const cols = [base, base.map((x, k) => x + (k % 2 ? 0.1 : -0.1)), [1, 1, 1, 1, -2, -2], base.map((x, k) => x * 0.5 + (k === 0 ? 3 : 0)), [1, 1, -1, -1, 1, -1]];
    cols.forEach((col, i) => col.forEach((v, k) => (residuals[k * n + i] = v)));
    const items = ['triangle area geometry', 'triangle angles geometry', 'triangle sides geometry', 'syllogism logic', 'syllogism premises logic'].map((text, i) => ({ id: `p${i}`, text, metadata: {}, tags: [] }));
    const clusterings = { semantic: { kind: 'semantic', k: 2, assignments: Int32Array.from([0, 0, 0, 1, 1]), sizes: [3, 2], silhouette: 0.5, labels: ['geometry', 'logic'] }, performance: null, category: null } as unknown as Clusterings;
    // Members listed worst first, so that taking the first two would fail.
    const r = { ...result(), residualGroups: [{ prompts: [3, 2, 1, 0], size: 4, strength: 0.3, ids: ['p3', 'p2', 'p1', 'p0'] }] };
    const s = irtSection({ result: r, residuals, dataset: { models: Array.from({ length: m }, (_, k) => `m${k}`), items }, clusterings, itemsCsv: 'x.csv' });
    const g = s.residualGroups[0];
    expect(g.label).toContain('triangle');
    expect([...g.examples].sort()).toEqual(['triangle angles geometry', 'triangle area geometry']);
    expect(g.composition).toEqual([{ label: 'geometry', share: 0.75 }, { label: 'logic', share: 0.25 }]);
    expect(g.compositionSource).toBe('semantic');
    expect(g.ids).toEqual(['p3', 'p2', 'p1', 'p0']);
    expect(s.itemsCsv).toBe('x.csv');
  });
});
