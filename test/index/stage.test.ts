import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { collectingReporter, silentReporter } from '../../pipeline/core/progress.ts';
import type { StageContext } from '../../pipeline/core/stage.ts';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { stage } from '../../pipeline/index/stage.ts';
import { loadDuplicatePairs, loadKnnGraph, type IndexResult } from '../../pipeline/index/index.ts';
import { bruteForceTopK } from '../../pipeline/index/exact.ts';

const D = 8;

function dataset(n: number, withText = true): Dataset {
  return {
    name: 'b',
    models: ['m1', 'm2'],
    items: Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: withText ? `prompt number ${i}` : null, metadata: {}, tags: [] })),
    scores: Float64Array.from({ length: 2 * n }, (_, i) => i % 2),
    answers: null,
  };
}

function vectors(n: number): Float32Array {
  const rng = createRng(5);
  const v = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < D; c++) s += (v[i * D + c] = rng.normal()) ** 2;
    for (let c = 0; c < D; c++) v[i * D + c] /= Math.sqrt(s);
  }
  v.copyWithin(9 * D, 2 * D, 3 * D); // q9 duplicates q2
  return v;
}

/** A benchmark with an embed artifact as the embed stage writes it. */
async function setup(n: number, opts: { skipped?: boolean } = {}): Promise<{ store: ArtifactStore; ctx: StageContext }> {
  const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-index-')));
  const manifest = await store.saveDataset(dataset(n, !opts.skipped), {
    format: 'test',
    counts: { models: 2, items: n, cells: 2 * n, missingCells: 0, itemsWithText: opts.skipped ? 0 : n, binary: true, hasAnswers: false },
    sources: [],
    dropped: [],
    coverage: {},
    options: {},
  });
  const inputs = { dataset: manifest.contentHash };
  if (opts.skipped) {
    await store.writeStage('b', 'embed', { inputs, options: {}, result: null, status: 'skipped', skipReason: 'no text' });
  } else {
    const result = { modelId: 'fake', modelHash: 'h', cacheKey: 'k', dims: D, dtype: 'float32', maxTokens: 256, n, withText: n, withoutText: 0, unique: n, embedded: n, fromCache: 0, truncated: 0, tokens: null };
    await store.writeStage('b', 'embed', { inputs, options: {}, result }, { vectors: { data: vectors(n), shape: [n, D] } });
  }
  const ctx: StageContext = { store, reportsDir: join(store.dataDir, 'reports'), seed: 1, reporter: silentReporter, force: false, commandLine: 'covary index --name b' };
  return { store, ctx };
}

describe('index stage', () => {
  it('writes the exact kNN graph, the near-duplicates, and reuses a fresh result', async () => {
    const n = 40;
    const { store, ctx } = await setup(n);
    const out = await stage.run(ctx, 'b', { neighbors: 3 });
    expect(out.status).toBe('computed');
    const g = (await loadKnnGraph(store, 'b'))!;
    const truth = bruteForceTopK(vectors(n), n, D, 3);
    expect(g.n).toBe(n);
    expect(g.k).toBe(3);
    expect(Array.from(g.neighbors)).toEqual(Array.from(truth.neighbors));
    const a = (await store.readStage<IndexResult>('b', 'index'))!;
    expect(a.result.method).toBe('exact');
    expect(a.result.duplicates.pairs).toBe(1);
    expect(a.result.duplicates.list[0]).toMatchObject({ a: 'q2', b: 'q9', aText: 'prompt number 2', bText: 'prompt number 9' });
    expect(a.result.duplicates.list[0].cosine).toBeCloseTo(1, 5);
    const dup = (await loadDuplicatePairs(store, 'b'))!;
    expect(Array.from(dup.pairs)).toEqual([2, 9]);
    expect((await stage.run(ctx, 'b', { neighbors: 3 })).status).toBe('cached');
    expect((await stage.run(ctx, 'b', { neighbors: 4 })).status).toBe('computed');
  });

  it('HNSW: parameters and recall recorded, index saved, identical JSON on a re-run', async () => {
    const n = 60;
    const { store, ctx } = await setup(n);
    const rep = collectingReporter();
    await stage.run({ ...ctx, reporter: rep }, 'b', { neighbors: 5, method: 'hnsw', recallSample: 30 });
    const first = await readFile(store.stagePath('b', 'index'), 'utf8');
    const a = (await store.readStage<IndexResult>('b', 'index'))!;
    expect(a.result.method).toBe('hnsw');
    expect(a.result.hnsw).toMatchObject({ space: 'cosine', M: 16, efConstruction: 200, efSearch: 100, recallAtK: 1, recallSample: 30 });
    expect(a.binaries.hnsw.shape[0]).toBeGreaterThan(0);
    expect(rep.messages.join('\n')).toMatch(/recall@5 1/);
    await stage.run({ ...ctx, force: true }, 'b', { neighbors: 5, method: 'hnsw', recallSample: 30 });
    expect(await readFile(store.stagePath('b', 'index'), 'utf8')).toBe(first);
  });

  it('is skipped, with a reason, when the embed stage was skipped', async () => {
    const { store, ctx } = await setup(5, { skipped: true });
    const out = await stage.run(ctx, 'b', {});
    expect(out.status).toBe('skipped');
    expect(out.message).toMatch(/no prompt text/);
    expect(await loadKnnGraph(store, 'b')).toBeNull();
  });

  it('says to run embed first when there are no embeddings', async () => {
    const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-index-')));
    await store.saveDataset(dataset(3), { format: 'test', counts: { models: 2, items: 3, cells: 6, missingCells: 0, itemsWithText: 3, binary: true, hasAnswers: false }, sources: [], dropped: [], coverage: {}, options: {} });
    const ctx: StageContext = { store, reportsDir: '', seed: 1, reporter: silentReporter, force: false, commandLine: '' };
    await expect(stage.run(ctx, 'b', {})).rejects.toMatchObject({ message: /no embeddings/, hint: expect.stringMatching(/covary embed --name b/) });
    await expect(loadKnnGraph(store, 'b')).rejects.toMatchObject({ hint: expect.stringMatching(/covary index --name b/) });
  });
});
