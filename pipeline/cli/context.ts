import { resolve } from 'node:path';
import { ArtifactStore } from '../core/store.ts';
import { terminalReporter } from '../core/progress.ts';
import type { StageContext } from '../core/stage.ts';
import type { GlobalArgs } from './options.ts';
import { parseMemorySize } from '../core/memory.ts';

export { globalOptions, parseSeed, type GlobalArgs } from './options.ts';

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
