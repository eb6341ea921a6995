/** Worker thread: one range of prompts (item fits) or models (ability fits) of the at-scale fit, on a shared score matrix. */
import { parentPort } from 'node:worker_threads';
import { abilitiesRange, itemsRange, type AbilityTask, type ItemTask } from './fit-at-scale.ts';

export type FitWorkerRequest = { kind: 'items'; task: ItemTask; from: number; to: number } | { kind: 'abilities'; task: AbilityTask; from: number; to: number };

const port = parentPort;
if (!port) throw new Error('fit-worker.ts must run in a worker thread');

port.on('message', (req: FitWorkerRequest) => {
  try {
    const result = req.kind === 'items' ? itemsRange(req.task, req.from, req.to) : abilitiesRange(req.task, req.from, req.to);
    const buffers = Object.values(result).map((x: Float64Array | Uint8Array) => x.buffer as ArrayBuffer);
    port.postMessage({ type: 'done', result }, buffers);
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
