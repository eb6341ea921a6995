import { resolve } from 'node:path';
import { ArtifactStore } from '../core/store.ts';
import { terminalReporter } from '../core/progress.ts';
import type { StageContext } from '../core/stage.ts';
import { UsageError } from '../core/errors.ts';
import { parseMemorySize } from '../core/memory.ts';

/** Options every command accepts. */
export interface GlobalArgs {
  dataDir: string;
  reportsDir: string;
  seed: number;
  quiet: boolean;
  json: boolean;
  force?: boolean;
}

export const globalOptions = {
  'data-dir': { type: 'string', default: 'data', describe: 'Where ingested benchmarks, stage results and caches live', global: true },
  'reports-dir': { type: 'string', default: 'reports', describe: 'Where reports are written', global: true },
  seed: { type: 'number', default: 1, coerce: parseSeed, describe: 'Seed for every random step, an integer 0–4294967295 (same inputs + seed => identical JSON)', global: true },
  quiet: { type: 'boolean', default: false, describe: 'No progress bars or info lines on stderr', global: true },
  json: { type: 'boolean', default: false, describe: 'Print results as JSON on stdout', global: true },
} as const;

const MAX_SEED = 0xffffffff;

/** The seed is a 32-bit unsigned integer: anything else would be silently folded onto another seed. */
export function parseSeed(value: unknown): number {
  if (Array.isArray(value)) throw new UsageError(`--seed was given ${value.length} times; give it once`);
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_SEED) {
    throw new UsageError(`invalid --seed ${Number.isNaN(n) ? '(not a number)' : JSON.stringify(String(value))}: expected an integer from 0 to ${MAX_SEED}`);
  }
  return n;
}

export function makeContext(argv: GlobalArgs, commandLine: string): StageContext {
  return {
    store: new ArtifactStore(resolve(argv.dataDir)),
    reportsDir: resolve(argv.reportsDir),
    seed: argv.seed,
    reporter: terminalReporter({ quiet: argv.quiet }),
    force: Boolean(argv.force),
    commandLine,
    memoryBudget: process.env.COVARY_MEMORY_BUDGET ? parseMemorySize(process.env.COVARY_MEMORY_BUDGET) : undefined,
  };
}

/** Data goes to stdout; everything else to stderr. */
export function printResult(argv: GlobalArgs, human: string, data: unknown): void {
  if (argv.json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
  else if (human) process.stdout.write(human.endsWith('\n') ? human : human + '\n');
}
