/**
 * Deterministic fault injection for crash-consistency tests. Every file-system mutation the
 * artifact store makes (writing a temp file, a rename, a symlink, a removal) first passes a
 * `faultPoint`. Two ways to crash at an exact one:
 *
 * - `COVARY_FAULT=N` (or `write:N`, `rename:N`, `symlink:N`, `remove:N`) in a real process:
 *   SIGKILL itself just before the N-th mutation (of that kind). No cleanup runs, as with kill -9.
 * - `simulateProcess(fn, { killAt })` in tests: runs `fn` as a pretend process with its own pid
 *   (above Linux's pid_max, so it is never alive afterwards) whose N-th mutation never returns:
 *   nothing after it happens, no `catch`/`finally` cleanup either — what kill -9 leaves behind.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type MutationKind = 'write' | 'rename' | 'symlink' | 'remove';

interface SimulatedProcess {
  pid: number;
  killAt: number | null;
  count: number;
  dead: boolean;
  onKill: () => void;
}

const simulated = new AsyncLocalStorage<SimulatedProcess>();

interface EnvPlan {
  kind: MutationKind | null;
  n: number;
}

function parsePlan(spec: string | undefined): EnvPlan | null {
  const m = /^(?:(write|rename|symlink|remove):)?(\d+)$/.exec(spec ?? '');
  return m ? { kind: (m[1] as MutationKind | undefined) ?? null, n: Number(m[2]) } : null;
}

const envPlan = parsePlan(process.env.COVARY_FAULT);
let envCount = 0;

/** The pid that owns temp files made now (a simulated process's own pid inside `simulateProcess`). */
export function ownerPid(): number {
  return simulated.getStore()?.pid ?? process.pid;
}

const never = new Promise<never>(() => {});

/** Call before every mutation; crashes here when a fault is planned for this one. */
export async function faultPoint(kind: MutationKind): Promise<void> {
  const sim = simulated.getStore();
  if (sim) {
    if (sim.dead) return never;
    sim.count++;
    if (sim.killAt === sim.count) {
      sim.dead = true;
      sim.onKill();
      return never;
    }
    return;
  }
  if (!envPlan || (envPlan.kind && envPlan.kind !== kind)) return;
  if (++envCount === envPlan.n) process.kill(process.pid, 'SIGKILL');
}

let nextPid = 5_000_000;

export interface Simulation<T> {
  /** Settles when `fn` finishes (never, when it was killed). */
  done: Promise<T>;
  /** Resolves true when killed, false when `fn` finished (or failed) first. */
  killed: Promise<boolean>;
  /** Mutations made so far. */
  mutations(): number;
}

/** Run `fn` as a pretend process that is killed just before its `killAt`-th mutation (tests only). */
export function simulateProcess<T>(fn: () => Promise<T>, opts: { killAt?: number } = {}): Simulation<T> {
  let resolveKilled!: (k: boolean) => void;
  const killed = new Promise<boolean>((r) => (resolveKilled = r));
  const sim: SimulatedProcess = { pid: nextPid++, killAt: opts.killAt ?? null, count: 0, dead: false, onKill: () => resolveKilled(true) };
  const done = simulated.run(sim, fn);
  done.then(
    () => resolveKilled(false),
    () => resolveKilled(false),
  );
  return { done, killed, mutations: () => sim.count };
}
