// Generic worker-thread entry. Plain JavaScript because a worker does not inherit the tsx loader of
// its parent: register tsx here, then import the TypeScript worker module named by
// `workerData.module` (a file URL string). Started by runWorker() in worker-call.ts.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

const target = workerData && typeof workerData.module === 'string' ? workerData.module : null;
if (!target) throw new Error('ts-worker.mjs needs workerData.module (a file URL of the worker module)');

register();
await import(target);
