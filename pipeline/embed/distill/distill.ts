/**
 * `covary models distill`: a static sentence embedder (model2vec idea) from the default encoder.
 * Every vocabulary token is embedded alone by the teacher; the table (optionally centred, PCA-
 * reduced, frequency-weighted) becomes the Gather initializer of a tiny ONNX graph that mean-pools
 * and normalises in-graph. Output: a Hugging Face layout folder that the ONNX embedder loads
 * through transformers.js like any other. Same teacher + options ⇒ byte-identical files.
 */
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../../core/atomic.ts';
import { stableStringify } from '../../core/hash.ts';
import type { Reporter } from '../../core/progress.ts';
import { COVARY_VERSION } from '../../core/version.ts';
import type { CovaryModelConfig } from '../embedders/onnx-folder.ts';
import { STATIC_OUTPUT, buildStaticEmbeddingModel } from './static-graph.ts';
import { DEFAULT_TABLE_OPTIONS, buildTable, tokenWeights, type TableOptions } from './table.ts';
import type { Teacher } from './teacher.ts';
import { PAD_TOKEN, UNK_TOKEN, tokenizerConfigJson, wordPieceTokenizerJson, wordPieceVocab, type VocabEntry } from './vocab.ts';

export const DEFAULT_DISTILLED_ID = 'covary-static-use';

export interface DistillOptions extends TableOptions {
  /** Most tokens in the vocabulary (specials and single characters always kept). */
  maxVocab: number;
  /** Extra whole words to add as tokens. */
  extraWords: string[];
  /** Truncation recorded in the tokenizer files (the embedder's --max-tokens wins at run time). */
  maxTokens: number;
  /** Teacher batch size. */
  batchSize: number;
}

export const DEFAULT_DISTILL_OPTIONS: DistillOptions = { ...DEFAULT_TABLE_OPTIONS, maxVocab: 16000, extraWords: [], maxTokens: 256, batchSize: 128 };

export interface DistillSummary {
  id: string;
  vocabSize: number;
  dims: number;
  teacher: { id: string; modelHash: string; dims: number };
  options: Omit<DistillOptions, 'extraWords' | 'batchSize'> & { extraWords: number };
}

export interface DistilledModel {
  vocab: VocabEntry[];
  table: Float32Array;
  dims: number;
  /** File name (relative, '/'-separated) → content. */
  files: Record<string, string | Uint8Array>;
  summary: DistillSummary;
}

/** Embed every distinct token text with the teacher (batched, concurrent when it has workers, with progress). */
export async function teacherTokenVectors(teacher: Teacher, vocab: VocabEntry[], batchSize: number, reporter: Reporter): Promise<Float32Array> {
  const d = teacher.dims;
  const out = new Float32Array(vocab.length * d);
  // [PAD] stays zero (always masked); "word" and "##word" share the text "word": embedded once.
  const firstOf = new Map<string, number>();
  vocab.forEach((e, i) => {
    if (e.teacherText !== '' && !firstOf.has(e.teacherText)) firstOf.set(e.teacherText, i);
  });
  const texts = [...firstOf.keys()];
  const batches: string[][] = [];
  for (let s = 0; s < texts.length; s += batchSize) batches.push(texts.slice(s, s + batchSize));
  const bar = reporter.bar('distill: teacher', texts.length, 'tokens');
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const v = await teacher.embed(batch);
      batch.forEach((t, r) => out.set(v.subarray(r * d, (r + 1) * d), firstOf.get(t)! * d));
      bar.tick(batch.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, teacher.concurrency ?? 1) }, worker));
  } finally {
    bar.stop();
  }
  vocab.forEach((e, i) => {
    const j = firstOf.get(e.teacherText);
    if (j !== undefined && j !== i) out.copyWithin(i * d, j * d, (j + 1) * d);
  });
  return out;
}

