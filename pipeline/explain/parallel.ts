/**
 * MRQAP permutations over worker threads. Permutation b depends only on (seed, b), so the
 * counts are identical for any number of workers.
 */
import type { PermutationCounts, PermutationRunner, PermutationState } from './mrqap.ts';
import type { WorkerRequest } from './worker.ts';
import { runWorker, siblingModule } from '../core/worker-call.ts';

const WORKER = siblingModule('./worker', import.meta.url);

function call(req: WorkerRequest, tick: (n: number) => void): Promise<PermutationCounts> {
  return runWorker<PermutationCounts>(WORKER, req, { label: 'explain', onTick: tick });
}

/** Split [0, B) into `workers` contiguous ranges and add up their counts. */
export function workerPermutations(workers: number): PermutationRunner {
  return async (state: PermutationState, B: number, tick: (n: number) => void): Promise<PermutationCounts> => {
    const k = Math.max(1, Math.min(workers, B));
    const bounds = Array.from({ length: k + 1 }, (_, i) => Math.round((i * B) / k));
    const parts = await Promise.all(bounds.slice(0, -1).map((from, i) => call({ state, from, to: bounds[i + 1] }, tick)));
    const total: PermutationCounts = {
      coef: state.obsT.map((t) => new Int32Array(t.length)),
      mantel: new Int32Array(state.Y.length),
      mantelTwoSided: new Int32Array(state.Y.length),
    };
    for (const p of parts) {
      p.coef.forEach((c, y) => c.forEach((v, a) => (total.coef[y][a] += v)));
      p.mantel.forEach((v, y) => (total.mantel[y] += v));
      p.mantelTwoSided.forEach((v, y) => (total.mantelTwoSided[y] += v));
    }
    return total;
  };
}

/** Workers pay off only when the permutation loop is long (each starts in ~0.5 s). */
export function permutationRunnerFor(workers: number, B: number, pairs: number, d: number): PermutationRunner | null {
  const work = B * pairs * (d + 100);
  return workers > 1 && work > 2e9 ? workerPermutations(workers) : null;
}
