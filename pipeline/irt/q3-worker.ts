/** Worker thread: a range of Q3's Null C replicates (replicate r depends only on the seed and r). */
import { parentPort } from 'node:worker_threads';
import { q3Replicates, type Q3Task } from './q3.ts';

const port = parentPort;
if (!port) throw new Error('q3-worker.ts must run in a worker thread');

port.on('message', (req: { task: Q3Task; from: number; to: number }) => {
  try {
    port.postMessage({ type: 'done', result: q3Replicates(req.task, req.from, req.to) });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
