/**
 * `npm run real-data`: `covary run` over every shared dataset (../shared/data), then the results
 * page docs/results.md with the tables the stage issues ask for, and a copy of each report under
 * docs/real-data/<name>/ so the page links work from a clone. Skips with a message when the shared
 * data is absent. Options: `-- --only gsm8k,crux` to run some; `--force` to recompute every stage;
 * `--pages-only` to rebuild the page from existing reports.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { main } from '../pipeline/cli/main.ts';
import { sharedDatasets } from './shared-datasets.ts';
import type { Report } from '../pipeline/report/schema.ts';
import { writeFileAtomic } from '../pipeline/core/atomic.ts';
import { renderResultsPage } from '../pipeline/report/results-page.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const shared = resolve(root, '../shared/data');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const pagesOnly = args.includes('--pages-only');
const force = args.includes('--force') ? ['--force'] : [];
const dataDir = join(root, 'data');
const reportsDir = join(root, 'reports');

if (!existsSync(shared)) {
  console.log(`real-data: ${shared} is absent — nothing to run (the shared reference data sits beside the project on developer machines and in CI).`);
  process.exit(0);
}

const datasets = sharedDatasets(shared).filter((d) => !only || only.includes(d.name));
const timings: Record<string, number> = {};
for (const d of datasets) {
  if (pagesOnly) break;
  const started = Date.now();
  console.error(`\n== ${d.name}`);
  const code = await main(['run', ...d.args, '--data-dir', dataDir, '--reports-dir', reportsDir, ...force]);
  timings[d.name] = (Date.now() - started) / 1000;
  if (code !== 0) {
    console.error(`real-data: covary run failed for ${d.name} (exit ${code})`);
    process.exit(code);
  }
  console.error(`${d.name}: ${timings[d.name].toFixed(0)} s`);
}

const reports: Report[] = [];
for (const d of sharedDatasets(shared)) {
  const path = join(reportsDir, d.name, 'report.json');
  if (!existsSync(path)) continue;
  reports.push(JSON.parse(await readFile(path, 'utf8')) as Report);
  const dest = join(root, 'docs', 'real-data', d.name);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  // reports/<name> is a symlink to its generation folder: copy what it points to.
  await cp(join(reportsDir, d.name), dest, { recursive: true, dereference: true });
}
await writeFileAtomic(join(root, 'docs', 'results.md'), renderResultsPage(reports));
console.log(`wrote docs/results.md (${reports.length} benchmarks)${Object.keys(timings).length ? `; run times: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}` : ''}`);
