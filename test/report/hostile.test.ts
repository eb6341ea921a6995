/**
 * A hostile benchmark through the whole pipeline: model names, item ids, prompt texts, categories,
 * tags, answers, dropped-entry ids and input paths full of markdown/HTML specials, control
 * characters, emoji and very long text. The page must stay a page: no markup injected, every table
 * keeps its columns, no code span broken; report.json keeps the data verbatim; figures stay XML.
 * (With prompt text, so the real embedder runs: ~10 s.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../../pipeline/report/schema.ts';
import { cleanupTempDirs, listFiles, runReport, saveDataset, syntheticDataset, tempDir, type RunResult } from './run-helpers.ts';
import { markdownProblems, parseXml, tables } from './helpers.ts';
import { existsSync } from 'node:fs';
import { checkFigures, DEFAULT_CHROMIUM } from '../../scripts/check-figures.ts';

const SPECIALS = '| `tick` ``two`` <script>alert(1)</script> <!-- c --> [x](javascript:alert(1)) **b** _i_ ~~s~~ \\ &amp; # h';
const modelName = (k: number) => `m|${k} <script>alert(${k})</script> \`x\` **b** [l](javascript:alert(1)) <!--`;
const itemId = (i: number) => `q${i}|<b>\`id\`</b>`;
const FAMILIES = ['apples and oranges at the market', 'trains leaving the station', 'poems about the sea'];
const text = (i: number) => {
  const base = `${FAMILIES[i % 3]} question ${i}: ${SPECIALS}\r\nsecond line\tafter tab \u0007\u001b[31m red 😀 🇫🇷 数学`;
  return i === 5 ? base + ' long'.repeat(2500) : base;
};

let r: RunResult;
let report: Report;

beforeAll(async () => {
  const dataDir = await tempDir();
  const reportsDir = await tempDir();
  const d = syntheticDataset({
    name: 'hostile',
    models: 9,
    prompts: 30,
    answers: true,
    modelName,
    itemId,
    text,
    category: (i) => `cat|${i % 3} <i>x</i> \`c\``,
    tags: (i) => (i % 2 ? ['tag <img src=x onerror=alert(1)>|`t`'] : []),
  });
  d.answers!.vocab = ['A', '<script>B</script>', '`C`|', 'D\nE'];
  await saveDataset(dataDir, d, {
    dropped: [{ what: 'item', id: '<script>evil</script>|`id`', reason: 'no text | <b>bold</b>\nnew line' }],
    sources: [{ path: 'logs/<script>|`x`.jsonl', sha256: 'cd'.repeat(32), bytes: 1, role: 'log|`role`' }],
  });
  r = await runReport(dataDir, reportsDir, 'hostile', ['--workers', '1']);
  expect(r.code, r.err).toBe(0);
  report = JSON.parse(r.json);
}, 180_000);
afterAll(cleanupTempDirs);

describe('hostile text through the whole report', () => {
  it('every stage ran, with text (embeddings, semantic clusters)', () => {
    expect(report.stages.embed.status).toBe('ok');
    expect(report.clusters!.semantic).not.toBeNull();
    expect(report.benchmark.promptsWithText).toBe(30);
  });

  it('report.md is a safe page: no markup, links, control characters or broken tables/code spans', () => {
    expect(markdownProblems(r.md)).toEqual([]);
    expect(r.md).not.toMatch(/<script|<img|<!--|<b>|<i>/i);
    expect(tables(r.md).length).toBeGreaterThanOrEqual(10);
  });

  it('the hostile strings are shown escaped, not dropped', () => {
    // Model names (cut to the table's width, with an ellipsis).
    expect(r.md).toContain('| m\\|3 &lt;script&gt;alert(3)&lt;/script&gt; \\`x\\` \\*\\*b\\*\\* \\[l\\](javascript:aler… |');
    expect(r.md).toContain('cat\\|1 &lt;i&gt;x&lt;/i&gt; \\`c\\`');
    expect(r.md).toContain('&lt;script&gt;evil&lt;/script&gt;\\|\\`id\\`');
    expect(r.md).toContain('no text \\| &lt;b&gt;bold&lt;/b&gt; new line');
    // A prompt text shows up as a cluster's typical prompt, cut short and on one line.
    const example = report.clusters!.semantic!.clusters[0].examples[0];
    expect(example).toBeTruthy();
    const row = r.md.split('\n').find((l) => l.includes('question') && l.includes('&lt;script&gt;alert(1)'));
    expect(row).toBeDefined();
    expect(row!.length).toBeLessThan(400);
  });

  it('report.json keeps the data verbatim (it is data, not markup)', () => {
    const models = report.reweighting!.schemes[0].models.map((m) => m.model).sort();
    expect(models).toEqual(Array.from({ length: 9 }, (_, k) => modelName(k)).sort());
    expect(report.benchmark.dropped[0].id).toBe('<script>evil</script>|`id`');
    expect(report.reproducibility.inputs[0].path).toBe('logs/<script>|`x`.jsonl');
  });

  it('every figure is well-formed XML and shows the hostile labels as text', async () => {
    const figs = (await listFiles(r.dir)).filter((f) => f.endsWith('.svg'));
    expect(figs).toContain('figures/similarity-vs-semantic.svg');
    for (const f of figs) {
      const svg = await readFile(join(r.dir, f), 'utf8');
      const root = parseXml(svg);
      for (const el of [root, ...root.children]) expect(el.name).not.toMatch(/^(script|foreignObject|a)$/);
    }
    const forest = await readFile(join(r.dir, 'figures/score-intervals.svg'), 'utf8');
    expect(forest).toContain('m|3 &lt;script&gt;alert(3)&lt;/script&gt;');
  });

  it.skipIf(!existsSync(DEFAULT_CHROMIUM))('every figure, hostile labels included, draws in headless Chromium (skipped without /usr/bin/chromium)', async () => {
    const results = await checkFigures(r.dir);
    expect(results.length).toBeGreaterThanOrEqual(6);
    for (const c of results) expect(c.ok, `${c.file}: ${c.problem}`).toBe(true);
  }, 60_000);

  it('reports/index.md stays safe', async () => {
    const index = await readFile(join(r.reportsDir, 'index.md'), 'utf8');
    expect(markdownProblems(index)).toEqual([]);
  });
});

describe('the page-safety checker itself', () => {
  it('catches raw HTML, a table row with an extra column, an unbalanced code span, a javascript: link and control characters', () => {
    const bad = ['| a | b |', '| - | - |', '| x | y | z |', '', 'text <script>x</script>', 'a `b', '[c](javascript:alert(1))', 'bell \u0007'].join('\n');
    const p = markdownProblems(bad).join('\n');
    expect(p).toMatch(/control characters: U\+0007/);
    expect(p).toMatch(/table at line 1, row 3: 3 cells/);
    expect(p).toMatch(/raw "<" starts markup/);
    expect(p).toMatch(/unbalanced code span/);
    expect(p).toMatch(/link to "javascript:alert\(1\)"/);
  });
});
