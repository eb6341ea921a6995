/**
 * The irt stage end to end through the CLI (LSAT: an unusual 1,000 × 5 shape), its skips on bad
 * input, determinism, and the families verdict rules.
 */
import { describe, expect, it, vi } from 'vitest';

// Each test is well under a minute on an idle machine; the limit leaves room for a loaded one.
vi.setConfig({ testTimeout: 600_000 });
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { analyzeIrt, DEFAULT_IRT } from '../../pipeline/irt/analyze.ts';
import { familiesVerdict } from '../../pipeline/irt/index.ts';
import { stableStringify } from '../../pipeline/core/hash.ts';
import { simulateIrt } from './helpers.ts';

const LSAT = fileURLToPath(new URL('../../../shared/data/irt/lsat_correct_matrix.csv', import.meta.url));
const quick = ['--permutations-c', '19', '--q3-replicates', '3', '--max-dim', '2', '--quiet'];

describe.skipIf(!existsSync(LSAT))('covary ingest + covary irt on LSAT (1,000 × 5)', () => {
  it('writes irt.json and irt-items.csv with ltm\u2019s estimates within 0.02', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'covary-irt-'));
    expect((await runCli(['--data-dir', dir, '--quiet', 'ingest', '--name', 'lsat', '--scores', LSAT])).code).toBe(0);
    const r = await runCli(['--data-dir', dir, 'irt', '--name', 'lsat', '--prior', 'none', ...quick]);
    expect(r.code).toBe(0);
    const art = JSON.parse(readFileSync(join(dir, 'benchmarks/lsat/irt.json'), 'utf8'));
    const res = art.result;
    const b = [-3.3597, -1.3696, -0.2799, -1.8659, -3.1236];
    const a = [0.8254, 0.7229, 0.8905, 0.6886, 0.6575];
    res.items.forEach((it: { difficulty: number; discrimination: number }, i: number) => {
      expect(Math.abs(it.difficulty - b[i])).toBeLessThan(0.02);
      expect(Math.abs(it.discrimination - a[i])).toBeLessThan(0.02);
    });
    expect(Math.abs(res.logLik - -2466.653)).toBeLessThan(0.05);
    expect(res.prior).toEqual({ kind: 'none' });
    expect(res.convergence.converged).toBe(true);
    expect(Number.isInteger(res.dimension)).toBe(true);
    expect(res.crossValidation.length).toBe(3);
    expect(res.nullC.method).toBe('parametric-bootstrap');
    for (const key of ['observed', 'z', 'p']) {
      expect(res.nullC).toHaveProperty(key);
      expect(res.nullC.meanSquared).toHaveProperty(key);
      expect(res.nullC.ks).toHaveProperty(key);
    }
    // No correlate result: Null B is unknown, so "none" vs "discrimination-only" is not decided.
    expect(art.inputs.correlate).toBe('absent');
    const csv = readFileSync(join(dir, 'benchmarks/lsat/irt-items.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,difficulty,discrimination,guessing');
    expect(csv.length).toBe(6);
  });
});

describe('bad input is a skip with a reason, never a crash', () => {
  async function runOn(rows: string[]): Promise<{ status: string; skipReason?: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'covary-irt-bad-'));
    const csv = join(dir, 'scores.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    expect((await runCli(['--data-dir', dir, '--quiet', 'ingest', '--name', 'bad', '--scores', csv])).code).toBe(0);
    expect((await runCli(['--data-dir', dir, 'irt', '--name', 'bad', ...quick])).code).toBe(0);
    return JSON.parse(readFileSync(join(dir, 'benchmarks/bad/irt.json'), 'utf8'));
  }
  it('fewer than 5 models', async () => {
    const a = await runOn(['model,p1,p2,p3', 'm1,1,0,1', 'm2,0,1,1', 'm3,1,1,0', 'm4,0,0,1']);
    expect(a.status).toBe('skipped');
    expect(a.skipReason).toMatch(/only 4 models/);
  });
  it('every prompt at floor or ceiling', async () => {
    const a = await runOn(['model,p1,p2,p3', ...Array.from({ length: 6 }, (_, k) => `m${k},1,0,1`)]);
    expect(a.status).toBe('skipped');
    expect(a.skipReason).toMatch(/floor or ceiling/);
  });
});

