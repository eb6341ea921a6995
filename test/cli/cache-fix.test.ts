import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { EmbeddingCache, modelKey, textHash } from '../../pipeline/embed/cache.ts';

/** A data folder whose embedding cache holds one model folder with one stored vector. */
async function cacheWithOneVector() {
  const data = join(await mkdtemp(join(tmpdir(), 'covary-cachefix-')), 'data');
  const model = { modelId: 'toy', modelHash: 'ef'.repeat(32), dims: 4 };
  const dir = join(data, 'cache', 'embeddings', modelKey(model.modelId, model.modelHash));
  const cache = await EmbeddingCache.open(dir, model);
  await cache.putBatch([{ textHash: textHash('a'), variant: 0, tokens: 1, vector: Float32Array.from([1, 0, 0, 0]) }]);
  return { data, dir, cache };
}

describe('cache verify --fix', () => {
  it('a folder left without model.json (cleared during an embed) is removed, and only then called fixed', async () => {
    const { data, dir } = await cacheWithOneVector();
    await rm(join(dir, 'model.json'));
    const before = await runCli(['cache', 'verify', '--data-dir', data]);
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/missing or unreadable model\.json/);
    const fix = await runCli(['cache', 'verify', '--fix', '--data-dir', data]);
    expect(fix.err).toBe('');
    expect(fix.code).toBe(0);
    expect(existsSync(dir)).toBe(false);
    const after = await runCli(['cache', 'verify', '--data-dir', data]);
    expect(after.code).toBe(0);
    expect(after.out).toMatch(/empty: nothing to verify/);
  });

  it('an embed that keeps writing after `cache clear --all` leaves a folder that verifies', async () => {
    const { data, cache } = await cacheWithOneVector();
    expect((await runCli(['cache', 'clear', '--all', '--data-dir', data])).code).toBe(0);
    await cache.putBatch([{ textHash: textHash('b'), variant: 0, tokens: 1, vector: Float32Array.from([0, 1, 0, 0]) }]);
    const v = await runCli(['cache', 'verify', '--data-dir', data]);
    expect(v.out).toMatch(/1 vectors in 1 files — ok/);
    expect(v.code).toBe(0);
  });
});
