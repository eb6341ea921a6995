import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingCache, clearCache, listCacheFolders, modelKey, removeDamaged, textHash, verifyCacheFolder, type ShardRow } from '../../pipeline/embed/cache.ts';
import { tempPathFor } from '../../pipeline/core/atomic.ts';

const DIMS = 8;
const model = { modelId: 'toy', modelHash: 'ab'.repeat(32), dims: DIMS };

function vec(seed: number): Float32Array {
  const v = Float32Array.from({ length: DIMS }, (_, j) => Math.sin(seed * 7 + j));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function rows(texts: string[], variant = 0, tokens = 5): ShardRow[] {
  return texts.map((t, i) => ({ textHash: textHash(t), variant, tokens, vector: vec(i + t.length) }));
}

async function tempRoot(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'covary-cache-')), 'embeddings');
}

describe('embedding cache', () => {
  it('returns what was stored, by exact text, and misses everything else', async () => {
    const root = await tempRoot();
    const dir = join(root, modelKey(model.modelId, model.modelHash));
    const cache = await EmbeddingCache.open(dir, model);
    const stored = rows(['alpha', 'beta']);
    await cache.putBatch(stored);
    const reopened = await EmbeddingCache.open(dir, model);
    const hits = await reopened.getMany([textHash('alpha'), textHash('beta'), textHash('alpha '), textHash('gamma')], 256);
    expect([...hits.keys()].sort()).toEqual([textHash('alpha'), textHash('beta')].sort());
    expect(Array.from(hits.get(textHash('beta'))!.vector)).toEqual(Array.from(stored[1].vector));
    expect(hits.get(textHash('alpha'))!.tokens).toBe(5);
  });

  it('serves a whole-text vector under any limit ≥ its tokens, a cut one only under its own limit', async () => {
    const cache = await EmbeddingCache.open(join(await tempRoot(), 'k'), model);
    await cache.putBatch([{ textHash: textHash('short'), variant: 0, tokens: 10, vector: vec(1) }]);
    await cache.putBatch([{ textHash: textHash('long'), variant: 64, tokens: 300, vector: vec(2) }]);
    await cache.putBatch([{ textHash: textHash('unknown'), variant: 0, tokens: -1, vector: vec(3) }]);
    const h = (t: string, m: number) => cache.getMany([textHash(t)], m).then((r) => r.has(textHash(t)));
    expect(await h('short', 256)).toBe(true);
    expect(await h('short', 10)).toBe(true);
    expect(await h('short', 9)).toBe(false); // would have been cut
    expect(await h('short', 0)).toBe(true);
    expect(await h('long', 64)).toBe(true);
    expect(await h('long', 128)).toBe(false);
    expect(await h('long', 0)).toBe(false);
    expect(await h('unknown', 0)).toBe(true);
    expect(await h('unknown', 256)).toBe(false); // token count unknown: cannot prove it fits
  });

  it('verify names a damaged entry; reading skips the damaged file and reports it', async () => {
    const root = await tempRoot();
    const key = modelKey(model.modelId, model.modelHash);
    const cache = await EmbeddingCache.open(join(root, key), model);
    await cache.putBatch(rows(['one', 'two', 'three']));
    await cache.putBatch(rows(['four']));
    expect((await verifyCacheFolder(root, key)).problems).toEqual([]);
    const shards = (await readdir(join(root, key))).filter((f) => f.endsWith('.cvec'));
    // Damage the vector of the 2nd entry of the 3-entry shard (its last bytes belong to row 3).
    let target = '';
    let biggest = 0;
    for (const f of shards) {
      const size = (await readFile(join(root, key, f))).length;
      if (size > biggest) [biggest, target] = [size, f];
    }
    const path = join(root, key, target);
    const buf = await readFile(path);
    const vectorsAt = 16 + 3 * 48 + 32;
    buf[vectorsAt + DIMS * 4 + 3] ^= 0x55;
    await writeFile(path, buf);
    const report = await verifyCacheFolder(root, key);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0].file).toBe(path);
    expect(report.problems[0].entries).toEqual([textHash('two')]);
    const bad: string[] = [];
    const reopened = await EmbeddingCache.open(join(root, key), model, { onBadShard: (f) => bad.push(f) });
    const hits = await reopened.getMany(['one', 'two', 'four'].map(textHash), 0);
    expect([...hits.keys()]).toEqual([textHash('four')]);
    expect(bad).toEqual([path]);
    expect(await removeDamaged(report.problems)).toBe(1);
    expect((await verifyCacheFolder(root, key)).problems).toEqual([]);
  });

  it('verify detects a damaged header and a truncated file', async () => {
    const root = await tempRoot();
    const cache = await EmbeddingCache.open(join(root, 'k'), model);
    await cache.putBatch(rows(['a', 'b']));
    const [f] = (await readdir(join(root, 'k'))).filter((x) => x.endsWith('.cvec'));
    const path = join(root, 'k', f);
    const buf = await readFile(path);
    const h = Buffer.from(buf);
    h[20] ^= 1; // inside the first entry's text hash
    await writeFile(path, h);
    expect((await verifyCacheFolder(root, 'k')).problems[0].problem).toMatch(/header checksum/);
    await writeFile(path, buf.subarray(0, buf.length - 10));
    expect((await verifyCacheFolder(root, 'k')).problems[0].problem).toMatch(/damaged|size|name/);
  });

  it('ignores and removes temp files left by a killed writer; keeps a live writer\'s', async () => {
    const dir = join(await tempRoot(), 'k');
    const cache = await EmbeddingCache.open(dir, model);
    await cache.putBatch(rows(['x']));
    const dead = join(dir, '.covary-tmp-abc.cvec-999999-0a0b0c0d');
    const live = tempPathFor(join(dir, 'def.cvec'));
    await writeFile(dead, 'partial');
    await writeFile(live, 'partial');
    const reopened = await EmbeddingCache.open(dir, model);
    expect(reopened.size).toBe(1);
    const left = await readdir(dir);
    expect(left).not.toContain('.covary-tmp-abc.cvec-999999-0a0b0c0d');
    expect(left.some((f) => live.endsWith(f))).toBe(true);
  });

  it('two writers on one folder at once: both batches survive, nothing is corrupt', async () => {
    const root = await tempRoot();
    const dir = join(root, 'k');
    const [c1, c2] = await Promise.all([EmbeddingCache.open(dir, model), EmbeddingCache.open(dir, model)]);
    const shared = rows(['same', 'batch']);
    await Promise.all([c1.putBatch(shared), c2.putBatch(shared), c1.putBatch(rows(['p1'])), c2.putBatch(rows(['p2']))]);
    const fresh = await EmbeddingCache.open(dir, model);
    expect(fresh.size).toBe(4);
    expect(await c1.refresh()).toBe(1); // picks up p2, written by the other writer
    expect((await verifyCacheFolder(root, 'k')).problems).toEqual([]);
  });

  it('compaction merges small shards without losing or duplicating an entry', async () => {
    const root = await tempRoot();
    const dir = join(root, 'k');
    const cache = await EmbeddingCache.open(dir, model);
    const texts = Array.from({ length: 40 }, (_, i) => `t${i}`);
    for (let i = 0; i < 40; i += 2) await cache.putBatch(rows(texts.slice(i, i + 2)));
    await cache.putBatch(rows(['t0'])); // a duplicate entry in another shard
    const before = await cache.getMany(texts.map(textHash), 0);
    expect(await cache.compact(8)).toEqual({ merged: 21 });
    const files = (await readdir(dir)).filter((f) => f.endsWith('.cvec'));
    expect(files).toHaveLength(1);
    const after = await (await EmbeddingCache.open(dir, model)).getMany(texts.map(textHash), 0);
    expect(after.size).toBe(40);
    for (const [h, hit] of before) expect(Array.from(after.get(h)!.vector)).toEqual(Array.from(hit.vector));
    const info = await listCacheFolders(root);
    expect(info[0]).toMatchObject({ key: 'k', modelId: 'toy', entries: 40, shards: 1 });
  });

  it('refuses a folder that belongs to another model; clear removes by key or all', async () => {
    const root = await tempRoot();
    await EmbeddingCache.open(join(root, 'k1'), model);
    await EmbeddingCache.open(join(root, 'k2'), { ...model, modelHash: 'cd'.repeat(32) });
    await expect(EmbeddingCache.open(join(root, 'k1'), { ...model, modelHash: 'ef'.repeat(32) })).rejects.toThrow(/another model/);
    expect(await clearCache(root, 'k1', false)).toEqual(['k1']);
    expect(await clearCache(root, 'nope', false)).toEqual([]);
    expect(await clearCache(root, null, true)).toEqual(['k2']);
    expect(await listCacheFolders(root)).toEqual([]);
  });
});
