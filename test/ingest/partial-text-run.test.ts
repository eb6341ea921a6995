/**
 * End to end (issue 13): `covary run` straight from files on a benchmark where 5% of the prompts
 * have no text (the ChemBench case: image tasks without an "input" field). Every stage runs; the
 * semantic ones use the prompts with text and say how many; the report says what it means.
 * The demo generator at its smallest size (12 models × 120 prompts) keeps the embedding quick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDemo } from '../../pipeline/demo/index.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { loadKnnGraph } from '../../pipeline/index/index.ts';
import { loadClusterings } from '../../pipeline/cluster/index.ts';
import { loadReweighting } from '../../pipeline/reweight/index.ts';
import type { Report } from '../../pipeline/report/schema.ts';
import { cleanupTempDirs, runReport, SMALL_B, tempDir, type RunResult } from '../report/run-helpers.ts';

const NAME = 'chem-like';
const N = 120;
/** Every 20th prompt has no text: 6 of 120 (5%), written three ways as real files do. */
const noText = (i: number) => i % 20 === 13;

let r: RunResult;
let report: Report;
let store: ArtifactStore;
let without: number[];

beforeAll(async () => {
  const { dataset } = generateDemo({ name: NAME, models: 12, prompts: N, seed: 3 }, createRng(3).fork('demo'));
  const inputs = await tempDir('covary-partial-text-');
  const n = dataset.items.length;
  const header = ['model', ...dataset.items.map((it) => it.id)].join(',');
  const rows = dataset.models.map((m, k) => [m, ...dataset.items.map((_, i) => (Number.isNaN(dataset.scores[k * n + i]) ? 'NA' : String(dataset.scores[k * n + i])))].join(','));
  await writeFile(join(inputs, 'scores.csv'), [header, ...rows].join('\n') + '\n');
  const items = dataset.items.map((it, i) => {
    if (!noText(i)) return { question_name: it.id, input: it.text, ...it.metadata };
    const j = Math.floor(i / 20) % 3;
    return j === 0 ? { question_name: it.id, kind: 'image' } : j === 1 ? { question_name: it.id, input: null } : { question_name: it.id, input: '' };
  });
  await writeFile(join(inputs, 'items.jsonl'), items.map((o) => JSON.stringify(o)).join('\n') + '\n');
  without = dataset.items.map((_, i) => i).filter(noText);
  const dataDir = await tempDir();
  const reportsDir = await tempDir();
  r = await runReport(dataDir, reportsDir, NAME, [
    '--scores', join(inputs, 'scores.csv'),
    '--items', join(inputs, 'items.jsonl'),
    '--id-field', 'question_name',
    '--text-field', 'input',
    '--na-values', 'NA',
  ], SMALL_B);
  report = JSON.parse(r.json || 'null');
  store = new ArtifactStore(dataDir);
}, 120_000);
afterAll(cleanupTempDirs);

describe('covary run on a benchmark where 5% of prompts have no text', () => {
  it('runs every stage and writes a full report', () => {
    expect(r.code, r.err).toBe(0);
    expect(without).toHaveLength(6);
    expect(r.out).toMatch(/^recomputed: ingest, embed, index, correlate, irt, cluster, reweight, explain, report$/m);
    for (const s of ['embed', 'index', 'correlate', 'cluster', 'reweight', 'explain'] as const) expect(report.stages[s]?.status, s).toBe('ok');
    expect(report.benchmark.prompts).toBe(N);
    expect(report.benchmark.promptsWithText).toBe(N - 6);
  });

  it('the data section says how many prompts have no text and what that means', () => {
    expect(r.md).toContain('6 of 120 prompts have no text: they are in every text-free statistic and left out of the semantic ones');
  });

  it('embed and index use the 114 prompts with text; no prompt without text is anyone\'s neighbour', async () => {
    expect(report.embedding?.withoutText).toBe(6);
    const g = (await loadKnnGraph(store, NAME))!;
    const noTextSet = new Set(without);
    for (let i = 0; i < g.n; i++) {
      const row = Array.from(g.neighbors.subarray(i * g.k, (i + 1) * g.k));
      if (noTextSet.has(i)) expect(row.every((j) => j === -1)).toBe(true);
      else expect(row.some((j) => noTextSet.has(j)), `prompt ${i}`).toBe(false);
    }
  });

  it('semantic clusters hold exactly the prompts with text; the text-free statistics keep every prompt', async () => {
    const c = await loadClusterings(store, NAME);
    const sem = c.semantic!;
    expect(sem.unassigned).toBe(6);
    for (const i of without) expect(sem.assignments[i]).toBe(-1);
    expect(sem.sizes.reduce((a, b) => a + b, 0)).toBe(N - 6);
    expect(r.md).toContain('semantic clusters use the 114 of 120 prompts with text; the 6 without text are in no semantic cluster');
    // Category clusters (text-free) cover every prompt; the items without text have no category here.
    expect(c.category!.sizes.reduce((a, b) => a + b, 0)).toBe(N);
  });

  it('inverse-density weights give each prompt without text its uniform weight 1/n', async () => {
    const rw = await loadReweighting(store, NAME);
    const w = rw.weights['inverse-density'];
    for (const i of without) expect(w[i]).toBeCloseTo(1 / N, 12);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Cluster-balanced: the unassigned prompts keep their uniform weight too.
    for (const i of without) expect(rw.weights['cluster-balanced'][i]).toBeCloseTo(1 / N, 12);
  });

  it('explain sets the prompts without text aside from the semantic model and says so', () => {
    expect(report.explanation?.notes).toContain('6 prompt(s) without text (zero embedding) set aside from the pairwise model');
  });
});
