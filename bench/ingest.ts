/**
 * Ingest speed on the six shared datasets (cold ingest, cached re-ingest, binary load).
 * Prints figures; asserts nothing.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchEnv } from './index.ts';
import { ArtifactStore } from '../pipeline/core/store.ts';
import { silentReporter } from '../pipeline/core/progress.ts';
import { runIngest } from '../pipeline/ingest/index.ts';
import { sharedDatasets } from '../scripts/shared-datasets.ts';

function argvOf(args: string[]): Record<string, unknown> {
  const argv: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 2) argv[args[i].slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = args[i + 1];
  return argv;
}

export async function run(env: BenchEnv): Promise<void> {
  if (!env.sharedData) {
    console.log('skipped: shared data absent');
    return;
  }
  const dataDir = join(env.workDir, 'ingest');
  await rm(dataDir, { recursive: true, force: true });
  const store = new ArtifactStore(dataDir);
  const ctx = { store, reportsDir: join(env.workDir, 'reports'), seed: 1, reporter: silentReporter, force: false, commandLine: 'bench' };
  console.log('dataset      models × items    ingest   re-ingest   load   peak RSS');
  for (const d of sharedDatasets(env.sharedData)) {
    const argv = argvOf(d.args);
    let t = performance.now();
    await runIngest(ctx, argv);
    const cold = performance.now() - t;
    t = performance.now();
    const again = await runIngest(ctx, argv);
    const cached = performance.now() - t;
    t = performance.now();
    const { dataset } = await store.loadDataset(d.name);
    const load = performance.now() - t;
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `${d.name.padEnd(12)} ${`${dataset.models.length} × ${dataset.items.length}`.padEnd(16)} ${cold.toFixed(0).padStart(6)} ms ${cached.toFixed(0).padStart(6)} ms (${again.status}) ${load.toFixed(0).padStart(5)} ms ${rss.toFixed(0).padStart(6)} MB`,
    );
  }
  await rm(dataDir, { recursive: true, force: true });
}
