/**
 * The irt stage in the report (issue #11 items 6–7): `covary run --with irt` on a small benchmark
 * with planted families writes report.json's irt section, correlation.nullC and verdict.families,
 * the section "How many abilities does this benchmark measure?", its figures, and the methods text.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ReportSchema, type Report } from '../../pipeline/report/schema.ts';
import { cleanupTempDirs, cli, runReport, saveDataset, SMALL_B, syntheticDataset, tempDir, type RunResult } from './run-helpers.ts';
import { markdownProblems, parseXml, svgTexts } from './helpers.ts';
import { schemaAt, validate } from './json-schema.ts';

vi.setConfig({ testTimeout: 120_000 });

const IRT_FAST = ['--folds', '3'];
let a: RunResult;
let report: Report;

beforeAll(async () => {
  const dataDir = await tempDir();
  const reportsDir = await tempDir();
  await saveDataset(dataDir, syntheticDataset({ name: 'fam', models: 12, prompts: 60, text: (i) => `Question ${i} about ${['algebra', 'geometry', 'logic'][i % 3]} and ${['primes', 'triangles', 'syllogisms'][i % 3]}` }));
  a = await runReport(dataDir, reportsDir, 'fam', IRT_FAST, SMALL_B);
  report = JSON.parse(a.json);
});
afterAll(cleanupTempDirs);

/** The report.json keys issue #11 promises (nested paths; [] = every array element). */
const PROMISED_IRT = [
  'irt.dimension',
  'irt.logLik',
  'irt.items[].id',
  'irt.items[].difficulty',
  'irt.items[].discrimination',
  'irt.crossValidation[].k',
  'irt.crossValidation[].loss',
  'irt.crossValidation[].se',
  ...['', '.meanSquared', '.ks'].flatMap((s) => ['observed', 'z', 'p'].map((k) => `correlation.nullC${s}.${k}`)),
  'verdict.families',
];

