import type { Argv, CommandModule } from 'yargs';
import { demoOptions, ensureDemo } from '../../demo/index.ts';
import { makeContext, printResult, type GlobalArgs } from '../context.ts';

type DemoArgs = GlobalArgs & { name: string } & Record<string, unknown>;

export function demoCommand(commandLine: () => string): CommandModule<GlobalArgs, DemoArgs> {
  return {
    command: 'demo',
    describe: 'Generate the synthetic demo benchmark (planted, documented structure) from a seed',
    builder: (y: Argv<GlobalArgs>) =>
      y
        .option('name', { type: 'string', default: 'demo', describe: 'Benchmark name to ingest it as' })
        .option('force', { type: 'boolean', default: false, describe: 'Replace an existing benchmark of that name' })
        .options(demoOptions) as unknown as Argv<DemoArgs>,
    handler: async (argv) => {
      const outcome = await ensureDemo(makeContext(argv, commandLine()), argv);
      printResult(argv, outcome.message, outcome);
    },
  };
}
