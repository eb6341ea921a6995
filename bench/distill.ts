/**
 * Distilled static ONNX model: distillation time, prompts/s on GSM8K and MMLU-Pro, and agreement
 * with its teacher (USE lite) on seeded samples. Printed, never asserted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEnv } from './index.ts';
import { silentReporter } from '../pipeline/core/progress.ts';
import { createRng } from '../pipeline/core/rng.ts';
import { createEmbedder, DEFAULT_MODEL_ID } from '../pipeline/embed/embedders/index.ts';
import { createOnnxEmbedder } from '../pipeline/embed/embedders/onnx.ts';
import { DEFAULT_DISTILL_OPTIONS, distillStaticModel, writeModelFolder } from '../pipeline/embed/distill/distill.ts';
import { teacherPieces } from '../pipeline/embed/distill/teacher.ts';
import { wordsFromText } from '../pipeline/embed/distill/vocab.ts';
import { neighbourOverlap, pairwiseCosineSpearman } from '../pipeline/embed/distill/agreement.ts';
import type { Embedder } from '../pipeline/embed/embedder.ts';

const LETTERS = 'ABCDEFGHIJKLMNOP';

export function gsmTexts(shared: string): string[] {
  return readFileSync(join(shared, 'zeroeval', 'gsm_items.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { question: string }).question);
}

/** MMLU-Pro prompt text as covary ingests it: question, then lettered options. */
export function mmluTexts(shared: string): string[] {
  return readFileSync(join(shared, 'mmlu-pro', 'items.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const it = JSON.parse(l) as { question: string; options: string[] };
      return [it.question, ...it.options.map((o, i) => `${LETTERS[i]}. ${o}`)].join('\n');
    });
}

async function rate(e: Embedder, texts: string[], reps: number): Promise<{ best: number; median: number }> {
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await e.embed(texts);
    rates.push(texts.length / ((performance.now() - t) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { best: rates[rates.length - 1], median: rates[Math.floor(rates.length / 2)] };
}

function sample<T>(xs: T[], k: number, seed: number): T[] {
  return Array.from(createRng(seed).sample(xs.length, Math.min(k, xs.length)), (i) => xs[i]);
}

export async function run(env: BenchEnv): Promise<void> {
  if (!env.sharedData) {
    console.log('skipped: shared data absent');
    return;
  }
  const gsm = gsmTexts(env.sharedData);
  const mmlu = mmluTexts(env.sharedData);
  const modelsDir = join(env.workDir, 'models');
  const teacher = await createEmbedder({ model: DEFAULT_MODEL_ID, maxTokens: 256, workers: 2, allowDownload: false, modelsDir });
  const pieces = await teacherPieces();
  const gsmSample = sample(gsm, 400, 1);
  const mmluSample = sample(mmlu, 200, 2);
  let t = performance.now();
  const teacherGsm = await embedAll(teacher, gsmSample);
  const teacherMmlu = await embedAll(teacher, mmluSample);
  console.log(`teacher (${teacher.id}, ${teacher.concurrency ?? 1} worker(s)) on the agreement samples: ${gsmSample.length} GSM8K + ${mmluSample.length} MMLU-Pro prompts in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const variants: { id: string; words: string[]; note: string }[] = [
    { id: 'covary-static-use', words: [], note: 'teacher vocabulary only (the default `covary models distill`)' },
    { id: 'covary-static-use-words', words: wordsFromText([...gsm, ...mmlu].join('\n'), 3), note: '+ frequent words of GSM8K and MMLU-Pro (--words), up to 16k tokens' },
  ];
  for (const v of variants) {
    t = performance.now();
    const m = await distillStaticModel(v.id, teacher, pieces, { ...DEFAULT_DISTILL_OPTIONS, extraWords: v.words }, silentReporter);
    await writeModelFolder(join(modelsDir, v.id), m.files);
    const distillS = (performance.now() - t) / 1000;
    const e = await createOnnxEmbedder({ model: v.id, modelsDir, allowDownload: false, maxTokens: 256 });
    await e.embed(gsm.slice(0, 50)); // warm-up
    const g = await rate(e, gsm, 5);
    const mm = await rate(e, mmlu, 2);
    const sg = await e.embed(gsmSample);
    const sm = await e.embed(mmluSample);
    const d = e.dims;
    console.log(`\n${v.id}: ${v.note}`);
    console.log(`  distill: ${m.summary.vocabSize} tokens × ${m.summary.dims} dims in ${distillS.toFixed(1)} s (2 teacher workers)`);
    console.log(`  GSM8K (${gsm.length} prompts): ${g.best.toFixed(0)} prompts/s best, ${g.median.toFixed(0)} median of 5  [target ≥ 3,000/s]`);
    console.log(`  MMLU-Pro (${mmlu.length} items, max 256 tokens): ${mm.best.toFixed(0)} prompts/s best of 2`);
    console.log(`  agreement with the teacher, GSM8K sample of ${gsmSample.length}: top-10 neighbour overlap ${neighbourOverlap(teacherGsm, teacher.dims, sg, d, gsmSample.length, 10).toFixed(3)} (chance ${(10 / (gsmSample.length - 1)).toFixed(3)}), Spearman of pairwise cosines ${pairwiseCosineSpearman(teacherGsm, teacher.dims, sg, d, gsmSample.length).toFixed(3)}`);
    console.log(`  agreement with the teacher, MMLU-Pro sample of ${mmluSample.length}: top-10 overlap ${neighbourOverlap(teacherMmlu, teacher.dims, sm, d, mmluSample.length, 10).toFixed(3)} (chance ${(10 / (mmluSample.length - 1)).toFixed(3)}), Spearman ${pairwiseCosineSpearman(teacherMmlu, teacher.dims, sm, d, mmluSample.length).toFixed(3)}`);
    await e.close();
  }
  await teacher.close();
  console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

/** Embed in batches (concurrently when the embedder has workers), rows in input order. */
async function embedAll(e: Embedder, texts: string[], batch = 32): Promise<Float32Array> {
  const out = new Float32Array(texts.length * e.dims);
  const starts: number[] = [];
  for (let s = 0; s < texts.length; s += batch) starts.push(s);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, e.concurrency ?? 1) }, async () => {
      while (next < starts.length) {
        const s = starts[next++];
        out.set(await e.embed(texts.slice(s, s + batch)), s * e.dims);
      }
    }),
  );
  return out;
}
