import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { stage } from '../../pipeline/embed/stage.ts';
import { loadEmbeddings, loadEmbedResult, type EmbedResult } from '../../pipeline/embed/index.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { collectingReporter } from '../../pipeline/core/progress.ts';
import { context, saveTexts, syntheticTexts, tempStore } from './helpers.ts';

// In-process model (workers: 1) keeps this file quick; the worker path has its own tests.
const args = { workers: 1, 'batch-size': 8 };

describe('embed stage', () => {
  it('embeds a benchmark, reuses shared prompts for a second one, and computes nothing when re-run', async () => {
    const store = await tempStore();
    const a = syntheticTexts(24);
    const b = [...a.slice(0, 16), ...syntheticTexts(8, 100)];
    await saveTexts(store, 'bench-a', [...a, a[3], null]);
    await saveTexts(store, 'bench-b', b);

    const reporter = collectingReporter();
    const first = await stage.run({ ...context(store), reporter }, 'bench-a', args);
    expect(first.status).toBe('computed');
    const ra = (await loadEmbedResult(store, 'bench-a'))!;
    expect(ra).toMatchObject({ modelId: 'use-lite', dims: 512, dtype: 'float32', maxTokens: 256, n: 26, withText: 25, withoutText: 1, unique: 24, truncated: 0 });
    // How a run got its vectors depends on the cache: it is in the outcome's details, never in embed.json.
    expect(ra).not.toHaveProperty('embedded');
    expect(ra).not.toHaveProperty('fromCache');
    expect(first.details).toMatchObject({ embedded: 24, fromCache: 0, unique: 24, duplicates: 1 });
    expect(reporter.messages.some((m) => /24 embedded, 0 from cache, 1 duplicate texts reused/.test(m))).toBe(true);

    const ea = (await loadEmbeddings(store, 'bench-a'))!;
    expect(ea.n).toBe(26);
    expect(ea.vectors.length).toBe(26 * 512);
    const norm = (i: number) => Math.hypot(...ea.vectors.subarray(i * 512, (i + 1) * 512));
    expect(norm(0)).toBeCloseTo(1, 5);
    expect(norm(25)).toBe(0); // the item without text
    expect(Array.from(ea.vectors.subarray(24 * 512, 25 * 512))).toEqual(Array.from(ea.vectors.subarray(3 * 512, 4 * 512)));

    const outB = await stage.run(context(store), 'bench-b', args);
    expect(outB.details).toMatchObject({ embedded: 8, fromCache: 16 });
    const rb = (await loadEmbedResult(store, 'bench-b')) as EmbedResult;
    expect(rb).toMatchObject({ n: 24, unique: 24 });
    const eb = (await loadEmbeddings(store, 'bench-b'))!;
    expect(Array.from(eb.vectors.subarray(5 * 512, 6 * 512))).toEqual(Array.from(ea.vectors.subarray(5 * 512, 6 * 512)));

    expect((await stage.run(context(store), 'bench-a', args)).status).toBe('cached');
    const forced = await stage.run(context(store, true), 'bench-a', args);
    expect(forced.status).toBe('computed');
    expect(forced.details).toMatchObject({ embedded: 0, fromCache: 24 });
    expect(await loadEmbedResult(store, 'bench-a')).toEqual(ra);
    const again = (await loadEmbeddings(store, 'bench-a'))!;
    expect(Array.from(again.vectors)).toEqual(Array.from(ea.vectors));

    // A different token limit is a different result; short texts are still reused from the cache.
    const wide = await stage.run(context(store), 'bench-a', { ...args, 'max-tokens': 512 });
    expect(wide.details).toMatchObject({ embedded: 0, fromCache: 24 });
    expect(await loadEmbedResult(store, 'bench-a')).toMatchObject({ maxTokens: 512 });
    const narrow = await stage.run(context(store), 'bench-a', { ...args, 'max-tokens': 12 });
    expect(narrow.details).toMatchObject({ embedded: 24, fromCache: 0 });
    const cut = (await loadEmbedResult(store, 'bench-a'))!;
    expect(cut).toMatchObject({ maxTokens: 12 });
    expect(cut.truncated).toBe(25);
  });

  it('skips a benchmark without prompt text with a clear reason, and later stages get null', async () => {
    const store = await tempStore();
    await saveTexts(store, 'no-text', [null, null, '  ']);
    const out = await stage.run(context(store), 'no-text', args);
    expect(out.status).toBe('skipped');
    expect(out.message).toMatch(/no prompt text/);
    const art = await store.readStage('no-text', 'embed');
    expect(art).toMatchObject({ status: 'skipped' });
    expect(art!.skipReason).toMatch(/no prompt text/);
    expect(await loadEmbeddings(store, 'no-text')).toBeNull();
    expect((await stage.run(context(store), 'no-text', args)).status).toBe('skipped');
    // Nothing was loaded or cached for it.
    await expect(readdir(store.cacheDir('embeddings'))).rejects.toThrow();
  });

  it('says clearly when embeddings are missing or stale, and rejects bad options', async () => {
    const store = await tempStore();
    await saveTexts(store, 'b', ['one prompt', 'another prompt']);
    const err = await loadEmbeddings(store, 'b').catch((e: CovaryError) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect((err as CovaryError).toLine()).toMatch(/no embeddings yet \(run `covary embed --name b` first\)/);
    await expect(stage.run(context(store), 'b', { ...args, 'max-tokens': -1 })).rejects.toThrow(/--max-tokens must be an integer/);
    await expect(stage.run(context(store), 'b', { ...args, workers: 0 })).rejects.toThrow(/--workers/);
    await expect(stage.run(context(store), 'missing', args)).rejects.toThrow(/no ingested benchmark named "missing"/);
    await stage.run(context(store), 'b', args);
    expect(await loadEmbeddings(store, 'b')).not.toBeNull();
    // Re-ingesting replaces the dataset and drops its stage results: embeddings must be recomputed.
    await saveTexts(store, 'b', ['one prompt', 'a changed prompt']);
    await expect(loadEmbeddings(store, 'b')).rejects.toThrow(/no embeddings yet/);
  });
});
