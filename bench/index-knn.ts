/**
 * Index stage at MMLU-Pro size (12,032 × 512): exact all-pairs top-10 time, HNSW build and search
 * time, HNSW recall@10 against exact on a seeded sample and on all prompts, peak RSS. Uses the
 * distilled model's embeddings of the MMLU-Pro items when that model exists (bench/distill.ts or
 * `covary models distill` builds it), else random unit vectors (says which). Printed, never asserted.
 */
import { join } from 'node:path';
import type { BenchEnv } from './index.ts';
import { createRng } from '../pipeline/core/rng.ts';
import { silentReporter } from '../pipeline/core/progress.ts';
import { DEFAULT_MODELS_DIR } from '../pipeline/embed/embedders/index.ts';
import { createOnnxEmbedder, onnxModelAvailable } from '../pipeline/embed/embedders/onnx.ts';
import { exactTopK } from '../pipeline/index/exact.ts';
import { buildHnsw, hnswTopK, recallAtK, DEFAULT_HNSW } from '../pipeline/index/hnsw.ts';
import { computeKnn, subsetRows } from '../pipeline/index/knn.ts';
import { mmluTexts } from './distill.ts';

const N = 12_032;
const D = 512;
const K = 10;

function randomUnit(n: number, d: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const v = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += (v[i * d + c] = rng.normal()) ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < d; c++) v[i * d + c] *= inv;
  }
  return v;
}

async function vectors(env: BenchEnv): Promise<{ v: Float32Array; n: number; d: number; what: string }> {
  if (env.sharedData) {
    for (const modelsDir of [join(env.workDir, 'models'), DEFAULT_MODELS_DIR]) {
      if (!onnxModelAvailable('covary-static-use', modelsDir)) continue;
      const e = await createOnnxEmbedder({ model: 'covary-static-use', modelsDir, allowDownload: false, maxTokens: 256 });
      const texts = mmluTexts(env.sharedData);
      const v = await e.embed(texts);
      await e.close();
      return { v, n: texts.length, d: e.dims, what: `MMLU-Pro items embedded by the distilled covary-static-use (${modelsDir})` };
    }
  }
  return { v: randomUnit(N, D, 1), n: N, d: D, what: 'random unit vectors (no distilled model / shared data found) — HNSW recall on random high-dimensional data is a hard case' };
}

const secs = (t: number) => ((performance.now() - t) / 1000).toFixed(2);

export async function run(env: BenchEnv): Promise<void> {
  const { v, n, d, what } = await vectors(env);
  console.log(`data: ${n} × ${d}, ${what}`);
  let t = performance.now();
  const exact = await exactTopK(v, n, d, { k: K, dupThreshold: 0.95 });
  console.log(`exact all-pairs top-${K} (onnxruntime MatMul + TopK blocks) + near-duplicate scan: ${secs(t)} s, ${exact.duplicates.length} pairs ≥ 0.95`);
  for (const p of [DEFAULT_HNSW, { M: 32, efConstruction: 200, efSearch: 200 }]) {
    t = performance.now();
    const index = buildHnsw(v, n, d, { ...p, seed: 1 });
    const build = secs(t);
    t = performance.now();
    const approx = hnswTopK(index, v, n, d, K);
    const search = secs(t);
    const recallAll = recallAtK(approx, exact.graph);
    const rows = createRng(2).sample(n, 1000).sort();
    const recallSample = recallAtK(subsetRows(approx, rows), subsetRows(exact.graph, rows));
    console.log(`HNSW M=${p.M} efConstruction=${p.efConstruction} efSearch=${p.efSearch}: build ${build} s, search all ${search} s, recall@${K} ${recallAll.toFixed(4)} (all prompts), ${recallSample.toFixed(4)} (seeded 1,000-prompt sample, as the stage reports)  [target ≥ 0.98]`);
  }
  t = performance.now();
  const stage = await computeKnn(v, n, d, { k: K, method: 'auto', dupThreshold: 0.95, hnsw: DEFAULT_HNSW, recallSample: 1000 }, createRng(1), silentReporter);
  console.log(`stage computation with defaults (--method auto → ${stage.method}): ${secs(t)} s${stage.hnsw ? `, recall@${K} ${stage.hnsw.recallAtK.toFixed(4)}` : ''}`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB  [target ≤ 2,048 MB]`);
}
