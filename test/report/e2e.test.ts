/**
 * `covary run` end to end on a small text-free benchmark (embed and index skip at once): the page's
 * sections and their order, the skip notes, the figures, determinism across runs, and a second run
 * that reuses everything and rewrites nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../pipeline/core/hash.ts';
import { COVARY_VERSION } from '../../pipeline/core/version.ts';
import type { Report } from '../../pipeline/report/schema.ts';
import { cleanupTempDirs, listFiles, placeholders, runReport, saveDataset, syntheticDataset, tempDir, type RunResult } from './run-helpers.ts';
import { markdownProblems, parseXml, svgTexts, tables } from './helpers.ts';

const NAME = 'tiny';

async function fresh(seedArgs: string[] = []): Promise<RunResult> {
  const dataDir = await tempDir();
  const reportsDir = await tempDir();
  await saveDataset(dataDir, syntheticDataset({ name: NAME, models: 10, prompts: 60, answers: true, missing: [[0, 3], [5, 40]] }), {
    dropped: [{ what: 'item', id: 'q-dup', count: 2, reason: 'duplicate item id' }],
    sources: [{ path: 'scores.csv', sha256: 'ab'.repeat(32), bytes: 1234, role: 'scores' }],
  });
  const r = await runReport(dataDir, reportsDir, NAME, seedArgs);
  expect(r.code, r.err).toBe(0);
  return r;
}

const norm = (r: RunResult, text: string) => placeholders(text, { DATA_DIR: r.dataDir, REPORTS_DIR: r.reportsDir });

let a: RunResult;
let report: Report;

beforeAll(async () => {
  a = await fresh();
  report = JSON.parse(a.json);
});
afterAll(cleanupTempDirs);

describe('covary run → report.md', () => {
  it('ends with the report path on stdout and writes report.md, report.json, figures and reports/index.md', async () => {
    expect(a.out).toMatch(/^recomputed: correlate, irt, cluster, reweight, explain, report$/m);
    expect(a.out.trim().split('\n').at(-1)).toBe(`report: ${join(a.reportsDir, NAME, 'report.md')}`);
    expect(a.err).toBe('');
    const files = await listFiles(a.reportsDir);
    expect(files).toEqual(expect.arrayContaining(['index.md', `${NAME}/report.md`, `${NAME}/report.json`]));
    expect(files.filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(5);
    const index = await readFile(join(a.reportsDir, 'index.md'), 'utf8');
    expect(index).toContain(`[${NAME}](${NAME}/report.md)`);
  });

  it('has its sections in the promised order: verdict, data, correlation, abilities (irt), clusters, re-weighting, explanation, methods, reproducibility', () => {
    const heads = a.md.split('\n').filter((l) => /^##? /.test(l));
    const want = [/^# Can the average of “tiny” be trusted\?$/, /^## The data$/, /^## Do models succeed and fail on prompts together\?$/, /^## How many abilities does this benchmark measure\?$/, /^## Families of prompts$/, /^## Does the ranking depend on the prompt mix\?$/, /^## What explains co-variation beyond model strength\?$/, /^## Methods$/, /^## Reproducibility$/];
    expect(heads).toHaveLength(want.length);
    heads.forEach((h, i) => expect(h).toMatch(want[i]));
  });

  it('the verdict comes first, in plain sentences with the key numbers', () => {
    const verdict = a.md.slice(0, a.md.indexOf('## The data'));
    expect(verdict.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(report.verdict.sentences.length);
    expect(verdict).toContain(`mean pearson similarity between prompts is ${report.correlation!.nullA.observed!.toFixed(3)}`);
    expect(verdict).toMatch(/Rankings move beyond noise|Ranks move by up to \d+ place\(s\), within noise|No rank changes/);
    expect(verdict).toContain('Semantic similarity could not be assessed (no prompt text)');
  });

  it('the data section gives models, prompts, missing cells and dropped prompts with the reason', () => {
    const data = a.md.slice(a.md.indexOf('## The data'), a.md.indexOf('## Do models'));
    expect(data).toContain('10 models × 60 prompts');
    expect(data).toContain('2 cells are missing');
    expect(data).toMatch(/Dropped at ingestion \(2 prompts in all\)/);
    expect(data).toContain('duplicate item id');
  });

  it('says why the semantic parts are missing on a text-free benchmark', () => {
    expect(report.stages.embed).toMatchObject({ status: 'skipped' });
    expect(report.stages.index).toMatchObject({ status: 'skipped' });
    expect(report.stages.embed.reason).toMatch(/no prompt text/);
    expect(report.embedding).toBeNull();
    expect(report.clusters!.semantic).toBeNull();
    const clusters = a.md.slice(a.md.indexOf('## Families of prompts'), a.md.indexOf('## Does the ranking'));
    expect(clusters).toMatch(/> no semantic clusters: the benchmark has no prompt text/);
    expect(clusters).toContain('### Performance clusters');
    expect(clusters).toContain('### Given categories');
    const rw = a.md.slice(a.md.indexOf('## Does the ranking'), a.md.indexOf('## What explains'));
    expect(rw).toMatch(/- cluster-balanced: skipped — no semantic clusters/);
    expect(rw).toMatch(/- inverse-density: skipped — no kNN graph/);
    const ex = a.md.slice(a.md.indexOf('## What explains'), a.md.indexOf('## Methods'));
    expect(ex).toMatch(/> no embeddings .*semantic predictors.*dropped/);
    expect(ex).toContain('partial R²: semantic –');
  });

  it('re-weighting has a table per scheme with score, interval, rank interval and Δrank', () => {
    for (const s of report.reweighting!.schemes) expect(a.md).toContain(`### ${s.name}\n`);
    const perScheme = tables(a.md).filter((t) => t.rows[0].includes('score [95% CI]'));
    expect(perScheme).toHaveLength(report.reweighting!.schemes.length);
    for (const t of perScheme) {
      expect(t.rows).toHaveLength(2 + 10);
      expect(t.rows[0]).toMatch(/rank: set \[simultaneous\].*Δrank/);
    }
  });

  it('the methods paragraph comes from the options actually used', () => {
    const methods = a.md.slice(a.md.indexOf('## Methods'), a.md.indexOf('## Reproducibility'));
    expect(methods).toContain('(99 replicates)');
    expect(methods).toContain('(19 replicates)');
    expect(methods).toContain('100 bootstrap replicates');
    expect(methods).toContain('Seed 1 for every random step');
    expect(methods).toContain(`covary ${COVARY_VERSION}`);
  });

  it('the reproducibility footer gives version, seed, dataset hash, command line and input sha256s', () => {
    const foot = a.md.slice(a.md.indexOf('## Reproducibility'));
    expect(foot).toContain(`covary ${COVARY_VERSION}, seed 1, dataset hash \`${report.reproducibility.datasetHash.slice(0, 16)}\``);
    expect(norm(a, foot)).toContain('Command: `covary run --name tiny --data-dir $DATA_DIR --reports-dir $REPORTS_DIR --quiet --permutations 99');
    expect(foot).toContain(`\`${'ab'.repeat(32)}\``);
  });

  it('is a safe page: every table keeps its column count, no raw HTML, no broken code span', () => {
    expect(markdownProblems(a.md)).toEqual([]);
    expect(tables(a.md).length).toBeGreaterThanOrEqual(8);
  });
});

describe('figures', () => {
  it('every figure is linked from report.md and listed in report.json, and every link resolves', async () => {
    const onDisk = (await listFiles(a.dir)).filter((f) => f.endsWith('.svg'));
    const linked = [...a.md.matchAll(/!\[[^\]]*\]\((figures\/[^)]+\.svg)\)/g)].map((m) => m[1]).sort();
    expect(linked).toEqual(onDisk);
    expect(report.figures.map((f) => f.file).sort()).toEqual(onDisk);
    expect(onDisk).toEqual(['figures/cluster-sizes.svg', 'figures/family-similarity.svg', 'figures/irt-dimension.svg', 'figures/irt-residual-groups.svg', 'figures/null-histograms.svg', 'figures/rank-changes.svg', 'figures/rank-sets.svg', 'figures/score-intervals.svg']);
    // The text-free benchmark has no semantic similarity: that figure is left out, with the reason in the report.
    expect(report.figuresLeftOut).toEqual([{ file: 'figures/similarity-vs-semantic.svg', title: 'Performance similarity against semantic similarity', reason: expect.stringMatching(/no semantic similarity/) }]);
    // covary run runs irt: its section, the null C row and a families verdict are there.
    expect(report.irt).not.toBeNull();
    expect(report.correlation!.nullC).not.toBeNull();
    expect(a.md).toMatch(/\| C \(one ability axis\)/);
    expect(a.md).toMatch(/^> Figure left out \(Performance similarity against semantic similarity\): no semantic similarity/m);
    for (const f of report.figures) expect(a.md).toContain(`*${f.caption.replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)}*`);
  });

  it('every SVG is well-formed XML with a title, axis labels, and a legend where it has several series', async () => {
    const texts: Record<string, string[]> = {};
    for (const f of report.figures) {
      const svg = await readFile(join(a.dir, f.file), 'utf8');
      const root = parseXml(svg);
      expect(root.name).toBe('svg');
      expect(root.children.find((c) => c.name === 'title')?.text).toBe(f.title);
      texts[f.file] = svgTexts(root);
    }
    expect(texts['figures/null-histograms.svg']).toEqual(expect.arrayContaining(['pearson similarity of two prompts', 'density', 'observed prompt pairs', 'null A (shuffled)', 'null B (ability-preserving)']));
    expect(texts['figures/family-similarity.svg']).toEqual(expect.arrayContaining(['prompts per category (same order as the rows)', 'mean pearson']));
    expect(texts['figures/cluster-sizes.svg']).toEqual(expect.arrayContaining(['prompts', '0: algebra']));
    expect(texts['figures/rank-changes.svg']).toEqual(expect.arrayContaining(['rank (1 = best)', 'weighting scheme', ...report.reweighting!.schemes.map((s) => s.name)]));
    // The forest plot's legend names each scheme it draws, uniform first.
    expect(texts['figures/score-intervals.svg']).toEqual(expect.arrayContaining(['weighted score', 'uniform']));
  });
});

describe('determinism and caching', () => {
  it('the same inputs and seed in fresh folders give byte-identical report.json, report.md and figures', async () => {
    const b = await fresh();
    expect(norm(b, b.json)).toBe(norm(a, a.json));
    expect(norm(b, b.md)).toBe(norm(a, a.md));
    const figs = (await listFiles(a.dir)).filter((f) => f.endsWith('.svg'));
    for (const f of figs) expect(await readFile(join(b.dir, f), 'utf8'), f).toBe(await readFile(join(a.dir, f), 'utf8'));
    // No timestamps anywhere in the deterministic outputs.
    expect(a.json + a.md).not.toMatch(/\b20\d\d-\d\d-\d\dT\d\d:/);
  });

  it('another seed gives other numbers (the comparison above can fail)', async () => {
    const c = await fresh(['--seed', '2']);
    const rc = JSON.parse(c.json) as Report;
    expect(rc.reproducibility.seed).toBe(2);
    expect(rc.correlation!.nullA.nullMean).not.toBe(report.correlation!.nullA.nullMean);
  });

  it('a second run with nothing changed reuses every stage, says so, and rewrites no report or stage file', async () => {
    const watched = [...(await listFiles(a.dir)).map((f) => join(a.dir, f)), ...['correlate', 'cluster', 'reweight', 'explain', 'report', 'embed', 'index', 'manifest'].map((s) => join(a.dataDir, 'benchmarks', NAME, `${s}.json`))];
    for (const f of watched) expect(existsSync(f), f).toBe(true);
    const snap = async () => Promise.all(watched.map(async (f) => ({ f, mtime: (await stat(f)).mtimeMs, ino: (await stat(f)).ino, hash: sha256(await readFile(f)) })));
    const indexBefore = await readFile(join(a.reportsDir, 'index.md'), 'utf8');
    const before = await snap();
    const again = await runReport(a.dataDir, a.reportsDir, NAME);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^nothing changed: every stage result was reused from cache$/m);
    expect(again.out).toContain(`report: ${join(a.reportsDir, NAME, 'report.md')}`);
    expect(await snap()).toEqual(before);
    expect(await readFile(join(a.reportsDir, 'index.md'), 'utf8')).toBe(indexBefore);
  });

  it('a second run with nothing changed does not rewrite reports/index.md either', async () => {
    // MINOR (pipeline/report/stage.ts, cached branch of run()): writeIndexPage() runs even when the
    // report is fresh, so reports/index.md is replaced (same bytes, new inode/mtime) on every `covary run`.
    const path = join(a.reportsDir, 'index.md');
    const before = await stat(path);
    const again = await runReport(a.dataDir, a.reportsDir, NAME);
    expect(again.out).toContain('nothing changed');
    const after = await stat(path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('a deleted figure is noticed: the report is rewritten, not reported as up to date', async () => {
    const { rm } = await import('node:fs/promises');
    await rm(join(a.dir, 'figures', 'rank-changes.svg'));
    const again = await runReport(a.dataDir, a.reportsDir, NAME);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^recomputed: report$/m);
    expect(existsSync(join(a.dir, 'figures', 'rank-changes.svg'))).toBe(true);
    expect(again.json).toBe(a.json);
  });
});
