import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { silentReporter } from '../../pipeline/core/progress.ts';
import { createOnnxEmbedder } from '../../pipeline/embed/embedders/onnx.ts';
import { DEFAULT_DISTILL_OPTIONS, distillStaticModel, writeModelFolder } from '../../pipeline/embed/distill/distill.ts';
import { buildStaticEmbeddingModel } from '../../pipeline/embed/distill/static-graph.ts';
import { describeOnnxModel } from '../../pipeline/embed/distill/onnx-proto.ts';
import { wordPieceVocab, wordsFromText } from '../../pipeline/embed/distill/vocab.ts';
import { buildTable, tokenWeights } from '../../pipeline/embed/distill/table.ts';
import { neighbourOverlap, pairwiseCosineSpearman, ranks, spearman } from '../../pipeline/embed/distill/agreement.ts';
import { plainUseTeacher, teacherPieces } from '../../pipeline/embed/distill/teacher.ts';
import { fakeTeacher, tinyPieces } from './helpers.ts';

describe('static ONNX graph', () => {
  it('computes the masked mean + L2 normalisation in onnxruntime', async () => {
    const V = 5;
    const D = 3;
    const table = Float32Array.from({ length: V * D }, (_, i) => ((i * 7) % 11) - 5);
    const bytes = buildStaticEmbeddingModel({ embeddings: table, vocabSize: V, dims: D, producerVersion: 't' });
    expect(describeOnnxModel(bytes)).toMatchObject({ inputs: ['input_ids', 'attention_mask'], outputs: ['sentence_embedding'], opset: 13 });
    const s = await ort.InferenceSession.create(bytes);
    // row 0: ids 1, 2 (third position padded with id 4, masked); row 1: id 3 only
    const ids = new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 4n, 3n, 4n, 4n]), [2, 3]);
    const mask = new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 0n, 1n, 0n, 0n]), [2, 3]);
    const out = (await s.run({ input_ids: ids, attention_mask: mask })).sentence_embedding;
    expect(out.dims).toEqual([2, 3]);
    const r0 = [5 + 4, 1 + 0, -3 - 4]; // rows 1 and 2 of the table
    const n0 = Math.hypot(...r0);
    r0.forEach((x, c) => expect((out.data as Float32Array)[c]).toBeCloseTo(x / n0, 5));
    const r1 = [3, -1, -5];
    const n1 = Math.hypot(...r1);
    r1.forEach((x, c) => expect((out.data as Float32Array)[3 + c]).toBeCloseTo(x / n1, 5));
  });
});

describe('vocabulary from SentencePiece pieces', () => {
  it('maps ▁word → word, piece → ##piece, keeps every character in both forms, specials first', () => {
    const v = wordPieceVocab(tinyPieces(), { maxSize: 1000 });
    const tokens = v.map((e) => e.token);
    expect(tokens.slice(0, 2)).toEqual(['[PAD]', '[UNK]']);
    expect(tokens).toContain('cat');
    expect(tokens).toContain('##ing');
    expect(tokens).toContain('x');
    expect(tokens).toContain('##x');
    expect(tokens).toContain('.');
    expect(tokens).not.toContain('##.');
    expect(tokens).not.toContain('<s>');
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(v.find((e) => e.token === '##ing')!.teacherText).toBe('ing');
  });

  it('caps the size (characters kept) and appends extra words after the teacher\'s pieces', () => {
    const small = wordPieceVocab(tinyPieces(), { maxSize: 60 });
    expect(small.length).toBe(60);
    expect(small.map((e) => e.token)).toContain('##z');
    const withWords = wordPieceVocab(tinyPieces(), { maxSize: 1000, extraWords: ['kitten', 'cat', 'two words'] });
    const toks = withWords.map((e) => e.token);
    expect(toks[toks.length - 1]).toBe('kitten');
    expect(toks.filter((t) => t === 'cat').length).toBe(1);
  });

  it('wordsFromText counts words, most frequent first, ties alphabetical, singletons and numbers dropped', () => {
    expect(wordsFromText('bb aa bb aa cc 12 12 xx. cc! dd e e', 2)).toEqual(['aa', 'bb', 'cc']);
  });
});

