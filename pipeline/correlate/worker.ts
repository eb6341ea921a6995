/** Worker thread: runs replicate ranges and top-k row blocks for parallel.ts. */
import { parentPort } from 'node:worker_threads';
import { runReplicates, type ReplicateSpec } from './replicates.ts';
import { prepareColumns, preparedFromPayload, type PackedColumnsPayload } from './similarity.ts';
import { topKPartial } from './topk.ts';
import type { SimilarityMetric } from './index.ts';
import { expectationRange, type PairExpectationSetup } from './pair-expectation.ts';

export type WorkerRequest =
  | { type: 'replicates'; spec: ReplicateSpec; from: number; to: number }
  | { type: 'topk'; metric: SimilarityMetric; raw: Float64Array; m: number; n: number; minCommon: number; binary: boolean; k: number; offset: number; stride: number }
  | { type: 'topk-packed'; columns: PackedColumnsPayload; k: number; offset: number; stride: number }
  | { type: 'pair-expectation'; setup: PairExpectationSetup; from: number; to: number };

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

port.on('message', (req: WorkerRequest) => {
  try {
    if (req.type === 'pair-expectation') {
      const part = expectationRange(req.setup, req.from, req.to);
      port.postMessage({ type: 'done', result: part }, [part.sum.buffer as ArrayBuffer, part.cnt.buffer as ArrayBuffer]);
    } else if (req.type === 'replicates') {
      let pending = 0;
      const batch = runReplicates(req.spec, req.from, req.to, () => {
        pending++;
        if (pending >= 4) {
          port.postMessage({ type: 'tick', n: pending });
          pending = 0;
        }
      });
      if (pending) port.postMessage({ type: 'tick', n: pending });
      port.postMessage({ type: 'done', result: batch }, [batch.stats.buffer as ArrayBuffer, batch.hists.buffer as ArrayBuffer]);
    } else {
      // 0/1 columns arrive bit-packed (no raw n × m scores to copy or prepare again).
      const p = req.type === 'topk-packed' ? preparedFromPayload(req.columns) : prepareColumns(req.metric, req.raw, req.m, req.n, req.minCommon, req.binary);
      let pending = 0;
      const part = topKPartial(p, req.k, req.offset, req.stride, (rows) => {
        pending += rows;
        if (pending >= 512) {
          port.postMessage({ type: 'tick', n: pending });
          pending = 0;
        }
      });
      if (pending) port.postMessage({ type: 'tick', n: pending });
      port.postMessage({ type: 'done', result: part }, [part.vals.buffer as ArrayBuffer, part.idx.buffer as ArrayBuffer]);
    }
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