/** Build the distilled model in memory (teacher calls included). */
export async function distillStaticModel(id: string, teacher: Teacher, pieces: [string, number][], options: DistillOptions, reporter: Reporter): Promise<DistilledModel> {
  const vocab = wordPieceVocab(pieces, { maxSize: options.maxVocab, extraWords: options.extraWords });
  reporter.info(`distill: vocabulary of ${vocab.length} WordPiece tokens from the teacher's ${pieces.length} SentencePiece pieces${options.extraWords.length ? ` + up to ${options.extraWords.length} extra words` : ''}`);
  const vectors = await teacherTokenVectors(teacher, vocab, options.batchSize, reporter);
  const d = teacher.dims;
  const real = vocab.map((e) => e.token !== PAD_TOKEN && e.token !== UNK_TOKEN);
  const unkId = vocab.findIndex((e) => e.token === UNK_TOKEN);
  const weights = tokenWeights(Float64Array.from(vocab, (e) => e.logProb), options);
  weights[vocab.findIndex((e) => e.token === PAD_TOKEN)] = 0;
  const { table, dims } = buildTable(vectors, vocab.length, d, weights, real, options);

  const summary: DistillSummary = {
    id,
    vocabSize: vocab.length,
    dims,
    teacher: { id: teacher.id, modelHash: teacher.modelHash, dims: teacher.dims },
    options: {
      weighting: options.weighting,
      sifA: options.sifA,
      pcaDims: options.pcaDims,
      center: options.center,
      maxVocab: options.maxVocab,
      maxTokens: options.maxTokens,
      extraWords: options.extraWords.length,
    },
  };
  const covary: CovaryModelConfig = {
    kind: 'static',
    output: STATIC_OUTPUT,
    pooling: 'none',
    dims,
    vocabSize: vocab.length,
    teacher: summary.teacher,
    weighting: options.weighting === 'sif' ? `sif(a=${options.sifA})` : options.weighting,
    pcaDims: options.pcaDims > 0 && options.pcaDims < d ? options.pcaDims : null,
    maxTokens: options.maxTokens,
    emptyTokenId: unkId,
  };
  const config = {
    model_type: 'bert',
    architectures: ['CovaryStaticEmbedding'],
    hidden_size: dims,
    vocab_size: vocab.length,
    pad_token_id: vocab.findIndex((e) => e.token === PAD_TOKEN),
    covary: { ...covary, distill: summary.options, covaryVersion: COVARY_VERSION },
  };
  const onnx = buildStaticEmbeddingModel({
    embeddings: table,
    vocabSize: vocab.length,
    dims,
    producerVersion: COVARY_VERSION,
    metadata: { teacher: teacher.id, teacher_hash: teacher.modelHash, weighting: covary.weighting },
  });
  const files: Record<string, string | Uint8Array> = {
    'config.json': stableStringify(config, 2) + '\n',
    'tokenizer.json': JSON.stringify(wordPieceTokenizerJson(vocab, options.maxTokens)) + '\n',
    'tokenizer_config.json': stableStringify(tokenizerConfigJson(options.maxTokens), 2) + '\n',
    'onnx/model.onnx': onnx,
    'README.md': modelCard(summary),
  };
  return { vocab, table, dims, files, summary };
}

/** Write the folder atomically (temp dir + rename): an interrupted distill leaves no half model. */
export async function writeModelFolder(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    for (const [name, content] of Object.entries(files)) await writeFileAtomic(join(tmp, ...name.split('/')), content);
  });
}

function modelCard(s: DistillSummary): string {
  return [
    `# ${s.id}`,
    '',
    `Static sentence embedder distilled by covary ${COVARY_VERSION} (\`covary models distill\`), the model2vec idea:`,
    `each of ${s.vocabSize} WordPiece tokens was embedded alone by the teacher (${s.teacher.id}, ${s.teacher.dims}-d,`,
    `files hash ${s.teacher.modelHash.slice(0, 12)}…); a sentence is the weighted mean of its tokens' vectors, L2-normalised,`,
    `computed inside onnx/model.onnx (Gather → masked mean → L2). Output \`sentence_embedding\`, ${s.dims}-d.`,
    '',
    'The vocabulary is derived from the teacher\'s SentencePiece pieces ("▁word" → "word", "piece" → "##piece").',
    `Options: ${stableStringify(s.options)}`,
    '',
    'Generated, not committed: re-create it with `covary models distill`.',
    '',
  ].join('\n');
}
