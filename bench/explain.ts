/**
 * Explain speed (printed, never asserted). Target: MMLU-Pro size (29 models × 12,032 prompts,
 * 512-d embeddings, 999 permutations) ≤ 60 s on 2 cores. Uses the shared MMLU-Pro scores, answers
 * and texts when present (ingested through covary's own ingest into the bench work dir); the
 * embeddings are the real ones when an embed result exists there, else a 512-d hashed
 * bag-of-words of the texts (same dimensionality, so the same cost); kNN graph from hnswlib.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import hnswlib from 'hnswlib-node';
import { phaseReporter } from './_phases.ts';
import type { BenchEnv } from './index.ts';
import { silentReporter } from '../pipeline/core/progress.ts';
import { ArtifactStore } from '../pipeline/core/store.ts';
import { createRng } from '../pipeline/core/rng.ts';
import type { Dataset } from '../pipeline/core/dataset.ts';
import { runIngest } from '../pipeline/ingest/index.ts';
import { loadEmbeddings } from '../pipeline/embed/index.ts';
import { nullBPairExpectation } from '../pipeline/correlate/index.ts';
import { explain } from '../pipeline/explain/explain.ts';
import { resolveOptions, type ExplainOptions } from '../pipeline/explain/options.ts';
import { permutationRunnerFor } from '../pipeline/explain/parallel.ts';
import { inThreadPermutations } from '../pipeline/explain/mrqap.ts';
import { availableParallelism } from 'node:os';
import type { KnnGraph } from '../pipeline/index/index.ts';
import { hashedBagOfWords, simulateScores } from '../test/explain/helpers.ts';


function hnswKnn(v: Float32Array, n: number, d: number, k: number): KnnGraph {
  const index = new hnswlib.HierarchicalNSW('cosine', d);
  index.initIndex(n, 16, 200, 1);
  for (let i = 0; i < n; i++) index.addPoint(Array.from(v.subarray(i * d, (i + 1) * d)), i);
  index.setEf(Math.max(50, 2 * k));
  const neighbors = new Int32Array(n * k).fill(-1);
  const similarities = new Float32Array(n * k).fill(NaN);
  for (let i = 0; i < n; i++) {
    const r = index.searchKnn(Array.from(v.subarray(i * d, (i + 1) * d)), k + 1);
    let t = 0;
    for (let a = 0; a < r.neighbors.length && t < k; a++) {
      if (r.neighbors[a] === i) continue;
      neighbors[i * k + t] = r.neighbors[a];
      similarities[i * k + t] = 1 - r.distances[a];
      t++;
    }
  }
  return { n, k, neighbors, similarities };
}

async function measure(label: string, dataset: Dataset, vectors: Float32Array, d: number, o: ExplainOptions): Promise<void> {
  const n = dataset.items.length;
  const t0 = performance.now();
  const knn = hnswKnn(vectors, n, d, 10);
  console.log(`${label}: ${dataset.models.length} models × ${n} prompts, d=${d}; kNN (hnswlib, k=10, not part of explain) ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`  options: permutations ${o.permutations}, max pairs ${o.maxPairs}, Null B samples ${o.nullBSamples}, nn test edges ${o.nnTestEdges}`);
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  const runner = permutationRunnerFor(Math.min(2, availableParallelism()), o.permutations, o.maxPairs, d) ?? inThreadPermutations;
  const { result: r } = await explain({ dataset, embeddings: { vectors, d }, knn, semanticClusters: null, userTags: null, nullB: nullBPairExpectation }, o, createRng(1), phaseReporter({ timeInfo: true }), runner);
  const wall = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`  explain total ${wall.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  const f = (x: number | null | undefined, k = 3) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(k));
  const sem = r.coefficients.find((c) => c.name === 'semantic cosine');
  console.log(`  pairs ${r.pairs?.sampled} (${r.pairs?.design}; kNN ${r.pairs?.knnSampled}); R² ${f(r.r2)}; partial R² semantic ${f(r.partialR2?.semantic)} failure ${f(r.partialR2?.failure)} difficulty ${f(r.partialR2?.difficulty)}; Mantel r ${f(r.mantel?.r)} p ${f(r.mantel?.p, 4)}; semantic coef ${f(sem?.estimate)} p ${f(sem?.p, 4)}`);
}

export async function run(env: BenchEnv): Promise<void> {
  const o = resolveOptions({});
  if (!env.sharedData) console.log('MMLU-Pro: skipped (no shared data)');
  else {
    const store = new ArtifactStore(env.workDir);
    const S = env.sharedData;
    const ctx = { store, reportsDir: join(env.workDir, 'reports'), seed: 1, reporter: silentReporter, force: false, commandLine: 'bench' };
    await runIngest(ctx, { name: 'mmlu-pro', scores: [join(S, 'mmlu-pro/correct_matrix.csv')], answers: [join(S, 'mmlu-pro/pred_matrix.csv')], items: join(S, 'mmlu-pro/items.jsonl'), textField: 'question,options' });
    const { dataset } = await store.loadDataset('mmlu-pro');
    let vectors: Float32Array;
    let d = 512;
    let what = 'hashed bag-of-words 512-d';
    const real = existsSync(store.stagePath('mmlu-pro', 'embed')) ? await loadEmbeddings(store, 'mmlu-pro').catch(() => null) : null;
    if (real) {
      vectors = real.vectors;
      d = real.dims;
      what = `${real.modelId} ${d}-d`;
    } else vectors = hashedBagOfWords(dataset.items.map((it) => it.text), d);
    await measure(`MMLU-Pro (${what}; target ≤ 60 s)`, dataset, vectors, d, o);
  }
  // Synthetic: same size, random 512-d embeddings.
  const m = 29;
  const n = 12_032;
  const rng = createRng(2);
  const fam = Int32Array.from({ length: n }, (_, i) => i % 14);
  const scores = simulateScores(m, fam, 0.8, rng.fork('s'));
  const d = 512;
  const v = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const x = rng.normal() + (k % 14 === fam[i] ? 3 : 0);
      v[i * d + k] = x;
      s += x * x;
    }
    for (let k = 0; k < d; k++) v[i * d + k] /= Math.sqrt(s);
  }
  const dataset: Dataset = { name: 'synthetic', models: Array.from({ length: m }, (_, k) => `m${k}`), items: Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: 'x'.repeat(20 + (i % 300)), metadata: { family: `f${fam[i]}` }, tags: [] })), scores, answers: null };
  await measure('Synthetic MMLU-Pro size (planted families)', dataset, v, d, o);
}
