/** Worker thread: runs a range of Null C replicates for parallel runs (replicate b depends only on seed and b). */
import { parentPort } from 'node:worker_threads';
import { runReplicates, type ReplicateSpec } from '../correlate/replicates.ts';
import { ParametricNull, type GenerativeModel } from './null.ts';

export interface IrtWorkerRequest {
  model: GenerativeModel;
  spec: ReplicateSpec;
  from: number;
  to: number;
}

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

port.on('message', (req: IrtWorkerRequest) => {
  try {
    let pending = 0;
    const sampler = new ParametricNull(req.model, req.spec.scores, req.spec.columns, req.spec.seed);
    const batch = runReplicates(req.spec, req.from, req.to, () => {
      if (++pending >= 4) {
        port.postMessage({ type: 'tick', n: pending });
        pending = 0;
      }
    }, sampler);
    if (pending) port.postMessage({ type: 'tick', n: pending });
    port.postMessage({ type: 'done', result: batch }, [batch.stats.buffer as ArrayBuffer, batch.hists.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
