/**
 * Deterministic fault injection for crash-consistency tests. Every file-system mutation the
 * artifact store makes (writing a temp file, a rename, a symlink, a removal) first passes a
 * `faultPoint`. Two ways to crash at an exact one:
 *
 * - `COVARY_FAULT=N` (or `write:N`, `rename:N`, `symlink:N`, `remove:N`) in a real process:
 *   SIGKILL itself just before the N-th mutation (of that kind). No cleanup runs, as with kill -9.
 *   `COVARY_FAULT=write:N:ENOSPC` instead makes that mutation fail with that error code.
 * - `simulateProcess(fn, { killAt })` in tests: runs `fn` as a pretend process with its own pid
 *   (above Linux's pid_max, so it is never alive afterwards) whose N-th mutation never returns:
 *   nothing after it happens, no `catch`/`finally` cleanup either — what kill -9 leaves behind.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type MutationKind = 'write' | 'rename' | 'symlink' | 'remove';

interface SimulatedProcess {
  pid: number;
  killAt: number | null;
  failAt: number | null;
  errno: string;
  count: number;
  dead: boolean;
  onKill: () => void;
}

const simulated = new AsyncLocalStorage<SimulatedProcess>();

interface EnvPlan {
  kind: MutationKind | null;
  n: number;
  errno: string | null;
}

function parsePlan(spec: string | undefined): EnvPlan | null {
  const m = /^(?:(write|rename|symlink|remove):)?(\d+)(?::(E[A-Z]+))?$/.exec(spec ?? '');
  return m ? { kind: (m[1] as MutationKind | undefined) ?? null, n: Number(m[2]), errno: m[3] ?? null } : null;
}

/** An error shaped like the one Node's fs would throw for `errno` at `path`. */
function systemError(errno: string, kind: MutationKind, path: string): NodeJS.ErrnoException {
  const e = new Error(`${errno}: injected fault, ${kind} '${path}'`) as NodeJS.ErrnoException;
  e.code = errno;
  e.syscall = kind;
  e.path = path;
  return e;
}

const envPlan = parsePlan(process.env.COVARY_FAULT);
let envCount = 0;

/** The pid that owns temp files made now (a simulated process's own pid inside `simulateProcess`). */
export function ownerPid(): number {
  return simulated.getStore()?.pid ?? process.pid;
}

const never = new Promise<never>(() => {});

/** Call before every mutation; crashes here when a fault is planned for this one. */
export async function faultPoint(kind: MutationKind, path: string): Promise<void> {
  const sim = simulated.getStore();
  if (sim) {
    if (sim.dead) return never;
    sim.count++;
    if (sim.killAt === sim.count) {
      sim.dead = true;
      sim.onKill();
      return never;
    }
    if (sim.failAt === sim.count) throw systemError(sim.errno, kind, path);
    return;
  }
  if (!envPlan || (envPlan.kind && envPlan.kind !== kind)) return;
  if (++envCount !== envPlan.n) return;
  if (envPlan.errno) throw systemError(envPlan.errno, kind, path);
  process.kill(process.pid, 'SIGKILL');
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

/**
 * Run `fn` as a pretend process that is killed just before its `killAt`-th mutation, or whose
 * `failAt`-th mutation fails with `errno` (default ENOSPC) (tests only).
 */
export function simulateProcess<T>(fn: () => Promise<T>, opts: { killAt?: number; failAt?: number; errno?: string } = {}): Simulation<T> {
  let resolveKilled!: (k: boolean) => void;
  const killed = new Promise<boolean>((r) => (resolveKilled = r));
  const sim: SimulatedProcess = { pid: nextPid++, killAt: opts.killAt ?? null, failAt: opts.failAt ?? null, errno: opts.errno ?? 'ENOSPC', count: 0, dead: false, onKill: () => resolveKilled(true) };
  const done = simulated.run(sim, fn);
  done.then(
    () => resolveKilled(false),
    () => resolveKilled(false),
  );
  return { done, killed, mutations: () => sim.count };
}
