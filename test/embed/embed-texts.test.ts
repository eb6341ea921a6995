import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embedTexts, planBatches } from '../../pipeline/embed/embed-texts.ts';
import { EmbeddingCache, textHash } from '../../pipeline/embed/cache.ts';
import type { Embedder } from '../../pipeline/embed/embedder.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { silentReporter } from '../../pipeline/core/progress.ts';

const DIMS = 4;

/** A toy embedder that records every batch it is given; fails on a text containing "boom". */
function toyEmbedder(concurrency = 2): Embedder & { batches: string[][]; inFlight: number; maxInFlight: number } {
  const e = {
    id: 'toy',
    dims: DIMS,
    modelHash: '0'.repeat(64),
    concurrency,
    batches: [] as string[][],
    inFlight: 0,
    maxInFlight: 0,
    async embedWithTokens(texts: string[]) {
      e.batches.push(texts);
      e.inFlight++;
      e.maxInFlight = Math.max(e.maxInFlight, e.inFlight);
      await new Promise((r) => setTimeout(r, 2));
      e.inFlight--;
      if (texts.some((t) => t.includes('boom'))) throw new Error('boom');
      const v = new Float32Array(texts.length * DIMS);
      texts.forEach((t, i) => {
        v[i * DIMS] = t.length;
        v[i * DIMS + 1] = 1;
        const n = Math.hypot(t.length, 1);
        v[i * DIMS] /= n;
        v[i * DIMS + 1] /= n;
      });
      return { vectors: v, tokens: Int32Array.from(texts, (t) => t.split(' ').length) };
    },
    async embed(texts: string[]) {
      return (await e.embedWithTokens(texts)).vectors;
    },
    async close() {},
  };
  return e;
}

const opts = (batchSize: number, maxTokens = 256) => ({ batchSize, maxTokens, rng: createRng(3), reporter: silentReporter });

describe('embedTexts', () => {
  it('plans batches of similar length within count and character limits', () => {
    const lengths = [5, 100, 7, 6, 300, 8];
    const order = [0, 3, 2, 5, 1, 4]; // sorted by length
    expect(planBatches(order, lengths, 2, 10_000)).toEqual([[0, 3], [2, 5], [1, 4]]);
    expect(planBatches(order, lengths, 10, 130)).toEqual([[0, 3, 2, 5, 1], [4]]);
    expect(planBatches(order, lengths, 10, 120)).toEqual([[0, 3, 2, 5], [1], [4]]);
  });

  it('embeds each distinct text once, in length-sorted batches on every worker, rows in input order', async () => {
    const e = toyEmbedder(2);
    const texts = ['a b c', 'x', 'a b c', 'long text here with words', 'x', 'mid size'];
    const r = await embedTexts(e, texts, null, opts(2));
    expect(r).toMatchObject({ unique: 4, embedded: 4, fromCache: 0 });
    expect(e.batches.flat().sort()).toEqual(['a b c', 'long text here with words', 'mid size', 'x']);
    for (const b of e.batches) expect(b.length).toBeLessThanOrEqual(2);
    expect(e.batches.map((b) => b.join('|')).sort()).toEqual(['mid size|long text here with words', 'x|a b c']);
    expect(e.maxInFlight).toBe(2);
    expect(Array.from(r.vectors.subarray(2 * DIMS, 3 * DIMS))).toEqual(Array.from(r.vectors.subarray(0, DIMS)));
    expect(Array.from(r.tokens)).toEqual([3, 1, 3, 5, 1, 2]);
  });

  it('persists each finished batch, so a failure mid-run keeps the work already done', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'covary-et-')), 'k');
    const cache = await EmbeddingCache.open(dir, { modelId: 'toy', modelHash: '0'.repeat(64), dims: DIMS });
    const e = toyEmbedder(1);
    const texts = ['aa', 'bb', 'cc', 'dd', 'boom boom boom boom', 'ee'];
    await expect(embedTexts(e, texts, cache, opts(2))).rejects.toThrow('boom');
    const done = e.batches.filter((b) => !b.some((t) => t.includes('boom'))).flat();
    const reopened = await EmbeddingCache.open(dir, cache.model);
    const hits = await reopened.getMany(texts.map(textHash), 256);
    expect(hits.size).toBe(done.length);
    const e2 = toyEmbedder(1);
    const r = await embedTexts(e2, texts.filter((t) => !t.includes('boom')), reopened, opts(2));
    expect(r.fromCache).toBe(done.length);
    expect(e2.batches.flat().sort()).toEqual(texts.filter((t) => !t.includes('boom') && !done.includes(t)).sort());
  });

  it('stores a text that exceeded the limit as a cut variant, reused only under that limit', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'covary-et-')), 'k');
    const cache = await EmbeddingCache.open(dir, { modelId: 'toy', modelHash: '0'.repeat(64), dims: DIMS });
    const texts = ['one two three four five', 'short'];
    await embedTexts(toyEmbedder(), texts, cache, opts(8, 3));
    expect((await embedTexts(toyEmbedder(), texts, cache, opts(8, 3))).fromCache).toBe(2);
    const wider = await embedTexts(toyEmbedder(), texts, cache, opts(8, 10));
    expect(wider).toMatchObject({ fromCache: 1, embedded: 1 }); // "short" fits any limit; the long one was cut at 3
  });
});
