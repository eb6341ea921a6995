/** Worker thread of bit-bootstrap.ts: computes blocks of replicates from the shared job until none are left. */
import { parentPort } from 'node:worker_threads';
import { workerBlocks, type BitJob } from './bit-bootstrap.ts';

const port = parentPort;
if (!port) throw new Error('bit-bootstrap-worker.ts must run in a worker thread');

port.on('message', (job: BitJob) => {
  try {
    workerBlocks(job);
    // The scores are already in shared memory; the reply only ends the call.
    port.postMessage({ type: 'done', result: null });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
