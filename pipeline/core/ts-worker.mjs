// Generic worker-thread entry. Plain JavaScript because a worker does not inherit the tsx loader of
// its parent: when the target is TypeScript (running from the sources), register tsx here first;
// the compiled package (dist/) imports its .js worker directly. Started by runWorker() in worker-call.ts.
import { workerData } from 'node:worker_threads';

const target = workerData && typeof workerData.module === 'string' ? workerData.module : null;
if (!target) throw new Error('ts-worker.mjs needs workerData.module (a file URL of the worker module)');

if (target.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(target);
