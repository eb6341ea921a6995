/**
 * Splitting the heavy loops over worker threads. Replicate b depends only on (seed, b) and the
 * top-k merge is order-independent, so results are identical for any number of workers.
 */
import type { ReplicateBatch, ReplicateSpec } from './replicates.ts';
import { histSpec } from './replicates.ts';
import type { ReplicateRunner } from './analyze.ts';
import { packedPayload, type PreparedColumns } from './similarity.ts';
import { mergeTopK, type PartialTopK, type TopK } from './topk.ts';
import type { WorkerRequest } from './worker.ts';
import { runWorker, siblingModule } from '../core/worker-call.ts';

const WORKER = siblingModule('./worker', import.meta.url);

function call<T>(req: WorkerRequest, tick: (n: number) => void): Promise<T> {
  return runWorker<T>(WORKER, req, { label: 'correlate', onTick: tick });
}

/** A ReplicateRunner that splits [0, B) into `workers` contiguous ranges. */
export function workerRunner(workers: number): ReplicateRunner {
  return (spec: ReplicateSpec, B: number, tick: (n: number) => void) =>
    splitReplicates(spec.metric, B, workers, (from, to) => call<ReplicateBatch>({ type: 'replicates', spec, from, to }, tick));
}

/** Runs [0, B) as `workers` contiguous ranges through `runRange` and joins the batches (also used by irt's Null C). */
export async function splitReplicates(metric: ReplicateSpec['metric'], B: number, workers: number, runRange: (from: number, to: number) => Promise<ReplicateBatch>): Promise<ReplicateBatch> {
  const w = Math.max(1, Math.min(workers, B));
  const bounds = Array.from({ length: w + 1 }, (_, i) => Math.round((i * B) / w));
  const parts = await Promise.all(bounds.slice(0, -1).map((from, i) => runRange(from, bounds[i + 1])));
  const bins = histSpec(metric).steps + 1;
  const stats = new Float64Array(B * 3);
  const hists = new Int32Array(B * bins);
  for (const p of parts) {
    stats.set(p.stats, p.from * 3);
    hists.set(p.hists, p.from * bins);
  }
  return { from: 0, to: B, stats, hists };
}

/** Top-k over worker threads (row blocks dealt round-robin so the triangle is shared evenly). */
export async function topKParallel(p: PreparedColumns, k: number, workers: number, tick: (rows: number) => void): Promise<TopK> {
  // 0/1 columns travel bit-packed: 1/64 of the raw scores' bytes.
  const columns = p.packed ? packedPayload(p) : null;
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      call<PartialTopK>(
        columns
          ? { type: 'topk-packed', columns, k, offset: w, stride: workers }
          : { type: 'topk', metric: p.metric, raw: p.raw, m: p.m, n: p.n, minCommon: p.minCommon, binary: p.binary, k, offset: w, stride: workers },
        tick,
      ),
    ),
  );
  return mergeTopK(parts);
}
