/**
 * The figures render in a real browser: scripts/check-figures.ts screenshots every SVG of a small
 * report in headless Chromium and checks each is drawn (expected size, not blank). A broken SVG and
 * an empty one are put beside them to show the check fails when it should. Skips, saying so, when
 * /usr/bin/chromium is absent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkFigures, crop, decodePng, DEFAULT_CHROMIUM, encodePng, inkShare, svgSize, type Png } from '../../scripts/check-figures.ts';
import { cleanupTempDirs, listFiles, runReport, saveDataset, syntheticDataset, tempDir } from './run-helpers.ts';
import { lossByDimensionFigure, rankSetFigure, residualGroupsFigure } from '../../pipeline/report/svg/model-figures.ts';

afterAll(cleanupTempDirs);

describe('PNG reading (for the screenshot check)', () => {
  it('decodes what it encodes, and measures ink', () => {
    const img: Png = { width: 5, height: 3, rgba: new Uint8Array(5 * 3 * 4).fill(255) };
    img.rgba.set([10, 20, 30, 255], (1 * 5 + 2) * 4);
    const back = decodePng(encodePng(img));
    expect(back.width).toBe(5);
    expect(back.height).toBe(3);
    expect(Array.from(back.rgba)).toEqual(Array.from(img.rgba));
    expect(inkShare(back)).toBeCloseTo(1 / 15, 10);
    expect(inkShare(crop(back, 0, 0, 2, 3))).toBe(0);
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
  });

  it('reads an SVG’s declared size', () => {
    expect(svgSize('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="380" viewBox="0 0 640 380">')).toEqual({ width: 640, height: 380 });
    expect(svgSize('<svg viewBox="0 0 100 50">')).toEqual({ width: 100, height: 50 });
    expect(svgSize('<svg>')).toBeNull();
  });
});

const hasChromium = existsSync(DEFAULT_CHROMIUM);
if (!hasChromium) console.warn(`figures-browser.test.ts: skipped — no Chromium at ${DEFAULT_CHROMIUM} (Debian package "chromium")`);

describe.skipIf(!hasChromium)('figures in headless Chromium', () => {
  it('every figure of a small report draws at its size; a broken and an empty SVG are caught', async () => {
    const dataDir = await tempDir();
    const reportsDir = await tempDir();
    await saveDataset(dataDir, syntheticDataset({ name: 'fig', models: 10, prompts: 45 }));
    // With the (opt-in) irt stage, so that its two figures are checked too.
    const r = await runReport(dataDir, reportsDir, 'fig', ['--folds', '3']);
    expect(r.code, r.err).toBe(0);
    const figs = (await listFiles(r.dir)).filter((f) => f.endsWith('.svg'));
    expect(figs.length).toBeGreaterThanOrEqual(5);
    expect(figs).toEqual(expect.arrayContaining(['figures/irt-dimension.svg', 'figures/irt-residual-groups.svg']));

    const stage = await tempDir();
    for (const f of figs) {
      await mkdir(join(stage, 'fig', 'figures'), { recursive: true });
      await copyFile(join(r.dir, f), join(stage, 'fig', f));
    }
    await mkdir(join(stage, 'zz-bad'), { recursive: true });
    // Not well-formed: a raw "<" in text, as an unescaped label would produce.
    await writeFile(join(stage, 'zz-bad', 'broken.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="300" height="200" fill="#36c"/><text x="10" y="20">a < b</text></svg>\n');
    await writeFile(join(stage, 'zz-bad', 'empty.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><title>nothing</title></svg>\n');
    // Draws fine, but two labels sit on each other (as the old rank-change end labels did).
    await writeFile(join(stage, 'zz-bad', 'overlap.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="300" height="200" fill="#fff"/><rect x="20" y="20" width="200" height="100" fill="#36c"/><text x="230" y="60" font-size="11">iris-7b</text><text x="232" y="64" font-size="11">meridian-32b</text></svg>\n');
    // A point on the frame, half outside the plot area (as the first point of a curve was).
    await writeFile(join(stage, 'zz-bad', 'outside.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="300" height="200" fill="#fff"/><rect data-role="plot-area" x="40" y="20" width="200" height="140" fill="none" stroke="#333"/><circle data-role="mark" cx="40" cy="90" r="3" fill="#36c"/><g data-role="marks"><rect x="60" y="40" width="150" height="100" fill="#36c"/></g></svg>\n');

    const out = await tempDir();
    const results = await checkFigures(stage, { outDir: out });
    const byName = Object.fromEntries(results.map((x) => [x.file.slice(stage.length + 1), x]));
    for (const f of figs) {
      const c = byName[`fig/${f}`];
      expect(c, f).toBeDefined();
      expect(c.ok, `${f}: ${c.problem}`).toBe(true);
      const png = decodePng(await readFile(c.png!));
      const size = svgSize(await readFile(join(r.dir, f), 'utf8'))!;
      expect([png.width, png.height]).toEqual([size.width, size.height]);
      expect(c.ink).toBeGreaterThan(0.02);
    }
    expect(byName['zz-bad/broken.svg'].ok).toBe(false);
    expect(byName['zz-bad/broken.svg'].problem).toMatch(/blank/);
    expect(byName['zz-bad/empty.svg'].ok).toBe(false);
    expect(byName['zz-bad/overlap.svg'].ok).toBe(false);
    expect(byName['zz-bad/overlap.svg'].layout).toEqual(['text "iris-7b" overlaps "meridian-32b"']);
    expect(byName['zz-bad/outside.svg'].ok).toBe(false);
    expect(byName['zz-bad/outside.svg'].layout).toEqual([expect.stringMatching(/^1 data mark\(s\) outside the plot area, first <circle>/)]);
  }, 120_000);

  it('hostile labels (very long, right-to-left, markup, emoji) keep every figure free of overlaps, marks inside', async () => {
    const long = 'an-extremely-long-model-name-with-many-parts-that-goes-on-and-on-v2.5-instruct-preview';
    const rtl = ['نموذج-عربي-كبير', 'מודל-עברי', 'مدل‌فارسی'];
    const modelName = (k: number) => (k % 4 === 0 ? `${long}-${k}` : k % 4 === 1 ? `${rtl[k % 3]}-${k}` : k % 4 === 2 ? `<b>m${k}</b> & "x" 😀` : `m${k}\u202e-rtl-override`);
    const category = (i: number) => [`${long}-category`, 'فئة طويلة جدا للاختبار', '<script>alert(1)</script> & co'][i % 3];
    const dataDir = await tempDir();
    const reportsDir = await tempDir();
    await saveDataset(dataDir, syntheticDataset({ name: 'hostile-fig', models: 14, prompts: 60, modelName, category }));
    const r = await runReport(dataDir, reportsDir, 'hostile-fig');
    expect(r.code, r.err).toBe(0);
    const results = await checkFigures(r.dir);
    expect(results.length).toBeGreaterThanOrEqual(5);
    for (const c of results) expect(c.layout, c.file).toEqual([]);
    for (const c of results) expect(c.ok, `${c.file}: ${c.problem}`).toBe(true);
  }, 120_000);

  it('the IRT and rank figures, on synthetic numbers with hostile labels, draw cleanly', async () => {
    const dir = await tempDir();
    const label = (i: number) => [`<b>model-${i}</b> & "x"`, `نموذج-${i}-كبير-جدا`, `a-very-long-model-name-for-layout-testing-${i}-instruct`][i % 3];
    const models = Array.from({ length: 30 }, (_, i) => ({ label: label(i), rank: i + 1, marginal: [Math.max(1, i - 1), Math.min(30, i + 3)] as [number, number], simultaneous: [Math.max(1, i - 4), Math.min(30, i + 6)] as [number, number] }));
    await writeFile(join(dir, 'rank-sets.svg'), rankSetFigure({ title: 'Rank confidence sets', schemes: ['uniform', 'cluster-balanced', 'inverse-density <x>'].map((name, s) => ({ name, models: models.map((m, i) => ({ ...m, rank: ((i + 5 * s) % 30) + 1 })) })) }));
    await writeFile(join(dir, 'loss-by-k.svg'), lossByDimensionFigure({ title: 'Held-out loss by ability dimensions', lossLabel: 'held-out log loss', points: [1, 2, 3, 4, 5, 6].map((k) => ({ k, loss: 0.6 - 0.02 * Math.min(k, 3) + 0.004 * k, se: 0.005 })), references: [{ label: 'additive model', loss: 0.63, se: 0.004 }, { label: '2PL <one factor>', loss: 0.585 }] }));
    await writeFile(join(dir, 'residual-groups.svg'), residualGroupsFigure({ title: 'Top residual co-variation groups', overall: 0.004, valueLabel: 'mean residual similarity within the group', groups: Array.from({ length: 10 }, (_, i) => ({ label: `${label(i)} group`, size: 40 - 3 * i, within: 0.3 - 0.03 * i })) }));
    const results = await checkFigures(dir);
    expect(results).toHaveLength(3);
    for (const c of results) expect(c.ok, `${c.file}: ${c.problem}`).toBe(true);
  }, 120_000);
});
