/**
 * A small pool of worker threads for embedding, each holding its own model. TypeScript runs
 * through tsx, which a worker does not inherit: the entry is a plain .mjs that registers tsx and
 * then imports the .ts worker module (see use-worker.mjs).
 */
import { Worker } from 'node:worker_threads';
import type { EmbedBatchResult } from './embedder.ts';

export interface EmbedJob {
  texts: string[];
  maxTokens: number;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; vectors: Float32Array; tokens: Int32Array }
  | { type: 'error'; id: number | null; message: string };

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Pending {
  resolve(r: EmbedBatchResult): void;
  reject(e: Error): void;
  slot: Slot;
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Array<{ job: EmbedJob; id: number }> = [];
  private nextId = 1;
  private failed: Error | null = null;
  private closed = false;

  private constructor(workers: Worker[]) {
    this.slots = workers.map((worker) => ({ worker, busy: false }));
    for (const slot of this.slots) {
      slot.worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
      slot.worker.on('error', (e) => this.fail(e));
      slot.worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`an embedding worker exited unexpectedly (code ${code})`));
      });
    }
  }

  /** Start `n` workers from `entry` and wait until each has loaded its model. */
  static async start(n: number, entry: URL): Promise<WorkerPool> {
    const workers: Worker[] = [];
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < n; i++) {
      const w = new Worker(entry);
      workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: FromWorker) => {
            if (m.type === 'ready') done(null);
            else if (m.type === 'error') done(new Error(m.message));
          };
          const onError = (e: Error) => done(e);
          const onExit = (code: number) => done(new Error(`an embedding worker exited while loading its model (code ${code})`));
          const done = (e: Error | null) => {
            w.off('message', onMessage);
            w.off('error', onError);
            w.off('exit', onExit);
            if (e) reject(e);
            else resolve();
          };
          w.on('message', onMessage);
          w.on('error', onError);
          w.on('exit', onExit);
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new WorkerPool(workers);
  }

  get size(): number {
    return this.slots.length;
  }

  run(job: EmbedJob): Promise<EmbedBatchResult> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('the embedding worker pool is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot: null as unknown as Slot });
      this.queue.push({ job, id });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const { job, id } = this.queue.shift()!;
      const p = this.pending.get(id)!;
      p.slot = slot;
      slot.busy = true;
      slot.worker.postMessage({ type: 'embed', id, texts: job.texts, maxTokens: job.maxTokens });
    }
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'ready') return;
    if (m.type === 'error' && m.id === null) return this.fail(new Error(m.message));
    if (m.id === null) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    slot.busy = false;
    if (m.type === 'result') p.resolve({ vectors: m.vectors, tokens: m.tokens });
    else p.reject(new Error(m.message));
    this.dispatch();
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
