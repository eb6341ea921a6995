import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { silentReporter } from '../../pipeline/core/progress.ts';
import { ensureDemo, loadDemoTruth, GROUND_TRUTH_STAGE } from '../../pipeline/demo/index.ts';
import type { StageContext } from '../../pipeline/core/stage.ts';

const cli = runCli;

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'covary-demo-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('covary demo (CLI)', () => {
  it('writes a loadable dataset with its ground truth; a re-run is a no-op', async () => {
    const dataDir = await tmp();
    const first = await cli(['demo', '--data-dir', dataDir, '--quiet', '--json']);
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out).status).toBe('computed');
    const store = new ArtifactStore(dataDir);
    const { dataset, manifest } = await store.loadDataset('demo');
    expect(manifest.format).toBe('demo');
    expect(manifest.options).toMatchObject({ seed: 1, models: 40, prompts: 1200 });
    expect(manifest.sources).toEqual([]);
    expect(manifest.counts).toMatchObject({ models: 40, items: 1200, binary: true, hasAnswers: true, itemsWithText: 1200 });
    expect(dataset.items[0].id).toBe('demo-0001');
    const truth = await loadDemoTruth(store, 'demo');
    expect(truth.seed).toBe(1);
    expect(truth.items.length).toBe(1200);
    const stage = await store.readStage('demo', GROUND_TRUTH_STAGE);
    expect(stage!.inputs).toEqual({ dataset: manifest.contentHash });

    const before = await readFile(join(store.benchmarkDir('demo'), 'manifest.json'), 'utf8');
    const truthBefore = await readFile(store.stagePath('demo', GROUND_TRUTH_STAGE), 'utf8');
    const again = await cli(['demo', '--data-dir', dataDir, '--quiet', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).status).toBe('cached');
    expect(await readFile(join(store.benchmarkDir('demo'), 'manifest.json'), 'utf8')).toBe(before);
    expect(await readFile(store.stagePath('demo', GROUND_TRUTH_STAGE), 'utf8')).toBe(truthBefore);
  });

  it('a different seed needs --force; with it the demo is replaced', async () => {
    const dataDir = await tmp();
    expect((await cli(['demo', '--data-dir', dataDir, '--quiet'])).code).toBe(0);
    const store = new ArtifactStore(dataDir);
    const hash1 = (await store.readManifest('demo')).contentHash;
    const refused = await cli(['demo', '--data-dir', dataDir, '--quiet', '--seed', '2']);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/already exists with a demo made with other options \(seed 1, models 40, prompts 1200\).*--force/);
    expect(refused.err.trim().split('\n')).toHaveLength(1);
    expect((await store.readManifest('demo')).contentHash).toBe(hash1);
    const forced = await cli(['demo', '--data-dir', dataDir, '--quiet', '--seed', '2', '--force']);
    expect(forced.code, forced.err).toBe(0);
    const m2 = await store.readManifest('demo');
    expect(m2.contentHash).not.toBe(hash1);
    expect(m2.options.seed).toBe(2);
    expect((await loadDemoTruth(store, 'demo')).seed).toBe(2);
    expect((await readdir(store.benchmarksDir())).filter((f) => !f.startsWith('.'))).toEqual(['demo']);
  });

  it('--models/--prompts/--name choose the size and the benchmark name', async () => {
    const dataDir = await tmp();
    const r = await cli(['demo', '--data-dir', dataDir, '--quiet', '--name', 'small-demo', '--models', '12', '--prompts', '200']);
    expect(r.code, r.err).toBe(0);
    const { dataset } = await new ArtifactStore(dataDir).loadDataset('small-demo');
    expect(dataset.models.length).toBe(12);
    expect(dataset.items.length).toBe(200);
  });

  it('bad options fail with one clear line and write nothing', async () => {
    const dataDir = await tmp();
    const r = await cli(['demo', '--data-dir', dataDir, '--quiet', '--models', '3']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--models must be a whole number from 12 to 500, got 3/);
    const bad = await cli(['demo', '--data-dir', dataDir, '--quiet', '--name', '../escape']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/invalid benchmark name/);
    expect(existsSync(join(dataDir, 'benchmarks'))).toBe(false);
  });
});

describe('ensureDemo', () => {
  const ctx = (dataDir: string, seed = 1): StageContext => ({ store: new ArtifactStore(dataDir), reportsDir: join(dataDir, 'reports'), seed, reporter: silentReporter, force: false, commandLine: 'test' });

  it('refuses to overwrite a benchmark that is not a demo', async () => {
    const dataDir = await tmp();
    const c = ctx(dataDir);
    const tiny = { name: 'demo', models: ['a', 'b'], items: [{ id: '1', text: 'x', metadata: {}, tags: [] }], scores: Float64Array.from([1, 0]), answers: null };
    await c.store.saveDataset(tiny, { format: 'wide', counts: { models: 2, items: 1, cells: 2, missingCells: 0, itemsWithText: 1, binary: true, hasAnswers: false }, sources: [], dropped: [], coverage: {}, options: {} });
    const err = await ensureDemo(c, { name: 'demo' }).catch((e: unknown) => e as Error & { hint?: string });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/already exists with different content \(format wide\)/);
    expect((err as { hint?: string }).hint).toMatch(/--force/);
    expect((await c.store.loadDataset('demo')).dataset.models).toEqual(['a', 'b']);
    expect((await ensureDemo(c, { name: 'demo', force: true })).status).toBe('computed');
    expect((await c.store.readManifest('demo')).format).toBe('demo');
  });

  it('rewrites a missing ground truth; `run --demo --force` (ctx.force, argv force false) does not regenerate', async () => {
    const dataDir = await tmp();
    const c = ctx(dataDir);
    const first = await ensureDemo(c, { name: 'demo' });
    expect(first.status).toBe('computed');
    await rm(c.store.stagePath('demo', GROUND_TRUTH_STAGE));
    const again = await ensureDemo(c, { name: 'demo' });
    expect(again.status).toBe('computed');
    expect(again.message).toMatch(/ground truth was rewritten/);
    expect((await loadDemoTruth(c.store, 'demo')).seed).toBe(1);
    expect((await ensureDemo(c, { name: 'demo' })).status).toBe('cached');
    expect((await ensureDemo({ ...c, force: true }, { name: 'demo', force: false })).status).toBe('cached');
    await expect(ensureDemo({ ...ctx(dataDir, 7), force: true }, { name: 'demo', force: false })).rejects.toThrow(/already exists with a demo made with other options/);
  });

  it('loadDemoTruth rejects a ground truth that belongs to another dataset', async () => {
    const dataDir = await tmp();
    const c = ctx(dataDir);
    await ensureDemo(c, { name: 'demo' });
    const truth = (await c.store.readStage('demo', GROUND_TRUTH_STAGE))!;
    await c.store.writeStage('demo', GROUND_TRUTH_STAGE, { inputs: { dataset: 'something-else' }, options: truth.options, result: truth.result });
    await expect(loadDemoTruth(c.store, 'demo')).rejects.toThrow(/does not belong to the stored dataset/);
  });
});
