/**
 * Output at scale (issue #15 item 4): a report on 3,000 models stays readable. report.md's
 * per-model tables show the top and bottom models and those the report names, say how many are
 * left out and point to models.csv (every model, RFC 4180); the figures aggregate instead of
 * drawing a label per model. The stages are not run: `covary report` reads a hand-made reweight
 * result (test/report/many-models.ts). Given categories by the hundred are cut to the largest 40.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { mdText } from '../../pipeline/report/escape.ts';
import { reportJsonSchema, type Report } from '../../pipeline/report/schema.ts';
import { rankDensityFigure } from '../../pipeline/report/svg/figures.ts';
import { checkFigures, DEFAULT_CHROMIUM } from '../../scripts/check-figures.ts';
import { cleanupTempDirs, cli, listFiles, saveDataset, syntheticDataset, tempDir } from './run-helpers.ts';
import { markdownProblems, parseXml, svgTexts, tables } from './helpers.ts';
import { validate } from './json-schema.ts';
import { saveManyModels, TRICKY } from './many-models.ts';

interface Written {
  dataset: Dataset;
  dir: string;
  md: string;
  report: Report;
  csv: string | null;
  svgs: Record<string, string>;
}

async function reportOn(m: number): Promise<Written> {
  const dataDir = await tempDir();
  const reportsDir = await tempDir();
  const dataset = await saveManyModels(dataDir, m);
  const r = await cli(['report', '--name', 'many', '--data-dir', dataDir, '--reports-dir', reportsDir, '--quiet']);
  expect(r.code, r.err).toBe(0);
  const dir = join(reportsDir, 'many');
  const read = (f: string) => readFile(join(dir, f), 'utf8');
  const svgs: Record<string, string> = {};
  for (const f of (await listFiles(dir)).filter((x) => x.endsWith('.svg'))) svgs[f] = await read(f);
  return { dataset, dir, md: await read('report.md'), report: JSON.parse(await read('report.json')) as Report, csv: existsSync(join(dir, 'models.csv')) ? await read('models.csv') : null, svgs };
}

/** RFC 4180: fields separated by commas, quoted fields may hold commas, line breaks and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
    } else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

/** The per-model table of a section (the one whose first column is the model). */
const modelTable = (md: string) => tables(md).find((t) => /^\| model +\|/.test(t.rows[0]))!;
/** The first cell of each row of a table (gap rows included), unescaped pipes kept as they are. */
const firstCells = (t: { rows: string[] }) => t.rows.slice(2).map((row) => row.slice(1).split(/(?<!\\)\|/)[0].trim());
const count = (s: string) => Number(s.replace(/,/g, ''));

const M = 3000;
let big: Written;
let mid: Written;
let small: Written;

beforeAll(async () => {
  big = await reportOn(M);
  mid = await reportOn(400);
  small = await reportOn(40);
}, 120_000);
afterAll(cleanupTempDirs);

