/**
 * Reweight speed on MMLU-Pro size (29 models × 12,032 prompts): 7 schemes (uniform,
 * cluster-balanced, category-balanced, inverse-density, correlation-adjusted, representative,
 * target mix) with B = 1,000 prompt- and cluster-bootstrap replicates. Target: ≤ 30 s on 2 cores.
 * Also times the cluster computation without embeddings (performance clusters + categories).
 *
 * Semantic clusters and the kNN graph need embeddings; when none are at hand, the bench uses
 * stand-ins of the same shape (categories as "semantic" clusters, a seeded random 10-NN graph):
 * the cost of reweighting does not depend on what the clusters are.
 */
import { join } from 'node:path';
import { buildDataset, ingestRequest } from '../pipeline/ingest/index.ts';
import { createRng } from '../pipeline/core/rng.ts';
import { computeClusterings } from '../pipeline/cluster/clusterings.ts';
import { DEFAULT_KMEANS_OPTIONS } from '../pipeline/cluster/cluster.ts';
import { computeReweighting, DEFAULT_REWEIGHT_OPTIONS } from '../pipeline/reweight/reweight.ts';
import type { Clustering } from '../pipeline/cluster/index.ts';
import type { BenchEnv } from './index.ts';

const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

export async function run(env: BenchEnv): Promise<void> {
  if (!env.sharedData) {
    console.log('reweight: skipped (shared data absent)');
    return;
  }
  const dir = join(env.sharedData, 'mmlu-pro');
  const t0 = performance.now();
  const built = await buildDataset(
    ingestRequest({ name: 'mmlu-pro', scores: join(dir, 'correct_matrix.csv'), items: join(dir, 'items.jsonl'), idField: 'question_id', textField: 'question,options' }),
  );
  const d = built.dataset;
  const m = d.models.length;
  const n = d.items.length;
  console.log(`MMLU-Pro: ${m} models × ${n} prompts (loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const c1 = process.cpuUsage();
  const t1 = performance.now();
  const cl = computeClusterings(
    { items: d.items, m, scores: d.scores, embeddings: null, embeddingsMissingReason: 'bench: no embeddings' },
    { kmeans: DEFAULT_KMEANS_OPTIONS, performanceK: null, categoryField: 'category' },
    createRng(1).fork('cluster'),
  );
  const clusterS = (performance.now() - t1) / 1000;
  const clusterCpu = cpuSeconds(process.cpuUsage(c1));
  const p = cl.performance!;
  console.log(
    `cluster (performance clusters, k by silhouette over 2..20 on a 2,000-prompt sample, 5 restarts; + categories): ${clusterS.toFixed(1)} s wall, ${clusterCpu.toFixed(1)} s CPU → performance k=${p.k}, silhouette ${p.silhouette?.toFixed(3)}, ARI ${p.stability?.meanAri.toFixed(3)}; categories ${cl.category?.k}`,
  );

  const cat = cl.category!;
  const standIn: Clustering = { ...cat, kind: 'semantic', medoids: cat.sizes.map((_, j) => cat.assignments.indexOf(j)) };
  const rng = createRng(5);
  const k = 10;
  const neighbors = new Int32Array(n * k);
  const similarities = new Float32Array(n * k);
  for (let i = 0; i < n * k; i++) {
    neighbors[i] = rng.int(n);
    similarities[i] = 0.2 + 0.8 * rng.next();
  }
  const shares: Record<string, number> = {};
  cat.labels.forEach((l, j) => (shares[l] = j % 2 ? 2 : 1));
  const schemes = ['uniform', 'cluster-balanced', 'category-balanced', 'inverse-density', 'correlation-adjusted', 'representative', 'target-mix'];
  const B = 1000;
  const c2 = process.cpuUsage();
  const t2 = performance.now();
  let rankMs = 0;
  const { result } = computeReweighting(
    {
      models: d.models,
      scores: d.scores,
      clusterings: { semantic: standIn, performance: p, category: cat },
      knn: { n, k, neighbors, similarities },
      targetMix: { file: 'bench-mix.json', by: 'category', shares },
    },
    { ...DEFAULT_REWEIGHT_OPTIONS, schemes, bootstrap: B },
    createRng(1).fork('reweight'),
    { onRankInference: (ms) => (rankMs = ms) },
  );
  const rwS = (performance.now() - t2) / 1000;
  const rwCpu = cpuSeconds(process.cpuUsage(c2));
  console.log(`reweight: ${result.schemes.length} schemes × B=${B} (prompt + cluster bootstrap, ${result.bootstrap.clusters} clusters): ${rwS.toFixed(1)} s wall, ${rwCpu.toFixed(1)} s CPU, single-threaded (target ≤ 30 s; wall > CPU means the machine was busy) [stand-in semantic clusters and kNN graph]`);
  const inf = result.rankInference;
  console.log(
    `  of which rank confidence sets (marginal + simultaneous, ${result.schemes.length} schemes) and swaps (${inf.swapFamily} hypotheses, ${inf.bootstrap} bootstrap): ${(rankMs / 1000).toFixed(1)} s wall; ` +
      `controlled swaps per scheme: ${result.schemes.slice(1).map((s) => `${s.name} ${s.significantSwaps}/${s.pointSwaps}`).join(', ')}; may be best: ${result.tauBest.join(', ')}`,
  );
  const mem = process.memoryUsage();
  console.log(`memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
}