describe('determinism and verdict rules', () => {
  it('same inputs and seed give identical JSON', async () => {
    const sim = simulateIrt({ m: 20, n: 30, logASd: 0.3 }, 11);
    const ds = { models: Array.from({ length: 20 }, (_, k) => `m${k}`), items: Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, text: null, metadata: {}, tags: [] })), scores: sim.scores };
    const o = { ...DEFAULT_IRT, permutationsC: 9, q3Replicates: 2, maxDim: 2, folds: 3 };
    const x = await analyzeIrt(ds, o, 5, 0.5);
    const y = await analyzeIrt(ds, o, 5, 0.5);
    expect(stableStringify(x.result)).toBe(stableStringify(y.result));
    expect(x.result.items.length).toBe(30);
    expect(x.result.prior.kind).toBe('default');
  });
  it('above q3MaxPairCells, Q3 runs on a seeded sample of the pairs and says so', async () => {
    const sim = simulateIrt({ m: 20, n: 60, logASd: 0.3 }, 12);
    const ds = { models: Array.from({ length: 20 }, (_, k) => `m${k}`), items: Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, text: null, metadata: {}, tags: [] })), scores: sim.scores };
    const o = { ...DEFAULT_IRT, permutationsC: 9, q3Replicates: 2, maxDim: 1, folds: 3 };
    const all = (await analyzeIrt(ds, o, 5, 0.5)).result;
    const P = all.q3!.pairs;
    expect(P).toBeGreaterThan(1200);
    const capped = (await analyzeIrt(ds, { ...o, q3MaxPairCells: 20 * 1200 }, 5, 0.5)).result;
    expect(capped.q3!.pairs).toBe(1200);
    expect(capped.q3!.exact).toBe(false);
    expect(capped.notes.join(' ')).toMatch(new RegExp(`Q3 uses a seeded sample of 1200 of Null C's ${P} prompt pairs`));
    expect(all.notes.join(' ')).not.toMatch(/Q3 uses a seeded sample/);
  });
  it('families verdict', () => {
    expect(familiesVerdict({ converged: true, nullCp: 0.01, dimension: 1, nullBp: 0.01 }).families).toBe('families');
    expect(familiesVerdict({ converged: true, nullCp: 0.5, dimension: 2, nullBp: 0.5 }).families).toBe('families');
    expect(familiesVerdict({ converged: true, nullCp: 0.5, dimension: 1, nullBp: 0.01 }).families).toBe('discrimination-only');
    // Null C decides at 0.025; Q3 only at z > 3.5 (p < 2.3e-4).
    expect(familiesVerdict({ converged: true, nullCp: 0.5, q3p: 1e-5, dimension: 1, nullBp: 0.5 }).families).toBe('families');
    expect(familiesVerdict({ converged: true, nullCp: 0.5, q3p: 0.01, dimension: 1, nullBp: 0.5 }).families).toBe('none');
    expect(familiesVerdict({ converged: true, nullCp: 0.04, q3p: 0.04, dimension: 1, nullBp: 0.5 }).families).toBe('none');
    expect(familiesVerdict({ converged: true, nullCp: 0.02, q3p: 0.5, dimension: 1, nullBp: 0.5 }).families).toBe('families');
    expect(familiesVerdict({ converged: true, nullCp: 0.5, dimension: 1, nullBp: 0.5 }).families).toBe('none');
    expect(familiesVerdict({ converged: true, nullCp: 0.5, dimension: 1, nullBp: null }).families).toBeNull();
    expect(familiesVerdict({ converged: false, nullCp: 0.01, dimension: 3, nullBp: 0.01 }).families).toBeNull();
  });
});
