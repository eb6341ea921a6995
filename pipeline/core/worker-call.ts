/**
 * One request, one worker thread. Starts a worker on a TypeScript module (through ts-worker.mjs,
 * which registers tsx inside the thread), posts `request` to it and settles on its reply.
 *
 * Protocol of the worker module (it listens on `parentPort` for the request message):
 *   { type: 'tick', n }       progress, forwarded to `onTick(n)` (n defaults to 1)
 *   { type: 'done', result }  resolves with `result`
 *   { type: 'error', message } rejects with "<label> worker failed: <message>"
 * A thread 'error' event rejects with that error, and an exit before a reply rejects with
 * "<label> worker exited with code <code>". The worker is terminated once the call has settled.
 */
import { Worker } from 'node:worker_threads';

const ENTRY = new URL('./ts-worker.mjs', import.meta.url);

/**
 * A worker module beside `base` (the caller's import.meta.url): `name`.ts when running from the
 * TypeScript sources, `name`.js when running the compiled package (dist/).
 */
export function siblingModule(name: string, base: string): URL {
  return new URL(`${name}${base.endsWith('.js') ? '.js' : '.ts'}`, base);
}

type FromWorker<T> = { type: 'tick'; n?: number } | { type: 'done'; result: T } | { type: 'error'; message?: string };

export interface RunWorkerOptions {
  /** Names the worker in error messages, e.g. 'correlate'. */
  label: string;
  onTick?: (n: number) => void;
}

export function runWorker<T>(moduleUrl: URL, request: unknown, opts: RunWorkerOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(ENTRY, { workerData: { module: moduleUrl.href } });
    let settled = false;
    w.on('message', (msg: FromWorker<T>) => {
      if (msg.type === 'tick') opts.onTick?.(msg.n ?? 1);
      else if (msg.type === 'done') {
        settled = true;
        resolve(msg.result);
        void w.terminate();
      } else if (msg.type === 'error') {
        settled = true;
        reject(new Error(`${opts.label} worker failed: ${msg.message}`));
        void w.terminate();
      }
    });
    w.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    w.on('exit', (code) => {
      if (!settled) reject(new Error(`${opts.label} worker exited with code ${code}`));
      settled = true;
    });
    w.postMessage(request);
  });
}