describe(`report.md with ${M} models`, () => {
  it('stays small, and does not grow with the number of models beyond the threshold', () => {
    expect(markdownProblems(big.md)).toEqual([]);
    expect(big.md.length).toBeLessThan(60_000);
    // 400 → 3,000 models: only wider numbers (before the cut, 0.2 MB → 1.8 MB).
    expect(big.md.length).toBeLessThan(mid.md.length * 1.1);
  });

  it('each per-scheme table shows the 15 best and 15 worst under it and the models the report names, with the omitted count and a pointer to models.csv', () => {
    const rw = big.report.reweighting!;
    const named = new Set(rw.schemes.flatMap((s) => s.swaps.filter((x) => x.significant).flatMap((x) => x.models)));
    expect(named.size).toBeGreaterThan(0);
    const sections = big.md.split(/^### /m).slice(1);
    for (const s of rw.schemes) {
      const text = sections.find((x) => x.startsWith(`${mdText(s.name)}\n`))!;
      const cells = firstCells(modelTable(text));
      const shown = cells.filter((c) => !c.startsWith('…'));
      const byRank = [...s.models].sort((a, b) => a.rank! - b.rank!).map((m) => mdText(m.model, 48));
      expect(shown.slice(0, 15)).toEqual(byRank.slice(0, 15));
      expect(shown.slice(-15)).toEqual(byRank.slice(-15));
      for (const name of named) expect(shown).toContain(mdText(name, 48));
      // In rank order, with a marker row wherever models are left out.
      expect(shown).toEqual(byRank.filter((x) => shown.includes(x)));
      expect(cells.length).toBeGreaterThan(shown.length);
      const line = /Showing ([\d,]+) of ([\d,]+) models\b[^\n]*the other ([\d,]+) are in models\.csv/.exec(text);
      expect(line, text.slice(0, 300)).not.toBeNull();
      expect(count(line![1])).toBe(shown.length);
      expect(count(line![2])).toBe(M);
      expect(count(line![3])).toBe(M - shown.length);
      expect(shown.length).toBeLessThan(60);
    }
  });

  it('the plain averages table shows the 15 highest and 15 lowest means and the named models, and says how many are left out', () => {
    const t = tables(big.md).find((x) => /^\| model +\| plain mean/.test(x.rows[0]))!;
    const cells = firstCells(t);
    const shown = cells.filter((c) => !c.startsWith('…'));
    const byMean = [...big.report.benchmark.modelMeans].sort((a, b) => b.mean! - a.mean!).map((m) => mdText(m.model, 60));
    expect(shown.slice(0, 15)).toEqual(byMean.slice(0, 15));
    expect(shown.slice(-15)).toEqual(byMean.slice(-15));
    for (const x of big.report.reweighting!.schemes.flatMap((s) => s.swaps.filter((y) => y.significant).flatMap((y) => y.models))) expect(shown).toContain(mdText(x, 60));
    const line = /Showing ([\d,]+) of ([\d,]+) models\b[^\n]*the other ([\d,]+) are in models\.csv/.exec(big.md.slice(big.md.indexOf('Plain averages per model')))!;
    expect([count(line[1]), count(line[2]), count(line[3])]).toEqual([shown.length, M, M - shown.length]);
  });

  it('the list of models that may be the best is cut short, with how many more', () => {
    const rw = big.report.reweighting!;
    expect(rw.tauBest.length).toBeGreaterThan(15);
    const line = big.md.split('\n').find((l) => l.startsWith('**May be the best under the plain average**'))!;
    expect(line).toContain(`and ${rw.tauBest.length - 15} more`);
    expect(line.length).toBeLessThan(1500);
  });
});

describe(`models.csv with ${M} models`, () => {
  it('is written beside report.md and listed in report.json, which validates against the schema', () => {
    expect(big.csv).not.toBeNull();
    expect(big.report.files?.modelsCsv).toBe('models.csv');
    expect(validate(reportJsonSchema() as Record<string, unknown>, big.report)).toEqual([]);
  });

  it('has one row per model, and model names with commas, quotes and line breaks read back exactly', () => {
    const rows = parseCsv(big.csv!);
    const [head, ...body] = rows;
    expect(body).toHaveLength(M);
    for (const r of body) expect(r).toHaveLength(head.length);
    expect(head[0]).toBe('model');
    expect(new Set(body.map((r) => r[0]))).toEqual(new Set(big.dataset.models));
    for (const t of TRICKY) expect(body.some((r) => r[0].startsWith(t))).toBe(true);
  });

  it('holds each model’s plain mean and, per scheme, its score, interval, rank and rank sets as report.json has them', () => {
    const [head, ...body] = parseCsv(big.csv!);
    const col = (name: string) => {
      const j = head.indexOf(name);
      expect(j, `column ${name} in ${head.join(',')}`).toBeGreaterThanOrEqual(0);
      return j;
    };
    const rowOf = new Map(body.map((r) => [r[0], r]));
    for (const m of big.report.benchmark.modelMeans.filter((_, k) => k % 97 === 1)) expect(Number(rowOf.get(m.model)![col('plain_mean')])).toBeCloseTo(m.mean!, 5);
    for (const s of big.report.reweighting!.schemes) {
      for (const m of s.models.filter((_, k) => k % 97 === 1 || TRICKY.some((t) => _.model.startsWith(t)))) {
        const r = rowOf.get(m.model)!;
        expect(Number(r[col(`${s.name}.score`)])).toBeCloseTo(m.score!, 5);
        expect(Number(r[col(`${s.name}.ci_low`)])).toBeCloseTo(m.ciLow!, 5);
        expect(Number(r[col(`${s.name}.ci_high`)])).toBeCloseTo(m.ciHigh!, 5);
        expect(Number(r[col(`${s.name}.rank`)])).toBe(m.rank);
        expect([Number(r[col(`${s.name}.rank_set_low`)]), Number(r[col(`${s.name}.rank_set_high`)])]).toEqual(m.rankSet.marginal);
        expect([Number(r[col(`${s.name}.simultaneous_set_low`)]), Number(r[col(`${s.name}.simultaneous_set_high`)])]).toEqual(m.rankSet.simultaneous);
      }
    }
  });
});

describe(`figures with ${M} models`, () => {
  it('each figure has a bounded number of text elements and a bounded size', () => {
    expect(Object.keys(big.svgs).sort()).toEqual(['figures/rank-changes.svg', 'figures/rank-sets.svg', 'figures/score-intervals.svg']);
    for (const [f, svg] of Object.entries(big.svgs)) {
      const texts = svgTexts(parseXml(svg));
      expect(texts.length, f).toBeLessThan(200);
      expect(svg.length, f).toBeLessThan(120_000);
      expect(Number(/height="(\d+(\.\d+)?)"/.exec(svg)![1]), f).toBeLessThan(1600);
    }
  });

  it('the rank-set and interval figures label the top and bottom models; the rank-change figure names its biggest movers', () => {
    const uni = [...big.report.reweighting!.schemes[0].models].sort((a, b) => a.rank! - b.rank!);
    for (const f of ['figures/rank-sets.svg', 'figures/score-intervals.svg']) {
      const texts = svgTexts(parseXml(big.svgs[f]));
      for (const m of [uni[0], uni[14], uni[uni.length - 1]]) expect(texts.some((t) => m.model.startsWith(t.replace(/…$/, ''))), `${f}: ${m.model}`).toBe(true);
      expect(texts.some((t) => /^… [\d,]+ models$/.test(t)), f).toBe(true);
    }
    const caption = big.report.figures.find((x) => x.file === 'figures/rank-changes.svg')!.caption;
    expect(caption).toMatch(/3,000 models/);
  });

  /** Five schemes' panels (two rows), ranks spread over the whole square, the tricky names as highlights. */
  const draw = (n: number) =>
    rankDensityFigure({
      title: 'Model rank under each weighting scheme',
      reference: 'uniform',
      n,
      panels: ['cluster-balanced', 'inverse-density <x>', 'representative', 'category-balanced', 'correlation-adjusted'].map((name, j) => ({ name, ranks: Array.from({ length: n }, (_, k): [number, number] => [k + 1, 1 + ((k * (j + 2) * 7919) % n)]) })),
      highlights: TRICKY.map((label, i) => ({ label, note: `: ${i + 1} → ${n - i} under representative`, ranks: [[i + 1, n - i], null, [1, 1], [n, n], [n / 2, n / 3]] })),
    });

  it('the rank-density figure does not grow with the number of models (100,000 here), and escapes its labels', () => {
    const huge = draw(100_000);
    const texts = svgTexts(parseXml(huge));
    expect(huge.length).toBeLessThan(120_000);
    expect(texts.length).toBe(svgTexts(parseXml(draw(1_000))).length);
    expect(texts).toEqual(expect.arrayContaining(['inverse-density <x>', `${TRICKY[0]}: 1 → 100000 under representative`]));
  });

  it.skipIf(!existsSync(DEFAULT_CHROMIUM))(
    'draw cleanly in headless Chromium (no overlapping labels, marks inside their plot areas)',
    async () => {
      // And the rank-density figure with two rows of panels and the tricky names.
      await writeFile(join(big.dir, 'figures', 'density-five-panels.svg'), draw(100_000));
      const results = await checkFigures(big.dir);
      expect(results).toHaveLength(4);
      for (const c of results) expect(c.layout, c.file).toEqual([]);
      for (const c of results) expect(c.ok, `${c.file}: ${c.problem}`).toBe(true);
    },
    120_000,
  );
});

describe('at the threshold (40 models) nothing is cut', () => {
  it('every model is in every table, no models.csv is written and report.json has no files entry', () => {
    expect(small.csv).toBeNull();
    expect(small.report.files).toBeUndefined();
    expect(small.md).not.toMatch(/models\.csv|Showing \d+ of/);
    for (const s of small.report.reweighting!.schemes) {
      const text = small.md.split(/^### /m).find((x) => x.startsWith(`${mdText(s.name)}\n`))!;
      expect(firstCells(modelTable(text))).toHaveLength(40);
    }
  });
});

describe('many given categories (150)', () => {
  let md: string;
  let report: Report;
  let svgs: Record<string, string>;
  beforeAll(async () => {
    const dataDir = await tempDir();
    const reportsDir = await tempDir();
    // 10 categories of 30 prompts, then 140 of 2 or 3.
    await saveDataset(dataDir, syntheticDataset({ name: 'cats', models: 10, prompts: 600, category: (i) => (i < 300 ? `big-${i % 10}` : `small-${i % 140}`) }));
    const base = ['--name', 'cats', '--data-dir', dataDir, '--reports-dir', reportsDir, '--quiet'];
    for (const args of [['correlate', '--permutations', '19', '--permutations-b', '9', '--workers', '1'], ['cluster'], ['report']]) {
      const r = await cli([...args, ...base]);
      expect(r.code, r.err).toBe(0);
    }
    const dir = join(reportsDir, 'cats');
    md = await readFile(join(dir, 'report.md'), 'utf8');
    report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
    svgs = Object.fromEntries(await Promise.all((await listFiles(dir)).filter((f) => f.endsWith('.svg')).map(async (f) => [f, await readFile(join(dir, f), 'utf8')] as const)));
  }, 120_000);

  it('the category table lists the 40 largest and says where the other 110 are', () => {
    expect(report.clusters!.category!.clusters).toHaveLength(150);
    const section = md.slice(md.indexOf('### Given categories'));
    const rows = tables(section)[0].rows.slice(2);
    expect(rows).toHaveLength(40);
    expect(rows.slice(0, 10).every((r) => /\| +30 \| big-/.test(r))).toBe(true);
    expect(section).toContain('The 40 largest of 150 clusters; the other 110 (220 prompts) are in report.json (clusters.category.clusters).');
  });

  it('the size and family figures draw the 40 largest categories, and say so', () => {
    const sizes = svgTexts(parseXml(svgs['figures/cluster-sizes.svg'])).filter((t) => /^\d+: (big|small)-/.test(t));
    expect(sizes).toHaveLength(40);
    const family = svgTexts(parseXml(svgs['figures/family-similarity.svg'])).filter((t) => /^(big|small)-\d+ \(\d+\)$/.test(t));
    expect(family).toHaveLength(40);
    const caption = (f: string) => report.figures.find((x) => x.file === f)!.caption;
    expect(caption('figures/cluster-sizes.svg')).toContain('The 40 largest are drawn; the other 110 hold 220 prompts.');
    expect(caption('figures/family-similarity.svg')).toContain('Only the 40 largest of the 150 categories are shown.');
  });
});
