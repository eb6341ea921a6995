import type { CommandModule } from 'yargs';
import { reportJsonSchema } from '../../report/schema.ts';
import type { GlobalArgs } from '../context.ts';

export const command: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'schema',
  describe: 'Print the JSON Schema of report.json (versioned; other tools can rely on it)',
  handler: () => {
    process.stdout.write(JSON.stringify(reportJsonSchema(), null, 2) + '\n');
  },
};
