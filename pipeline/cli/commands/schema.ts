import type { CommandModule } from 'yargs';
import { NotBuiltError } from '../../core/errors.ts';
import type { GlobalArgs } from '../context.ts';

export const command: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'schema',
  describe: 'Print the JSON Schema of report.json [not built yet: issue #8]',
  handler: () => {
    throw new NotBuiltError('covary schema (issue #8)');
  },
};
