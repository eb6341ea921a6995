/**
 * The shape every analysis stage has: a pure computation (in the stage's own files) wrapped by a
 * `StageModule` that loads its inputs from the store, checks freshness, runs, and saves.
 * The CLI turns each StageModule into a command, and `covary run` runs them in order.
 */
import type { Options } from 'yargs';
import type { ArtifactStore } from './store.ts';
import type { Reporter } from './progress.ts';
import { NotBuiltError } from './errors.ts';

export const STAGE_ORDER = ['embed', 'index', 'correlate', 'irt', 'cluster', 'reweight', 'explain', 'report'] as const;
export type StageName = (typeof STAGE_ORDER)[number];

export interface StageContext {
  store: ArtifactStore;
  reportsDir: string;
  seed: number;
  reporter: Reporter;
  /** Recompute even when the stored result is fresh. */
  force: boolean;
  /** The command line that started this run (for the report's reproducibility footer). */
  commandLine: string;
  /** Memory a stage may plan for, bytes (COVARY_MEMORY_BUDGET; default 80% of physical memory, see core/memory.ts). */
  memoryBudget?: number;
}

export interface StageOutcome {
  stage: string;
  /** computed: ran now; cached: fresh result reused; skipped: not applicable (reason in message). */
  status: 'computed' | 'cached' | 'skipped';
  message: string;
  /** Main output path, when there is one worth printing. */
  path?: string;
  /**
   * This run's non-deterministic facts (counts that depend on cache state, timings). Printed with
   * --json by the CLI; never stored in stage results, which must depend only on inputs + seed.
   */
  details?: Record<string, unknown>;
}

export interface StageModule {
  name: StageName;
  describe: string;
  /** False for a stage whose implementation has not landed: commands say so and exit non-zero. */
  built: boolean;
  /** yargs options specific to this stage (besides the global ones and --name). */
  options: Record<string, Options>;
  /** Check this stage's option values without doing any work (throws a CovaryError); `run` calls it for every stage up front. */
  validate?(argv: Record<string, unknown>): void;
  /** Set for a stage `covary run` leaves out unless asked (`--with <name>`): still too slow or unproven at real sizes. */
  optIn?: string;
  run(ctx: StageContext, bench: string, argv: Record<string, unknown>): Promise<StageOutcome>;
}

export function notBuiltStage(name: StageName, describe: string, issue: string): StageModule {
  return {
    name,
    describe: `${describe} [not built yet: ${issue}]`,
    built: false,
    options: {},
    async run() {
      throw new NotBuiltError(`the ${name} stage (${issue})`);
    },
  };
}
