import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, writeFileSync, rmSync, appendFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentReporter } from '../../pipeline/core/progress.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { createOnnxEmbedder } from '../../pipeline/embed/embedders/onnx.ts';
import { DEFAULT_DISTILL_OPTIONS, distillStaticModel, writeModelFolder, type DistilledModel } from '../../pipeline/embed/distill/distill.ts';
import { AttrType, DataType, encodeOnnxModel, float32Bytes } from '../../pipeline/embed/distill/onnx-proto.ts';
import { fakeTeacher, tinyPieces } from './helpers.ts';

const D = 16;
let modelsDir: string;
let model: DistilledModel;

function row(table: Float32Array, dims: number, token: string, m: DistilledModel): Float32Array {
  const i = m.vocab.findIndex((e) => e.token === token);
  expect(i).toBeGreaterThan(1);
  return table.subarray(i * dims, (i + 1) * dims);
}

function normalised(v: Float64Array | Float32Array): number[] {
  const xs = Array.from(v);
  const s = Math.sqrt(xs.reduce((a, x) => a + x * x, 0));
  return xs.map((x) => x / s);
}

function norm(v: Float32Array, i: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += v[i * d + c] ** 2;
  return Math.sqrt(s);
}

beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), 'covary-onnx-'));
  model = await distillStaticModel('tiny', fakeTeacher(D), tinyPieces(), { ...DEFAULT_DISTILL_OPTIONS, maxVocab: 1000 }, silentReporter);
  await writeModelFolder(join(modelsDir, 'tiny'), model.files);
});

const open = (over: Partial<Parameters<typeof createOnnxEmbedder>[0]> = {}) => createOnnxEmbedder({ model: 'tiny', modelsDir, allowDownload: false, maxTokens: 256, ...over });

describe('ONNX embedder: the Embedder contract on a distilled static model', () => {
  it('has id, dims, a stable 64-hex model hash, and returns n × dims unit rows', async () => {
    const e = await open();
    expect(e.id).toBe('tiny');
    expect(e.dims).toBe(D);
    expect(e.modelHash).toMatch(/^[0-9a-f]{64}$/);
    const texts = ['the cat sat on the mat.', 'a big red car drove fast', 'dogs running', ''];
    const v = await e.embed(texts);
    expect(v.length).toBe(texts.length * D);
    for (let i = 0; i < texts.length; i++) expect(norm(v, i, D)).toBeCloseTo(1, 5);
    expect((await e.embed([])).length).toBe(0);
    const again = await open();
    expect(again.modelHash).toBe(e.modelHash);
    await e.close();
    await again.close();
  });

  it('equals the weighted mean of its tokens\' table rows (pooling in the graph)', async () => {
    const e = await open();
    const v = await e.embed(['the cat', 'cats']);
    const sum = new Float64Array(D);
    for (const t of ['the', 'cat']) row(model.table, D, t, model).forEach((x, c) => (sum[c] += x));
    normalised(sum).forEach((x, c) => expect(v[c]).toBeCloseTo(x, 5));
    const sum2 = new Float64Array(D);
    for (const t of ['cat', '##s']) row(model.table, D, t, model).forEach((x, c) => (sum2[c] += x));
    normalised(sum2).forEach((x, c) => expect(v[D + c]).toBeCloseTo(x, 5));
    await e.close();
  });

  it('does not depend on batch composition or order (padding is masked)', async () => {
    const e = await open();
    const texts = ['the cat sat on the mat and the dog ran fast', 'a car', 'red house', 'the big red dog drove a car on the mat'];
    const together = await e.embed(texts);
    for (let i = 0; i < texts.length; i++) {
      const alone = await e.embed([texts[i]]);
      for (let c = 0; c < D; c++) expect(together[i * D + c]).toBeCloseTo(alone[c], 6);
    }
    await e.close();
  });

  it('truncates to maxTokens and reports uncut token counts', async () => {
    const e = await open({ maxTokens: 3 });
    const r = await e.embedWithTokens!(['the cat sat on the mat', 'the cat sat']);
    expect(Array.from(r.tokens)).toEqual([6, 3]);
    for (let c = 0; c < D; c++) expect(r.vectors[c]).toBeCloseTo(r.vectors[D + c], 6);
    const full = await open({ maxTokens: 0 });
    const f = await full.embed(['the cat sat on the mat', 'the cat sat']);
    expect(Math.abs(f[0] - f[D]) + Math.abs(f[1] - f[D + 1])).toBeGreaterThan(1e-4);
    await e.close();
    await full.close();
  });

  it('changes its model hash when a file changes', async () => {
    const copy = join(modelsDir, 'tiny-copy');
    cpSync(join(modelsDir, 'tiny'), copy, { recursive: true });
    const a = await open({ model: 'tiny-copy' });
    appendFileSync(join(copy, 'config.json'), '\n');
    const b = await open({ model: 'tiny-copy' });
    expect(b.modelHash).not.toBe(a.modelHash);
    // a path works as well as an id
    const c = await createOnnxEmbedder({ model: copy, modelsDir: '/nonexistent', allowDownload: false, maxTokens: 8 });
    expect(c.modelHash).toBe(b.modelHash);
    await Promise.all([a.close(), b.close(), c.close()]);
    rmSync(copy, { recursive: true });
  });
});

