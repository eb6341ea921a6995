/**
 * Above --max-test-cells the statistics and nulls run on a seeded prompt sample (issue #15): the
 * tests must then be exactly the tests on that submatrix, and below the cap nothing may change.
 */
import { describe, expect, it } from 'vitest';
import { correlate, type CorrelateOptions } from '../../pipeline/correlate/index.ts';
import { chooseTestDesign, MIN_TEST_PROMPTS } from '../../pipeline/correlate/pairs.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { fitIrt } from '../../pipeline/irt/fit.ts';
import { generativeModel, nullC, ParametricNull, restrictModel } from '../../pipeline/irt/null.ts';
import { plantedFamilies } from './helpers.ts';

const opts: CorrelateOptions = { metric: 'pearson', permutations: 19, permutationsB: 19, pairSample: 20_000, topK: 3, minCommonModels: 3, heatmapSize: 10 };

function columnsOf(scores: Float64Array, m: number, n: number, cols: ArrayLike<number>): Float64Array {
  const s = cols.length;
  const out = new Float64Array(m * s);
  for (let k = 0; k < m; k++) for (let c = 0; c < s; c++) out[k * s + c] = scores[k * n + cols[c]];
  return out;
}

describe('tests on a prompt sample', () => {
  const m = 12;
  const n = 1000;
  const { scores } = plantedFamilies(m, n, 4, 7, 1);
  // The used prompts (those that vary): the sample indexes into them.
  const varies = (i: number) => {
    let lo = 1, hi = 0;
    for (let k = 0; k < m; k++) (lo = Math.min(lo, scores[k * n + i])), (hi = Math.max(hi, scores[k * n + i]));
    return hi > lo;
  };
  const used = Array.from({ length: n }, (_, i) => i).filter(varies);
  const nu = used.length;
  const sampledColumns = (cap: number) => chooseTestDesign(nu, m, opts.pairSample, cap, createRng(3).fork('correlate')).prompts.map((i) => used[i]);

  it('below the cap nothing changes (same JSON with the default, a huge or an exactly-met cap)', async () => {
    const base = await correlate({ scores, m, n }, opts, 3);
    const huge = await correlate({ scores, m, n }, { ...opts, maxTestCells: 1e12 }, 3);
    const exact = await correlate({ scores, m, n }, { ...opts, maxTestCells: m * n }, 3);
    expect(JSON.stringify(huge.result)).toBe(JSON.stringify(base.result));
    expect(JSON.stringify(exact.result)).toBe(JSON.stringify(base.result));
    expect(Array.from(exact.replicatesB)).toEqual(Array.from(base.replicatesB));
    expect(base.result.testPrompts).toBeUndefined();
  });

  it('above it, the statistics and all three tests equal those on the sampled submatrix', async () => {
    expect(nu).toBeGreaterThan(900);
    const cap = m * 450;
    const out = await correlate({ scores, m, n }, { ...opts, maxTestCells: cap }, 3);
    const r = out.result;
    expect(r.testPrompts).toEqual({ sampled: 450, of: nu, pairsAmong: (450 * 449) / 2, maxTestCells: cap });
    expect(r.pairs.exact).toBe(false);
    expect(r.pairs.total).toBe((nu * (nu - 1)) / 2);
    expect(r.estimators.distribution).toBe('pair-sample-on-prompt-sample');
    expect(r.notes.join(' ')).toMatch(new RegExp(`seeded sample of 450 of the ${nu} prompts`));

    const sub = await correlate({ scores: columnsOf(scores, m, n, sampledColumns(cap)), m, n: 450 }, opts, 3);
    expect(sub.result.prompts.used).toBe(450);
    const s = sub.result;
    expect(r.observed.mean).toBe(s.observed.mean);
    expect(r.observed.meanSquared).toBe(s.observed.meanSquared);
    expect(r.observed.quantiles).toEqual(s.observed.quantiles);
    for (const which of ['nullA', 'nullB'] as const) {
      expect(r[which].z).toBe(s[which].z);
      expect(r[which].meanSquared).toEqual(s[which].meanSquared);
      expect(r[which].ks).toEqual(s[which].ks);
    }
    expect(Array.from(out.replicatesB)).toEqual(Array.from(sub.replicatesB));
    // Top-k still covers every used prompt.
    let covered = 0;
    for (let i = 0; i < n; i++) if (out.topK.indices[i * out.topK.k] >= 0) covered++;
    expect(covered).toBe(nu);
  });

  it('the sample never drops below MIN_TEST_PROMPTS and is seeded', () => {
    const a = chooseTestDesign(5000, 100, 1000, 1000, createRng(1).fork('correlate'));
    const b = chooseTestDesign(5000, 100, 1000, 1000, createRng(1).fork('correlate'));
    const c = chooseTestDesign(5000, 100, 1000, 1000, createRng(2).fork('correlate'));
    expect(a.prompts.length).toBe(MIN_TEST_PROMPTS);
    expect(Array.from(a.prompts)).toEqual(Array.from(b.prompts));
    expect(Array.from(a.prompts)).not.toEqual(Array.from(c.prompts));
    expect(Array.from(a.prompts)).toEqual(Array.from(a.prompts).sort((x, y) => x - y));
    expect(chooseTestDesign(300, 100, 1000, 1000, createRng(1)).sampled).toBe(false);
  });

  it("irt's Null C uses correlate's prompt sample and pairs", async () => {
    const cap = m * 450;
    const fit = fitIrt(scores, m, n, { tol: 1e-3 });
    const r = await nullC(scores, m, n, fit, true, { metric: 'pearson', pairSample: opts.pairSample, minCommonModels: 3, B: 5, maxTestCells: cap }, 3);
    const design = chooseTestDesign(nu, m, opts.pairSample, cap, createRng(3).fork('correlate'));
    expect(r).not.toBeNull();
    expect(Array.from(r!.columns)).toEqual(Array.from(sampledColumns(cap)));
    expect(Array.from(r!.pairs)).toEqual(Array.from(design.pairSet.pairs));
    const out = await correlate({ scores, m, n }, { ...opts, maxTestCells: cap }, 3);
    expect(r!.test.observed).toBe(out.result.observed.mean);
  });

  it('Null C replicates drawn from the restricted model equal those drawn from the full one', () => {
    const fit = fitIrt(scores, m, n, { tol: 1e-3 });
    const columns = Int32Array.from(sampledColumns(m * 450));
    const full = generativeModel(fit, scores, true);
    const { model, sub } = restrictModel(full, scores, columns);
    const a = new Float64Array(columns.length * m);
    const b = new Float64Array(columns.length * m);
    for (const rep of [0, 7]) {
      new ParametricNull(full, scores, columns, 5).draw(rep, a);
      new ParametricNull(model, sub.scores, sub.columns, 5).draw(rep, b);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });
});
