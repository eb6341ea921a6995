import type { CommandModule } from 'yargs';
import { NotBuiltError } from '../../core/errors.ts';
import type { GlobalArgs } from '../context.ts';

export const command: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'cache',
  describe: 'Inspect, verify or clear the embedding cache [not built yet: issue #3]',
  handler: () => {
    throw new NotBuiltError('covary cache (issue #3)');
  },
};
