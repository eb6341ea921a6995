/**
 * The families verdict (issue #11 item 6) on hand-made sections: the three outcomes, no verdict on a
 * fit that did not converge, the wording without irt (unchanged), and the bottom line that follows.
 */
import { describe, expect, it } from 'vitest';
import { buildVerdict } from '../../pipeline/report/verdict.ts';
import { benchmark, correlation, explanation, irtSection, reweighting } from './sections.ts';
import { markdownProblems } from './helpers.ts';

const none = { benchmark: benchmark('b'), correlation: null, reweighting: null, explanation: null };
const stable = reweighting(5, [{ name: 'cluster-balanced', tau: 0.95, noise: 0.9, moves: [] }]);
const moving = reweighting(5, [{ name: 'cluster-balanced', tau: 0.4, noise: 0.9, moves: [{ model: 'model-4', rank: 1, deltaRank: -3, beyondNoise: true }] }]);
const stressOnly = reweighting(8, [{ name: 'correlation-adjusted', tau: 0.5, noise: 0.8, moves: [{ model: 'model-6', rank: 2, deltaRank: -4, beyondNoise: true }] }]);
const rasch = correlation({ aP: 0.001, bP: 0.4 });
const nullBRejected = correlation({ aP: 0.001, bP: 0.001 });
const groups = [
  { label: 'geometry, triangles', size: 40, strength: 0.21, cluster: 'geometry' },
  { label: 'logic, syllogisms', size: 25, strength: 0.12 },
];

const familySentence = (s: string[]) => s.find((x) => /^\*\*(Consistent with one ability axis|Prompts differ in how sharply|Prompts form families|No verdict on families)/.test(x));

describe('families verdict: three outcomes', () => {
  it('(a) null C not rejected, dimension 1, null B not rejected: consistent with one ability axis', () => {
    const v = buildVerdict({ ...none, correlation: rasch, irt: irtSection({ nullCp: 0.4, dimension: 1 }), reweighting: stable });
    expect(v.families).toBe('none');
    const s = familySentence(v.sentences)!;
    expect(s).toMatch(/^\*\*Consistent with one ability axis\.\*\*/);
    expect(s).toContain('0.090 against 0.080 ± 0.003 under null C (z = 3.3, p 0.400; 199 replicates)');
    expect(s).toContain('cross-validation picks one ability dimension (held-out log-loss 0.5000 ± 0.0040 over 5 folds');
    expect(s).toContain('differ in difficulty (and in how sharply they separate models) only');
    expect(v.sentences.at(-1)).toContain('nothing here suggests the plain average is misleading');
  });

  it('(b) null B rejected, null C not, dimension 1: discrimination only, no families claimed anywhere', () => {
    const v = buildVerdict({ ...none, correlation: nullBRejected, irt: irtSection({ nullCp: 0.4, dimension: 1 }), reweighting: stressOnly });
    expect(v.families).toBe('discrimination-only');
    expect(v.correlationBeyondModelStrength).toBe(true);
    const s = familySentence(v.sentences)!;
    expect(s).toMatch(/^\*\*Prompts differ in how sharply they separate models; no families beyond one axis\.\*\*/);
    expect(s).toContain('Null B is rejected');
    // Null B's sentence hands over to null C instead of calling it experimental.
    expect(v.sentences[1]).toContain('Null B cannot tell two causes apart');
    expect(v.sentences[1]).toContain('tells them apart');
    expect(v.sentences[1]).not.toContain('still experimental');
    // The bottom line does not reason with families it did not find.
    const bottom = v.sentences.at(-1)!;
    expect(bottom).toMatch(/^\*\*Bottom line:\*\*/);
    expect(bottom).toContain('not distinct abilities');
    expect(bottom).not.toContain('correlated prompt families');
    const stableV = buildVerdict({ ...none, correlation: nullBRejected, irt: irtSection({ nullCp: 0.4, dimension: 1 }), reweighting: stable });
    expect(stableV.sentences.at(-1)).toContain('prompts differ in how sharply they separate models but measure one ability');
    const movingV = buildVerdict({ ...none, correlation: nullBRejected, irt: irtSection({ nullCp: 0.4, dimension: 1 }), reweighting: moving });
    expect(movingV.sentences.at(-1)).toContain('the prompts measure one ability axis (with unequal discrimination), yet the cluster-balanced mix reorders models beyond noise');
    expect(movingV.sentences.at(-1)).toContain('not a family structure');
  });

  it('(c) null C rejected: families, named by their residual groups', () => {
    const v = buildVerdict({ ...none, correlation: nullBRejected, irt: irtSection({ nullCp: 0.005, dimension: 1, groups }), reweighting: stable });
    expect(v.families).toBe('families');
    const s = familySentence(v.sentences)!;
    expect(s).toMatch(/^\*\*Prompts form families beyond one ability axis:\*\* the mean squared similarity is 0\.090 against 0\.080 ± 0\.003 under null C \(z = 3\.3, p ≤ 0\.0050; 199 replicates\), although/);
    expect(s).toContain('although cross-validation picks one ability dimension');
    expect(s).toContain('1. “geometry, triangles” (40 prompts, mean residual correlation 0.210; 80% in semantic cluster “geometry”)');
    expect(s).toContain('2. “logic, syllogisms” (25 prompts, mean residual correlation 0.120)');
    expect(v.sentences.at(-1)).toContain('prompts form families beyond one ability axis, but no content-based re-weighting reorders');
    expect(markdownProblems(v.sentences.map((x) => `- ${x}`).join('\n') + '\n')).toEqual([]);
  });

  it('(c) dimension 2 with null C not rejected: families, saying that null C did not reject; moving rankings: do not report the average alone', () => {
    const v = buildVerdict({ ...none, correlation: rasch, irt: irtSection({ nullCp: 0.4, dimension: 2 }), reweighting: moving });
    expect(v.families).toBe('families');
    const s = familySentence(v.sentences)!;
    expect(s).toContain('cross-validation picks 2 ability dimensions');
    expect(s).toContain("although neither null C test rejects one axis");
    expect(s).toContain('No residual group of at least 3 prompts was found');
    // Null B not rejected: its sentence no longer says one axis accounts for everything.
    expect(v.sentences[1]).not.toContain('one ability axis accounts for the co-variation');
    expect(v.sentences.at(-1)).toContain('prompts form families beyond one ability axis and the cluster-balanced mix reorders models beyond noise: do not report the plain average alone');
  });
});