describe('ONNX embedder: transformer-style output pooled in typed-array code', () => {
  /** A "transformer" whose last_hidden_state is just each token's row: pooling is then checkable by hand. */
  async function hiddenStateModel(id: string, pooling: 'mean' | 'cls' | null): Promise<Float32Array> {
    const dir = join(modelsDir, id);
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    const V = model.vocab.length;
    const table = new Float32Array(V * D).map((_, i) => Math.sin(i * 0.37) + (i % 7) * 0.1);
    const bytes = encodeOnnxModel({
      graphName: 'g',
      opset: 13,
      producerName: 'test',
      producerVersion: '0',
      initializers: [{ name: 'E', dataType: DataType.FLOAT, dims: [V, D], rawData: float32Bytes(table) }],
      inputs: [
        { name: 'input_ids', elemType: DataType.INT64, shape: ['b', 's'] },
        { name: 'attention_mask', elemType: DataType.INT64, shape: ['b', 's'] },
      ],
      outputs: [{ name: 'last_hidden_state', elemType: DataType.FLOAT, shape: ['b', 's', D] }],
      nodes: [{ opType: 'Gather', inputs: ['E', 'input_ids'], outputs: ['last_hidden_state'], attributes: [{ name: 'axis', type: AttrType.INT, i: 0 }] }],
    });
    writeFileSync(join(dir, 'onnx', 'model.onnx'), bytes);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', hidden_size: D }));
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) writeFileSync(join(dir, f), model.files[f] as string);
    if (pooling) {
      mkdirSync(join(dir, '1_Pooling'), { recursive: true });
      writeFileSync(join(dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: D, pooling_mode_cls_token: pooling === 'cls', pooling_mode_mean_tokens: pooling === 'mean' }));
    }
    return table;
  }

  it.each([['mean'], ['cls'], [null]] as const)('pooling %s', async (pooling) => {
    const id = `hidden-${pooling}`;
    const table = await hiddenStateModel(id, pooling);
    const e = await open({ model: id });
    const v = await e.embed(['the cat sat', 'a dog']);
    const expectFor = (tokens: string[], r: number) => {
      const ids = tokens.map((t) => model.vocab.findIndex((x) => x.token === t));
      const acc = new Float64Array(D);
      const use = pooling === 'cls' ? ids.slice(0, 1) : ids;
      for (const i of use) for (let c = 0; c < D; c++) acc[c] += table[i * D + c];
      normalised(acc).forEach((x, c) => expect(v[r * D + c]).toBeCloseTo(x, 5));
    };
    expectFor(['the', 'cat', 'sat'], 0);
    expectFor(['a', 'dog'], 1); // shorter row in a padded batch: padding must not count
    await e.close();
  });
});

describe('ONNX embedder: missing models', () => {
  it('without the folder and without --allow-download: a clear error naming the three ways to get it', async () => {
    const err = await open({ model: 'Xenova/all-MiniLM-L6-v2' }).catch((e) => e);
    expect(err).toBeInstanceOf(CovaryError);
    const line = (err as CovaryError).toLine();
    expect(line).toMatch(/not found/);
    expect(line).toMatch(/--allow-download/);
    expect(line).toMatch(/covary models distill/);
    expect(line).toContain(join(modelsDir, 'Xenova/all-MiniLM-L6-v2'));
  });

  it('an incomplete folder lists what is missing', async () => {
    mkdirSync(join(modelsDir, 'half', 'onnx'), { recursive: true });
    writeFileSync(join(modelsDir, 'half', 'config.json'), '{}');
    const err = (await open({ model: 'half' }).catch((e) => e)) as CovaryError;
    expect(err.toLine()).toMatch(/missing tokenizer\.json, tokenizer_config\.json, onnx\/model\*\.onnx/);
  });

  it('rejects ids that would escape the models folder', async () => {
    await expect(open({ model: 'a/../../etc' })).rejects.toThrow(/invalid model id/);
  });
});
