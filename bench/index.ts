/**
 * `npm run bench`: speed and memory figures, printed, never asserted.
 * Each area has its own bench/<area>.ts exporting `run(env)`; `npm run bench -- <area>...` picks some.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

export interface BenchEnv {
  /** ../shared/data when present, else null (benches on it print a skip line). */
  sharedData: string | null;
  /** Scratch data dir for the bench run. */
  workDir: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const sharedData = resolve(here, '../../shared/data');
const env: BenchEnv = {
  sharedData: existsSync(sharedData) ? sharedData : null,
  workDir: resolve(here, '../data/bench'),
};
// Area names come first; `--flag value` pairs after them are for the benches (e.g. scale --models 500).
const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith('--'));
const wanted = firstFlag < 0 ? args : args.slice(0, firstFlag);
const areas = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((a) => wanted.length === 0 || wanted.includes(a))
  .sort();
if (!env.sharedData) console.log(`note: ${sharedData} is absent: benches on real data are skipped`);
for (const area of areas) {
  console.log(`\n## ${area}`);
  const mod = (await import(pathToFileURL(join(here, `${area}.ts`)).href)) as { run(env: BenchEnv): Promise<void> };
  await mod.run(env);
}
