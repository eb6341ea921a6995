import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { CovaryError } from '../../core/errors.ts';
import { terminalReporter } from '../../core/progress.ts';
import { printResult, type GlobalArgs } from '../context.ts';
import { DEFAULT_MODELS_DIR, DEFAULT_MODEL_ID, createEmbedder, describeDefaultModel } from '../../embed/embedders/index.ts';
import { hashModelFolder, inspectModelFolder, listModelFolders, missingModelFiles, modelDirFor } from '../../embed/embedders/onnx-folder.ts';
import { DEFAULT_DISTILLED_ID, DEFAULT_DISTILL_OPTIONS, distillStaticModel, writeModelFolder } from '../../embed/distill/distill.ts';
import { teacherPieces } from '../../embed/distill/teacher.ts';
import { wordsFromText } from '../../embed/distill/vocab.ts';
import type { Weighting } from '../../embed/distill/table.ts';

type LsArgs = GlobalArgs & { modelsDir: string };
type DistillArgs = GlobalArgs & {
  modelsDir: string;
  id: string;
  vocab: number;
  words?: string;
  weighting: Weighting;
  sifA: number;
  pcaDims: number;
  workers: number;
  force: boolean;
};

const modelsDirOption = { type: 'string', default: DEFAULT_MODELS_DIR, describe: 'Folder of local ONNX models (Hugging Face layout, one sub-folder per id)' } as const;

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

interface ListedModel {
  id: string;
  backend: 'use-lite' | 'onnx';
  location: string;
  dims: number | null;
  kind: string;
  modelHash: string | null;
  bytes: number | null;
  status: 'ok' | 'incomplete' | 'broken';
  problem?: string;
}

const ls: CommandModule<GlobalArgs, LsArgs> = {
  command: 'ls',
  describe: 'List the embedding models covary can use and where their files are',
  builder: (y: Argv<GlobalArgs>) => y.option('models-dir', modelsDirOption) as unknown as Argv<LsArgs>,
  handler: async (argv) => {
    const modelsDir = resolve(argv.modelsDir);
    const def = describeDefaultModel();
    const models: ListedModel[] = [{ id: def.id, backend: 'use-lite', location: def.location, dims: def.dims, kind: def.description, modelHash: null, bytes: null, status: 'ok' }];
    for (const id of listModelFolders(modelsDir)) {
      const dir = modelDirFor(id, modelsDir);
      const missing = missingModelFiles(dir);
      if (missing.length) {
        models.push({ id, backend: 'onnx', location: dir, dims: null, kind: 'onnx', modelHash: null, bytes: null, status: 'incomplete', problem: `missing ${missing.join(', ')}` });
        continue;
      }
      try {
        const f = inspectModelFolder(id, dir);
        const h = await hashModelFolder(f);
        const dims = f.covary?.dims ?? (f.config.hidden_size as number | undefined) ?? null;
        const kind = f.covary
          ? `static, distilled from ${f.covary.teacher.id} (${f.covary.vocabSize} tokens, ${f.covary.weighting}${f.covary.pcaDims ? `, PCA ${f.covary.pcaDims}` : ''})`
          : `transformer (${String(f.config.model_type ?? '?')}, ${f.pooling} pooling, ${f.dtype})`;
        models.push({ id, backend: 'onnx', location: dir, dims, kind, modelHash: h.hash, bytes: h.bytes, status: 'ok' });
      } catch (e) {
        models.push({ id, backend: 'onnx', location: dir, dims: null, kind: 'onnx', modelHash: null, bytes: null, status: 'broken', problem: (e as Error).message });
      }
    }
    const lines = [`embedding models (use with \`covary embed --model <id>\`; ONNX folders under ${modelsDir}):`];
    for (const m of models) {
      const facts = [m.dims ? `${m.dims}-d` : null, m.bytes !== null ? mb(m.bytes) : null, m.modelHash ? `hash ${m.modelHash.slice(0, 12)}` : null].filter(Boolean).join(', ');
      lines.push(`  ${m.id}${m.id === DEFAULT_MODEL_ID ? ' (default)' : ''}  [${m.backend}]  ${m.status === 'ok' ? facts : m.status.toUpperCase() + ': ' + m.problem}`);
      lines.push(`      ${m.kind}`);
      lines.push(`      ${m.location}`);
    }
    if (models.length === 1) lines.push(`  no ONNX models yet: \`covary models distill\` builds ${DEFAULT_DISTILLED_ID} offline; or put a Hugging Face layout folder under ${modelsDir}`);
    printResult(argv, lines.join('\n'), { modelsDir, models });
  },
};

