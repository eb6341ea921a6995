import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.ts';

export const command: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'schema',
  describe: 'Print the JSON Schema of report.json (versioned; other tools can rely on it)',
  handler: async () => {
    // zod loads only here, so `covary --help` does not pay for it.
    const { reportJsonSchema } = await import('../../report/schema.ts');
    process.stdout.write(JSON.stringify(reportJsonSchema(), null, 2) + '\n');
  },
};
