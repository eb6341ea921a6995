import { readFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.ts';

export const command: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'schema',
  describe: 'Print the JSON Schema of report.json (versioned; other tools can rely on it)',
  handler: async () => {
    process.stdout.write(await schemaText());
  },
};

/**
 * The compiled package carries the schema rendered at build time (scripts/build.mjs writes
 * report-schema.json beside this module), so it prints without loading zod; the TypeScript sources
 * render it from report/schema.ts. The two are the same text (test/package/pack.test.ts compares).
 */
async function schemaText(): Promise<string> {
  if (import.meta.url.endsWith('.js')) return readFile(new URL('./report-schema.json', import.meta.url), 'utf8');
  const { reportJsonSchema } = await import('../../report/schema.ts');
  return JSON.stringify(reportJsonSchema(), null, 2) + '\n';
}