const distill: CommandModule<GlobalArgs, DistillArgs> = {
  command: 'distill',
  describe: 'Build a fast static ONNX embedder (model2vec idea) from the default encoder, offline and deterministically, into models/<id>',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('models-dir', modelsDirOption)
      .option('id', { type: 'string', default: DEFAULT_DISTILLED_ID, describe: 'Folder name under --models-dir (and the id for --model)' })
      .option('vocab', { type: 'number', default: DEFAULT_DISTILL_OPTIONS.maxVocab, describe: 'Most vocabulary tokens (the teacher has ~7.9k usable pieces; more only with --words)' })
      .option('words', { type: 'string', describe: 'Text file whose most frequent words become whole-word tokens too (e.g. your prompts); improves fidelity on that domain' })
      .option('weighting', { type: 'string', choices: ['sif', 'zipf', 'none'], default: DEFAULT_DISTILL_OPTIONS.weighting, describe: 'Token weights baked into the table' })
      .option('sif-a', { type: 'number', default: DEFAULT_DISTILL_OPTIONS.sifA, describe: 'SIF parameter a' })
      .option('pca-dims', { type: 'number', default: DEFAULT_DISTILL_OPTIONS.pcaDims, describe: 'Reduce dimensions with PCA (0 = keep the teacher\'s 512)' })
      .option('workers', { type: 'number', default: 2, describe: 'Teacher worker threads' })
      .option('force', { type: 'boolean', default: false, describe: 'Replace an existing folder that covary did not distill' }) as unknown as Argv<DistillArgs>,
  handler: async (argv) => {
    const modelsDir = resolve(argv.modelsDir);
    const dir = modelDirFor(argv.id, modelsDir);
    if (!Number.isInteger(argv.vocab) || argv.vocab < 100) throw new CovaryError(`--vocab must be a whole number ≥ 100, got ${argv.vocab}`, { field: '--vocab' });
    if (!Number.isInteger(argv.pcaDims) || argv.pcaDims < 0) throw new CovaryError(`--pca-dims must be a whole number ≥ 0, got ${argv.pcaDims}`, { field: '--pca-dims' });
    if (!(argv.sifA > 0)) throw new CovaryError(`--sif-a must be > 0, got ${argv.sifA}`, { field: '--sif-a' });
    if (existsSync(dir) && !argv.force) {
      let ours = false;
      try {
        ours = Boolean(inspectModelFolder(argv.id, dir).covary);
      } catch {
        ours = false;
      }
      if (!ours) throw new CovaryError('a model folder that covary did not distill already exists here', { file: dir }, 'choose another --id, or pass --force to replace it');
    }
    let extraWords: string[] = [];
    if (argv.words) {
      const path = resolve(argv.words);
      if (!existsSync(path)) throw new CovaryError('word file not found', { file: path, field: '--words' });
      extraWords = wordsFromText(readFileSync(path, 'utf8'));
    }
    const reporter = terminalReporter({ quiet: argv.quiet });
    const started = Date.now();
    const teacher = await createEmbedder({ model: DEFAULT_MODEL_ID, maxTokens: 0, workers: argv.workers, allowDownload: false, modelsDir });
    let summary;
    try {
      const pieces = await teacherPieces();
      const model = await distillStaticModel(argv.id, teacher, pieces, { ...DEFAULT_DISTILL_OPTIONS, maxVocab: argv.vocab, extraWords, weighting: argv.weighting, sifA: argv.sifA, pcaDims: argv.pcaDims }, reporter);
      await writeModelFolder(dir, model.files);
      summary = model.summary;
    } finally {
      await teacher.close();
    }
    // Prove the folder loads through the same path `covary embed --model` uses.
    // transformers.js is heavy: loaded only by the commands that embed.
    const { createOnnxEmbedder } = await import('../../embed/embedders/onnx.ts');
    const student = await createOnnxEmbedder({ model: argv.id, modelsDir, allowDownload: false, maxTokens: DEFAULT_DISTILL_OPTIONS.maxTokens });
    const check = await student.embed(['The cat sat on the mat.', 'A kitten was sitting on the rug.', 'Compute the derivative of x squared.']);
    await student.close();
    const d = student.dims;
    const cos = (a: number, b: number) => check.subarray(a * d, (a + 1) * d).reduce((s, v, c) => s + v * check[b * d + c], 0);
    const seconds = (Date.now() - started) / 1000;
    const lines = [
      `distilled ${argv.id}: ${summary.vocabSize} tokens × ${summary.dims} dims from ${summary.teacher.id} in ${seconds.toFixed(1)} s`,
      `  ${dir}`,
      `  model hash ${student.modelHash.slice(0, 12)}; check: paraphrase cosine ${cos(0, 1).toFixed(3)} vs unrelated ${cos(0, 2).toFixed(3)}`,
      `  use it: covary embed --name <bench> --model ${argv.id}`,
    ];
    printResult(argv, lines.join("\n"), { ...summary, dir, modelHash: student.modelHash, seconds });
  },
};

export const command: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'models',
  describe: 'List local embedding models, or distill a fast static ONNX model from the default encoder',
  builder: (y: Argv<GlobalArgs>) => y.command(ls).command(distill).demandCommand(1, 'name a subcommand: ls or distill') as unknown as Argv<GlobalArgs>,
  handler: () => {},
};
