import type { Argv, CommandModule } from 'yargs';
import type { StageModule } from '../core/stage.ts';
import { makeContext, printResult, type GlobalArgs } from './context.ts';
import { checkOptions } from '../core/errors.ts';

export interface StageArgs extends GlobalArgs {
  name: string;
  [key: string]: unknown;
}

/** One typed yargs command per stage: `covary <stage> --name <bench> [stage options]`. */
export function stageCommand(stage: StageModule, commandLine: () => string): CommandModule<GlobalArgs, StageArgs> {
  return {
    command: stage.name,
    describe: stage.describe,
    builder: (y: Argv<GlobalArgs>) =>
      y
        .option('name', { type: 'string', demandOption: true, describe: 'Benchmark name (as ingested)' })
        .option('force', { type: 'boolean', default: false, describe: 'Recompute even if the stored result is fresh' })
        .options(stage.options) as unknown as Argv<StageArgs>,
    handler: async (argv) => {
      if (stage.validate) checkOptions(() => stage.validate!(argv));
      const ctx = makeContext(argv, commandLine());
      const outcome = await stage.run(ctx, argv.name, argv);
      printResult(argv, `${outcome.stage}: ${outcome.status} — ${outcome.message}${outcome.path ? `\n${outcome.path}` : ''}`, outcome);
    },
  };
}