describe('table: weights, centring, PCA', () => {
  it('SIF down-weights frequent tokens; zipf grows with rank; none is 1', () => {
    const lp = Float64Array.from([Math.log(0.1), Math.log(1e-6)]);
    const sif = tokenWeights(lp, { weighting: 'sif', sifA: 1e-3 });
    expect(sif[0]).toBeCloseTo(1e-3 / (1e-3 + 0.1), 12);
    expect(sif[1]).toBeGreaterThan(0.99);
    const z = tokenWeights(lp, { weighting: 'zipf', sifA: 0 });
    expect(z[0]).toBeLessThan(z[1]);
    expect(Array.from(tokenWeights(lp, { weighting: 'none', sifA: 0 }))).toEqual([1, 1]);
  });

  it('PCA keeps the dominant direction of planted data and is deterministic', () => {
    // points along (1, 1, 0) with small noise in z: first component ∝ (1, 1, 0)/√2
    const rows = 50;
    const v = new Float32Array(rows * 3);
    for (let i = 0; i < rows; i++) {
      const t = i - 25;
      v.set([t, t, (i % 3) * 0.01], i * 3);
    }
    const fit = Array(rows).fill(true);
    const w = new Float64Array(rows).fill(1);
    const a = buildTable(v, rows, 3, w, fit, { weighting: 'none', sifA: 0, pcaDims: 1, center: true });
    const b = buildTable(v, rows, 3, w, fit, { weighting: 'none', sifA: 0, pcaDims: 1, center: true });
    expect(a.dims).toBe(1);
    expect(Array.from(a.table)).toEqual(Array.from(b.table));
    for (let i = 0; i < rows; i++) expect(Math.abs(a.table[i])).toBeCloseTo(Math.abs((i - 24.5) * Math.SQRT2), 1);
  });
});

describe('distill (fake teacher)', () => {
  it('is deterministic: same teacher and options give byte-identical files, each distinct text embedded once', async () => {
    const t1 = fakeTeacher(8);
    const a = await distillStaticModel('x', t1, tinyPieces(), { ...DEFAULT_DISTILL_OPTIONS, maxVocab: 1000, batchSize: 7 }, silentReporter);
    const b = await distillStaticModel('x', fakeTeacher(8), tinyPieces(), { ...DEFAULT_DISTILL_OPTIONS, maxVocab: 1000, batchSize: 50 }, silentReporter);
    expect(Object.keys(a.files).sort()).toEqual(['README.md', 'config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    for (const f of Object.keys(a.files)) expect(Buffer.from(a.files[f] as Uint8Array).equals(Buffer.from(b.files[f] as Uint8Array))).toBe(true);
    const embedded = t1.calls.flat();
    expect(new Set(embedded).size).toBe(embedded.length);
    expect(embedded).toContain('[UNK]');
  });
});

describe('distill end to end with the real teacher (small vocabulary, offline)', () => {
  it('embeds a few hundred tokens with USE lite and writes a folder the ONNX embedder loads', async () => {
    const teacher = await plainUseTeacher();
    const pieces = (await teacherPieces()).slice(0, 260);
    const dir = await mkdtemp(join(tmpdir(), 'covary-distill-'));
    const m = await distillStaticModel('use-small', teacher, pieces, { ...DEFAULT_DISTILL_OPTIONS, maxVocab: 400 }, silentReporter);
    await writeModelFolder(join(dir, 'use-small'), m.files);
    expect(readdirSync(join(dir, 'use-small')).sort()).toEqual(['README.md', 'config.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
    const config = JSON.parse(readFileSync(join(dir, 'use-small', 'config.json'), 'utf8'));
    expect(config.covary).toMatchObject({ kind: 'static', dims: 512, teacher: { id: 'use-lite', dims: 512 } });
    expect(config.covary.teacher.modelHash).toMatch(/^[0-9a-f]{64}$/);
    const e = await createOnnxEmbedder({ model: 'use-small', modelsDir: dir, allowDownload: false, maxTokens: 256 });
    expect(e.dims).toBe(512);
    const v = await e.embed(['the man is in the house', 'the man is at home', 'what is the year of the film']);
    const cos = (i: number, j: number) => v.subarray(i * 512, (i + 1) * 512).reduce((s, x, c) => s + x * v[j * 512 + c], 0);
    expect(cos(0, 0)).toBeCloseTo(1, 5);
    expect(cos(0, 1)).toBeGreaterThan(cos(0, 2));
    await e.close();
  }, 120_000);
});

describe('agreement measures', () => {
  it('ranks with ties, Spearman of monotone data = 1, of reversed = −1', () => {
    expect(Array.from(ranks(Float64Array.from([10, 20, 20, 5])))).toEqual([2, 3.5, 3.5, 1]);
    const a = Float64Array.from([1, 2, 3, 4, 5]);
    expect(spearman(a, Float64Array.from([1, 4, 9, 16, 25]))).toBeCloseTo(1, 12);
    expect(spearman(a, Float64Array.from([5, 4, 3, 2, 1]))).toBeCloseTo(-1, 12);
  });

  it('a set agrees perfectly with itself and with any rotation of itself', () => {
    const n = 20;
    const d = 4;
    const v = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.3));
    for (let i = 0; i < n; i++) {
      const s = Math.hypot(...v.subarray(i * d, (i + 1) * d));
      for (let c = 0; c < d; c++) v[i * d + c] /= s;
    }
    const rot = new Float32Array(n * d); // swap coordinates: a rotation/reflection keeps cosines
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) rot[i * d + c] = v[i * d + ((c + 1) % d)];
    expect(neighbourOverlap(v, d, rot, d, n, 5)).toBeCloseTo(1, 12);
    expect(pairwiseCosineSpearman(v, d, rot, d, n)).toBeCloseTo(1, 6);
  });
});
