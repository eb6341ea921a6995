/** Bidirectional controls from untrusted names are neutralised in markdown and SVG. */
import { afterAll, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mdText, xmlText } from '../../pipeline/report/escape.ts';
import { SMALL_B, cleanupTempDirs, cli, tempDir } from './run-helpers.ts';

afterAll(cleanupTempDirs);

const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
const ALL = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];

describe('bidirectional controls', () => {
  it('are removed by mdText and xmlText, the visible text kept', () => {
    for (const c of ALL) {
      expect(mdText(`gpt${c}4o`)).toBe('gpt4o');
      expect(xmlText(`gpt${c}4o`)).toBe('gpt4o');
    }
    expect(mdText('a\u2028b')).toBe('a b');
  });

  it('never reach report.md, report.json prose or an SVG from model names and prompt ids', async () => {
    const dir = await tempDir('covary-bidi-');
    const ids = Array.from({ length: 12 }, (_, i) => `q${i}${i % 3 === 0 ? '\u2067evil\u2069' : ''}`);
    const rows = [['model', ...ids].map((x) => JSON.stringify(x)).join(',')];
    for (let k = 0; k < 6; k++) rows.push([JSON.stringify(`m${k}${k % 2 ? '\u202Egnp.exe' : ''}`), ...ids.map((_, i) => String((k + i * (1 + (k % 3))) % 3 === 0 ? 1 : 0))].join(','));
    await writeFile(join(dir, 's.csv'), rows.join('\n') + '\n');
    const r = await cli(['run', '--name', 'b', '--scores', join(dir, 's.csv'), '--data-dir', join(dir, 'data'), '--reports-dir', join(dir, 'reports'), '--quiet', ...SMALL_B]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = join(dir, 'reports', 'b');
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('m1gnp.exe'); // the name is shown, without its override
    expect(md).not.toMatch(BIDI);
    for (const f of await readdir(join(out, 'figures'))) expect(await readFile(join(out, 'figures', f), 'utf8')).not.toMatch(BIDI);
    const verdict = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')).verdict.sentences.join(' ');
    expect(verdict).not.toMatch(BIDI);
  }, 60_000);
});
