import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { tempPathFor } from '../../pipeline/core/atomic.ts';
import { ArtifactStore, validateBenchmarkName } from '../../pipeline/core/store.ts';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { ANSWER_NONE } from '../../pipeline/core/dataset.ts';

function tiny(): Dataset {
  return {
    name: 'tiny',
    models: ['a', 'b'],
    items: [
      { id: '1', text: 'one', metadata: { category: 'x' }, tags: [] },
      { id: '2', text: 'two', metadata: {}, tags: ['t'] },
    ],
    scores: Float64Array.from([1, 0, NaN, 1]),
    answers: { vocab: ['A', 'B'], codes: Int32Array.from([0, 1, -1, ANSWER_NONE]) },
  };
}

const manifestParts = {
  format: 'test',
  counts: { models: 2, items: 2, cells: 4, missingCells: 1, itemsWithText: 2, binary: true, hasAnswers: true },
  sources: [],
  dropped: [],
  coverage: {},
  options: {},
};

describe('ArtifactStore', () => {
  it('round-trips a dataset exactly, NaN kept as missing', async () => {
    const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-store-')));
    const saved = await store.saveDataset(tiny(), manifestParts);
    const { dataset, manifest } = await store.loadDataset('tiny');
    expect(manifest.contentHash).toBe(saved.contentHash);
    expect(Array.from(dataset.scores)).toEqual([1, 0, NaN, 1]);
    expect(dataset.items[0].metadata.category).toBe('x');
    expect(Array.from(dataset.answers!.codes)).toEqual([0, 1, -1, ANSWER_NONE]);
    // The benchmark folder is a symlink to its one published generation; nothing else is left.
    const left = await readdir(store.benchmarksDir());
    expect(left.filter((n) => !n.startsWith('.covary-gen-tiny-'))).toEqual(['tiny']);
    expect(left.filter((n) => n.startsWith('.covary-'))).toHaveLength(1);
  });

  it('loads a dataset only as the content a freshness check saw (a re-ingest in between is an error)', async () => {
    const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-store-')));
    const saved = await store.saveDataset(tiny(), manifestParts);
    expect(Array.from((await store.loadDatasetMatching('tiny', saved.contentHash)).scores)).toEqual([1, 0, NaN, 1]);
    const other = tiny();
    other.scores[0] = 0;
    await store.saveDataset(other, manifestParts);
    await expect(store.loadDatasetMatching('tiny', saved.contentHash)).rejects.toThrow(/the dataset changed while the stage was starting/);
  });

  it('detects a corrupted dataset file', async () => {
    const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-store-')));
    await store.saveDataset(tiny(), manifestParts);
    const path = join(store.benchmarkDir('tiny'), 'scores.f64');
    const bytes = await readFile(path);
    bytes[0] ^= 0xff;
    await writeFile(path, bytes);
    await expect(store.loadDataset('tiny')).rejects.toThrow(/does not match its manifest hash/);
  });

  it('writes stage results with binaries and judges freshness by inputs and options', async () => {
    const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-store-')));
    await store.saveDataset(tiny(), manifestParts);
    const art = await store.writeStage('tiny', 'correlate', { inputs: { dataset: 'h1' }, options: { B: 9 }, result: { x: 1 } }, { topk: { data: Int32Array.from([1, 0]), shape: [2, 1] } });
    expect(art.binaries.topk.dtype).toBe('int32');
    expect(Array.from(await store.readBinary('tiny', art.binaries.topk))).toEqual([1, 0]);
    expect(await store.isFresh('tiny', 'correlate', { dataset: 'h1' }, { B: 9 })).toBe(true);
    expect(await store.isFresh('tiny', 'correlate', { dataset: 'h2' }, { B: 9 })).toBe(false);
    expect(await store.isFresh('tiny', 'correlate', { dataset: 'h1' }, { B: 10 })).toBe(false);
    expect(await store.readStage('tiny', 'cluster')).toBeNull();
  });

  it('a flipped byte in a stage binary makes the stage stale (recomputed), not stuck', async () => {
    const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-store-')));
    await store.saveDataset(tiny(), manifestParts);
    const art = await store.writeStage('tiny', 'correlate', { inputs: { dataset: 'h1' }, options: {}, result: {} }, { topk: { data: Int32Array.from([1, 0]), shape: [2, 1] } });
    expect(await store.isFresh('tiny', 'correlate', { dataset: 'h1' }, {})).toBe(true);
    const path = join(store.benchmarkDir('tiny'), art.binaries.topk.file);
    const bytes = await readFile(path);
    bytes[0] ^= 0x01;
    await writeFile(path, bytes);
    expect(await store.isFresh('tiny', 'correlate', { dataset: 'h1' }, {})).toBe(false);
    await expect(store.readBinary('tiny', art.binaries.topk)).rejects.toThrow(/does not match its recorded hash/);
  });

  it('sweeps temp files of dead writers only; a live writer\'s temp file is left alone', async () => {
    const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-store-')));
    await store.saveDataset(tiny(), manifestParts);
    const dir = store.benchmarkDir('tiny');
    const dead = '.covary-tmp-cluster.json-999999999-0a0b0c0d';
    const live = basename(tempPathFor(join(dir, 'correlate.json')));
    await writeFile(join(dir, dead), 'half');
    await writeFile(join(dir, live), 'in progress');
    await store.loadDataset('tiny');
    const left = await readdir(dir);
    expect(left).not.toContain(dead);
    expect(left).toContain(live);
  });

  it('rejects benchmark names that could escape the data folder', () => {
    for (const bad of ['../x', 'a/b', '..', '.hidden', 'a\\b', '']) expect(() => validateBenchmarkName(bad)).toThrow(/invalid benchmark name/);
    expect(validateBenchmarkName('gsm8k-v1.2_x')).toBe('gsm8k-v1.2_x');
  });
});