describe('report.json with the irt stage', () => {
  it('validates against the printed schema, which declares and requires every promised key', async () => {
    expect(a.code, a.err).toBe(0);
    const s = await cli(['schema']);
    const printed = JSON.parse(s.out);
    for (const p of PROMISED_IRT) expect(() => schemaAt(printed, p), p).not.toThrow();
    expect(validate(printed, report)).toEqual([]);
    expect(ReportSchema.safeParse(report).success).toBe(true);
  });

  it('has the issue’s fields: an integer dimension, the log-likelihood, one item per prompt, CV rows with loss and SE, null C shaped as null A/B, the families verdict', () => {
    expect(report.stages.irt).toEqual({ status: 'ok', reason: null });
    const irt = report.irt!;
    expect(Number.isInteger(irt.dimension)).toBe(true);
    expect(irt.dimension).toBeGreaterThanOrEqual(1);
    expect(typeof irt.logLik).toBe('number');
    expect(irt.logLik!).toBeLessThan(0);
    expect(irt.items.map((x) => x.id)).toEqual(Array.from({ length: 60 }, (_, i) => `q${String(i).padStart(3, '0')}`));
    for (const it of irt.items) {
      expect(typeof it.difficulty).toBe('number');
      expect(it.discrimination!).toBeGreaterThan(0);
    }
    // --max-dim 2: additive, 2PL and k = 2; exactly one chosen row, of the reported k.
    expect(irt.crossValidation.map((r) => [r.model, r.k])).toEqual([['additive', 1], ['2pl', 1], ['compensatory', 2]]);
    for (const r of irt.crossValidation) {
      expect(r.loss!).toBeGreaterThan(0);
      expect(r.se!).toBeGreaterThan(0);
      expect(r.folds).toBe(3);
    }
    expect(irt.crossValidation.filter((r) => r.chosen).map((r) => r.k)).toEqual([irt.dimension]);
    const c = report.correlation!;
    expect(c.nullC).toEqual(irt.nullC);
    expect(c.nullC!.method).toBe('parametric-bootstrap');
    expect(c.nullC!.replicates).toBe(19);
    // Same prompts and pairs as null A/B: the observed column is theirs.
    expect(c.nullC!.observed).toBeCloseTo(c.nullA.observed!, 12);
    expect(c.nullC!.meanSquared!.observed).toBeCloseTo(c.nullA.meanSquared!.observed!, 12);
    expect(['none', 'discrimination-only', 'families']).toContain(report.verdict.families);
    expect(irt.prior.kind).toBe('default');
    expect(irt.residualGroups.length).toBeGreaterThan(0);
    for (const g of irt.residualGroups) {
      expect(g.ids.length).toBe(g.size);
      expect(g.examples.length).toBeGreaterThan(0);
      expect(g.compositionSource).toBe('semantic');
    }
  });

  it('the items CSV the report names exists, one row per prompt, the same numbers', async () => {
    const rel = report.irt!.itemsCsv!;
    const csv = (await readFile(resolve(a.dir, rel), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('id,difficulty,discrimination,guessing');
    expect(csv).toHaveLength(61);
    const [id, b, disc] = csv[1].split(',');
    expect(id).toBe(report.irt!.items[0].id);
    expect(Number(b)).toBeCloseTo(report.irt!.items[0].difficulty!, 4);
    expect(Number(disc)).toBeCloseTo(report.irt!.items[0].discrimination!, 4);
  });

  it('explain used the residual (Q3) response when the fit converged, raw similarity as secondary', () => {
    const e = report.explanation!;
    // Residuals of a fit that did not converge are not used (explain says so); the stage test pins both cases on fixed artifacts.
    if (!report.irt!.convergence.converged) {
      expect(e.responseKind).toBe('performance-similarity');
      expect(e.notes.join(' ')).toMatch(/irt fit did not converge/);
      return;
    }
    expect(e.responseKind).toBe('residual-similarity');
    expect(e.performanceSimilarity).not.toBeNull();
    expect(e.r2).not.toBe(e.performanceSimilarity!.r2);
    expect(report.verdict.sentences.some((x) => x.startsWith('**What explains co-variation beyond model strength:**'))).toBe(true);
    expect(a.md).toContain('## What explains co-variation beyond model strength?');
    expect(a.md).toContain('### Raw pearson performance similarity (secondary)');
  });
});

describe('report.md with the irt stage', () => {
  it('has the section "How many abilities does this benchmark measure?" after the correlation section, finding first', () => {
    expect(markdownProblems(a.md)).toEqual([]);
    const heads = a.md.split('\n').filter((l) => l.startsWith('## '));
    expect(heads.slice(0, 4)).toEqual(['## The data', '## Do models succeed and fail on prompts together?', '## How many abilities does this benchmark measure?', '## Families of prompts']);
    const sec = a.md.slice(a.md.indexOf('## How many abilities'), a.md.indexOf('## Families of prompts'));
    const first = sec.split('\n')[2];
    expect(first).toMatch(/^\*\*(Consistent with one ability axis|Prompts differ in how sharply|Prompts form families|No verdict on families)/);
    // The same finding is in the verdict at the top.
    expect(report.verdict.sentences).toContain(first);
    expect(sec).toContain('weak Bayes-modal priors');
    expect(sec).toContain('no guessing asymptote');
    expect(sec).toMatch(/The fit (converged|did not converge) in [\d,]+ EM cycles \(largest gradient/);
    expect(sec).toContain(`**chosen: k = ${report.irt!.dimension}**`);
    expect(sec).toContain('Yen');
    expect(sec).toContain(report.irt!.residualGroups[0].label);
    expect(sec).toContain('irt-items.csv');
    expect(sec).toContain('![Held-out loss by number of ability dimensions](figures/irt-dimension.svg)');
    expect(sec).toContain('![Prompt groups whose residuals co-vary beyond one ability axis](figures/irt-residual-groups.svg)');
  });

  it('the null table has the C row beside A and B; methods describe the irt options', () => {
    expect(a.md).toMatch(/\| C \(one ability axis\) +\| parametric-bootstrap +\| +19 \|/);
    expect(report.methods).toContain('One ability axis (irt stage)');
    expect(report.methods).toContain('Null C is a parametric bootstrap from that fit (19 replicates)');
    expect(report.methods).toContain('3-fold cross-validation');
    expect(report.methods).toContain('up to k = 2');
  });

  it('draws both irt figures and leaves none out', async () => {
    const files = report.figures.map((f) => f.file);
    expect(files).toEqual(expect.arrayContaining(['figures/irt-dimension.svg', 'figures/irt-residual-groups.svg']));
    expect((report.figuresLeftOut ?? []).filter((f) => f.file.includes('irt'))).toEqual([]);
    const svg = await readFile(join(a.dir, 'figures/irt-dimension.svg'), 'utf8');
    expect(svgTexts(parseXml(svg))).toEqual(expect.arrayContaining(['ability dimensions k', 'held-out log-loss per cell']));
    const groups = svgTexts(parseXml(await readFile(join(a.dir, 'figures/irt-residual-groups.svg'), 'utf8')));
    expect(groups).toEqual(expect.arrayContaining(['mean Q3 within the group']));
  });
});
