/** Worker thread: runs a range of MRQAP permutations for parallel.ts. */
import { parentPort } from 'node:worker_threads';
import { permutationCounts, type PermutationState } from './mrqap.ts';

export interface WorkerRequest {
  state: PermutationState;
  from: number;
  to: number;
}

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

port.on('message', (req: WorkerRequest) => {
  try {
    let pending = 0;
    const counts = permutationCounts(req.state, req.from, req.to, () => {
      if (++pending >= 8) {
        port.postMessage({ type: 'tick', n: pending });
        pending = 0;
      }
    });
    if (pending) port.postMessage({ type: 'tick', n: pending });
    port.postMessage({ type: 'done', result: counts });
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message });
  }
});
