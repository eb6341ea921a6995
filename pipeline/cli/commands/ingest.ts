import type { Argv, CommandModule } from 'yargs';
import { ingestOptions, runIngest } from '../../ingest/index.ts';
import { makeContext, printResult, type GlobalArgs } from '../context.ts';

type IngestArgs = GlobalArgs & { name: string; paths?: string[] } & Record<string, unknown>;

export function ingestCommand(commandLine: () => string): CommandModule<GlobalArgs, IngestArgs> {
  return {
    command: 'ingest [paths..]',
    describe: 'Read per-prompt results (wide/long CSV or JSONL, or eval-harness logs) into a canonical benchmark',
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional('paths', { type: 'string', array: true, describe: 'Log files, folders or globs (harness formats, long format)' })
        .option('name', { type: 'string', demandOption: true, describe: 'Benchmark name' })
        .options(ingestOptions) as unknown as Argv<IngestArgs>,
    handler: async (argv) => {
      const outcome = await runIngest(makeContext(argv, commandLine()), argv);
      printResult(argv, outcome.message, outcome);
    },
  };
}
