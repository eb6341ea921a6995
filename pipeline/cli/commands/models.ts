import type { CommandModule } from 'yargs';
import { NotBuiltError } from '../../core/errors.ts';
import type { GlobalArgs } from '../context.ts';

export const command: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'models',
  describe: 'List local embedding models or distill a static one [not built yet: issue #3]',
  handler: () => {
    throw new NotBuiltError('covary models (issue #3)');
  },
};
