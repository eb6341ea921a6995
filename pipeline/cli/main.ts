import yargs, { type Argv } from 'yargs';
import { globalOptions, type GlobalArgs } from './context.ts';
import { STAGES } from './stages.ts';
import { stageCommand } from './stage-command.ts';
import { ingestCommand } from './commands/ingest.ts';
import { demoCommand } from './commands/demo.ts';
import { runCommand } from './commands/run.ts';
import { command as cacheCommand } from './commands/cache.ts';
import { command as modelsCommand } from './commands/models.ts';
import { command as schemaCommand } from './commands/schema.ts';
import { isCovaryError } from '../core/errors.ts';
import { COVARY_VERSION } from '../core/version.ts';

/** Parse and run one covary command line; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  const commandLine = () => ['covary', ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  let exitCode = 0;
  const parser = (yargs(args) as unknown as Argv<GlobalArgs>)
    .scriptName('covary')
    .version(COVARY_VERSION)
    .options(globalOptions)
    .command(ingestCommand(commandLine))
    .command(STAGES.map((s) => stageCommand(s, commandLine)))
    .command(runCommand(commandLine))
    .command(demoCommand(commandLine))
    .command(cacheCommand)
    .command(modelsCommand)
    .command(schemaCommand)
    .demandCommand(1, 'name a command (covary --help lists them)')
    .strict()
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err, y) => {
      if (err) throw err;
      process.stderr.write(`covary: error: ${msg}\n(see covary --help)\n`);
      exitCode = 2;
      void y;
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (isCovaryError(e)) {
      process.stderr.write(`covary: error: ${e.toLine()}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`covary: internal error: ${err?.stack ?? String(e)}\n`);
    return 1;
  }
  return exitCode;
}
