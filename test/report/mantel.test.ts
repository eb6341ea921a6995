/**
 * Exact statistics first: when explain computed the Mantel r over all pairs, report.json carries it
 * (explanation.mantel.rAllPairs) and the verdict, report.md and results table lead with it, with the
 * p-value of the design that produced it; the sampled estimate appears only as a cross-check.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { explain } from '../../pipeline/explain/explain.ts';
import { resolveOptions } from '../../pipeline/explain/options.ts';
import { explanationSection, mantelText } from '../../pipeline/report/sections.ts';
import { buildVerdict } from '../../pipeline/report/verdict.ts';
import { renderMarkdown } from '../../pipeline/report/markdown.ts';
import { ReportSchema } from '../../pipeline/report/schema.ts';
import { fmt } from '../../pipeline/report/format.ts';
import { familyEmbeddings, simulateScores } from '../explain/helpers.ts';
import { benchmark, explanation, reportOf } from './sections.ts';

async function sampledExplanation(permutations: number) {
  const rng = createRng(8);
  const n = 160;
  const m = 30;
  const fam = Int32Array.from({ length: n }, (_, i) => i % 8);
  const dataset: Dataset = {
    name: 'sim',
    models: Array.from({ length: m }, (_, k) => `m${k}`),
    items: Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: `prompt ${i}`, metadata: {}, tags: [] })),
    scores: simulateScores(m, fam, 0.4, rng.fork('scores')),
    answers: null,
  };
  const inputs = { dataset, embeddings: { vectors: familyEmbeddings(fam, 12, 0.7, rng.fork('emb')), d: 12 }, knn: null, semanticClusters: null, userTags: null, nullB: null };
  return (await explain(inputs, resolveOptions({ permutations, maxPairs: 3000, nullBSamples: 0 }), createRng(1))).result;
}

describe('Mantel: the exact all-pairs statistic leads', () => {
  it('report.json carries explanation.mantel.rAllPairs and its all-pairs p; the verdict and report.md sentences use them', async () => {
    const res = await sampledExplanation(99);
    expect(res.pairs!.design).toBe('stratified');
    const sec = explanationSection(res);
    expect(sec.mantel.rAllPairs).toBe(res.mantel!.rAllPairs);
    expect(sec.mantel.pAllPairs).toBe(res.mantel!.pAllPairs);
    expect(sec.mantel.allPairs).toBe(res.mantel!.allPairs);
    expect(sec.mantel.lead).toBe('all-pairs');
    expect(sec.mantel.rAllPairs).not.toBe(sec.mantel.r); // the two differ, so the test can tell which one is shown

    const text = mantelText(sec);
    const exact = `Mantel r = ${fmt(sec.mantel.rAllPairs)} over all ${sec.mantel.allPairs!.toLocaleString('en-US')} pairs`;
    expect(text.startsWith(exact)).toBe(true);
    expect(text).toContain('permutations over all pairs');
    expect(text).toContain(`cross-check: sampled estimate r = ${fmt(sec.mantel.r)}`);

    const verdict = buildVerdict({ benchmark: benchmark('sim'), correlation: null, reweighting: null, explanation: sec });
    expect(verdict.sentences.join(' ')).toContain(exact);
    const report = reportOf({ name: 'sim', explanation: sec, verdict: { ...verdict, correlationBeyondChance: null, correlationBeyondModelStrength: null, rankingsMoveBeyondNoise: null, largestRankShiftBeyondNoise: null, semanticPartialR2: null } });
    expect(ReportSchema.safeParse(report).success).toBe(true);
    const round = JSON.parse(JSON.stringify(report));
    expect(round.explanation.mantel.rAllPairs).toBe(res.mantel!.rAllPairs);
    const md = renderMarkdown(report);
    expect(md).toContain(`Mantel test (semantic similarity alone): ${text}.`);
    // The sampled r comes after the exact one, never first.
    const line = md.split('\n').find((l) => l.startsWith('R² ='))!;
    expect(line.indexOf(fmt(sec.mantel.rAllPairs))).toBeLessThan(line.indexOf(`sampled estimate r = ${fmt(sec.mantel.r)}`));
  });

  it('without an all-pairs p, says the p belongs to the sample', () => {
    const e = explanation({ semantic: 0.1, semanticP: 0.01, mantelP: 0.078 });
    const sec = { ...e, pairs: { used: 30000, sampled: true }, mantel: { ...e.mantel, r: 0.016, rAllPairs: 0.00105, allPairs: 869_221, pAllPairs: null, allPairsPermutations: null, lead: 'all-pairs' as const } };
    expect(mantelText(sec)).toBe('Mantel r = 0.001 over all 869,221 pairs (no all-pairs p-value; cross-check: sampled estimate r = 0.016 on 30,000 sampled pairs, whose p 0.078 belongs to the sample)');
  });

  it('without an exact statistic the sampled estimate is the Mantel number, as before', () => {
    const e = explanation({ semantic: 0.15, semanticP: 0.01, mantelP: 0.005 });
    expect(mantelText(e)).toBe('Mantel r = 0.300, p ≤ 0.0050');
  });
});