describe('families verdict: no verdict', () => {
  it('a fit that did not converge: no verdict, with iterations and gradient norm; null B keeps its careful wording', () => {
    const v = buildVerdict({ ...none, correlation: nullBRejected, irt: irtSection({ nullCp: 0.001, dimension: 2, converged: false, groups }), reweighting: stable });
    expect(v.families).toBeNull();
    expect(v.familiesReason).toMatch(/did not converge/);
    const s = familySentence(v.sentences)!;
    expect(s).toBe('**No verdict on families of prompts:** the one-ability-axis fit did not converge in 500 EM cycles (largest gradient of the log-likelihood 0.250, largest last change of a parameter 0.003), so no verdict rests on it.');
    expect(v.sentences.join(' ')).not.toMatch(/Prompts form families|Consistent with one ability axis|geometry/);
    expect(v.sentences[1]).toContain('gave no verdict (next), so this report does not claim families');
    expect(v.sentences.at(-1)).toContain('prompts co-vary beyond the equal-discrimination model');
  });

  it('null B unknown (no correlate section) and null C not rejected: the stage\u2019s own verdict stands; without one, no verdict', () => {
    const withStage = buildVerdict({ ...none, irt: irtSection({ nullCp: 0.4, dimension: 1, stageFamilies: 'discrimination-only' }) });
    expect(withStage.families).toBe('discrimination-only');
    const without = buildVerdict({ ...none, irt: irtSection({ nullCp: 0.4, dimension: 1 }) });
    expect(without.families).toBeNull();
    expect(without.familiesReason).toMatch(/Null B is unknown/);
  });

  it('without the irt stage: verdict.families is null with the reason, and the sentences are today\u2019s', () => {
    const base = { ...none, correlation: nullBRejected, reweighting: stable, explanation: explanation({ semantic: 0.05, semanticP: 0.01 }) };
    const before = buildVerdict(base);
    const notRun = buildVerdict({ ...base, irt: null, stages: { irt: { status: 'missing', reason: 'not run (run `covary irt --name b`)' } } });
    expect(notRun.families).toBeNull();
    expect(notRun.familiesReason).toMatch(/irt stage .* has not been run/);
    expect(notRun.sentences).toEqual(before.sentences);
    expect(notRun.sentences[1]).toContain('The one-ability-axis test (`covary irt`, null C) is still experimental, so this report does not claim families.');
    expect(notRun.sentences.at(-1)).toContain('prompts co-vary beyond the equal-discrimination model');
    const skipped = buildVerdict({ ...base, irt: null, stages: { irt: { status: 'skipped', reason: 'only 4 models' } } });
    expect(skipped.familiesReason).toBe('the irt stage was skipped: only 4 models');
    expect(skipped.sentences[1]).toContain('The one-ability-axis test (null C) was skipped (only 4 models), so this report does not claim families.');
  });
});

describe('third finding with the residual response', () => {
  it('reads "what explains co-variation beyond model strength" and gives raw similarity as secondary', () => {
    const v = buildVerdict({ ...none, explanation: explanation({ semantic: 0.05, semanticP: 0.01, residual: true }) });
    const s = v.sentences.find((x) => x.startsWith('**What explains'))!;
    expect(s).toMatch(/^\*\*What explains co-variation beyond model strength:\*\* the regression over prompt pairs explains R² = 0\.210 of the variation in residual similarity \(Q3/);
    expect(s).toContain('For raw performance similarity, which includes model strength: R² = 0.550, semantic partial R² 0.020, difficulty 0.500.');
    const raw = buildVerdict({ ...none, explanation: explanation({ semantic: 0.05, semanticP: 0.01 }) });
    expect(raw.sentences.find((x) => x.startsWith('**What explains'))).toMatch(/^\*\*What explains it:\*\* .* performance similarity\. /);
  });
});
