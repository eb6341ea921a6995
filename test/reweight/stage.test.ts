import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { collectingReporter } from '../../pipeline/core/progress.ts';
import type { StageContext } from '../../pipeline/core/stage.ts';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { stage as clusterStage } from '../../pipeline/cluster/stage.ts';
import { stage as reweightStage } from '../../pipeline/reweight/stage.ts';
import { loadClusterings } from '../../pipeline/cluster/index.ts';
import { loadReweighting } from '../../pipeline/reweight/index.ts';
import { overRepresented } from './helpers.ts';

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'covary-reweight-'));
  const store = new ArtifactStore(dir);
  const sim = overRepresented(7, 8, 150, 30, 4);
  const cats = ['algebra', 'biology', 'chemistry', 'history'];
  const scores = Float64Array.from(sim.scores);
  scores[3] = NaN; // model 0 misses prompt 3
  const dataset: Dataset = {
    name: 'sim',
    models: Array.from({ length: sim.m }, (_, k) => `model-${k}`),
    items: Array.from({ length: sim.n }, (_, i) => ({ id: `q${i}`, text: null, metadata: { category: cats[sim.family[i]] }, tags: [] })),
    scores,
    answers: null,
  };
  await store.saveDataset(dataset, { format: 'test', counts: { models: sim.m, items: sim.n, cells: sim.m * sim.n, missingCells: 1, itemsWithText: 0, binary: true, hasAnswers: false }, sources: [], dropped: [], coverage: {}, options: {} });
  const reporter = collectingReporter();
  const ctx: StageContext = { store, reportsDir: join(dir, 'reports'), seed: 3, reporter, force: false, commandLine: 'test' };
  return { dir, store, ctx, reporter, sim };
}

const args = (o: Record<string, unknown> = {}) => ({ kMin: 2, kMax: 6, restarts: 3, silhouetteSample: 2000, categoryField: 'category', bootstrap: 100, overlapK: 5, correlationSample: 200, bootstrapClusters: 'auto', ...o });

describe('cluster + reweight stages on a stored benchmark without text', () => {
  it('write artifacts the load functions read back, skip text schemes with reasons, and are deterministic and cached', async () => {
    const { dir, store, ctx, sim } = await setup();
    const c = await clusterStage.run(ctx, 'sim', args());
    expect(c.status).toBe('computed');
    const clusterJson = await readFile(store.stagePath('sim', 'cluster'), 'utf8');
    expect((await clusterStage.run(ctx, 'sim', args())).status).toBe('cached');
    await clusterStage.run({ ...ctx, force: true }, 'sim', args());
    expect(await readFile(store.stagePath('sim', 'cluster'), 'utf8')).toBe(clusterJson);
    const cl = await loadClusterings(store, 'sim');
    expect(cl.semantic).toBeNull();
    expect(cl.category!.labels).toEqual(['algebra', 'biology', 'chemistry', 'history']);
    expect(cl.performance!.assignments.length).toBe(sim.n);

    const r = await reweightStage.run(ctx, 'sim', args());
    expect(r.status).toBe('computed');
    const rw = await loadReweighting(store, 'sim');
    expect(rw.schemes.map((s) => s.name)).toEqual(['uniform', 'category-balanced', 'performance-cluster-balanced', 'correlation-adjusted']);
    expect(rw.skipped.map((s) => s.name).sort()).toEqual(['cluster-balanced', 'inverse-density', 'representative', 'target-mix']);
    for (const s of rw.skipped) expect(s.reason.length).toBeGreaterThan(10);
    // No text and only 4 categories: the inference partition is performance k-means at k ≈ √n (≥ 30).
    expect(cl.inference!.basis).toBe('performance');
    expect(cl.inference!.k).toBeGreaterThanOrEqual(30);
    expect(rw.bootstrap.clusterSource).toBe('inference');
    expect(rw.bootstrap.inferenceBasis).toBe('performance');
    expect(rw.bootstrap.clusters).toBe(cl.inference!.k);
    expect(rw.bootstrap.clusterMethod).toBe('wild');
    const w = rw.weights['category-balanced'];
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w[0]).toBeCloseTo(0.25 / 150, 12);
    const m0 = rw.schemes[0].models[0];
    expect(m0.missingWeight).toBeCloseTo(1 / sim.n, 12);
    const catRow = rw.schemes[1].models[0];
    expect(catRow.missingWeight).toBeCloseTo(0.25 / 150, 12);

    const first = await readFile(store.stagePath('sim', 'reweight'), 'utf8');
    expect((await reweightStage.run(ctx, 'sim', args())).status).toBe('cached');
    await reweightStage.run({ ...ctx, force: true }, 'sim', args());
    expect(await readFile(store.stagePath('sim', 'reweight'), 'utf8')).toBe(first);

    // a target mix by category
    const mixFile = join(dir, 'mix.json');
    await writeFile(mixFile, JSON.stringify({ by: 'category', shares: { algebra: 0.1, history: 0.9 } }));
    await reweightStage.run(ctx, 'sim', args({ targetMix: mixFile, schemes: ['target-mix'] }));
    const rw2 = await loadReweighting(store, 'sim');
    expect(rw2.schemes.map((s) => s.name)).toEqual(['uniform', 'target-mix']);
    expect(rw2.weights['target-mix'][sim.n - 1]).toBeCloseTo(0.9 / 30, 12);

    await writeFile(mixFile, JSON.stringify({ algebra: 0.5, physics: 0.5 }));
    await expect(reweightStage.run(ctx, 'sim', args({ targetMix: mixFile }))).rejects.toThrow(CovaryError);
    await expect(reweightStage.run(ctx, 'sim', args({ schemes: ['nope'] }))).rejects.toThrow(/unknown scheme "nope"/);
  });
});
