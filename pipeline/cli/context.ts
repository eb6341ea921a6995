import { resolve } from 'node:path';
import { ArtifactStore } from '../core/store.ts';
import { terminalReporter } from '../core/progress.ts';
import type { StageContext } from '../core/stage.ts';
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
  seed: { type: 'number', default: 1, describe: 'Seed for every random step (same inputs + seed => identical JSON)', global: true },
  quiet: { type: 'boolean', default: false, describe: 'No progress bars or info lines on stderr', global: true },
  json: { type: 'boolean', default: false, describe: 'Print results as JSON on stdout', global: true },
} as const;

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
