import { lstat, mkdtemp, mkdir, readdir, readlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { collectingReporter } from '../../pipeline/core/progress.ts';
import type { StageContext } from '../../pipeline/core/stage.ts';
import { runCli } from '../helpers/cli.ts';

export const EXAMPLES = fileURLToPath(new URL('../../data/examples', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/ingest', import.meta.url));
export const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));

/** A scratch folder with `inputs/` (files the test writes) and `data/` (the data dir, not created). */
export async function scratch(): Promise<{ root: string; inputs: string; dataDir: string; write(name: string, text: string, gz?: boolean): Promise<string> }> {
  const root = await mkdtemp(join(tmpdir(), 'covary-ingest-'));
  const inputs = join(root, 'inputs');
  await mkdir(inputs, { recursive: true });
  return {
    root,
    inputs,
    dataDir: join(root, 'data'),
    async write(name, text, gz = false) {
      const p = join(inputs, name);
      await mkdir(join(p, '..'), { recursive: true });
      await writeFile(p, gz ? gzipSync(Buffer.from(text)) : text);
      return p;
    },
  };
}

export function context(dataDir: string, force = false): StageContext & { reporter: ReturnType<typeof collectingReporter> } {
  return {
    store: new ArtifactStore(dataDir),
    reportsDir: join(dataDir, '..', 'reports'),
    seed: 1,
    reporter: collectingReporter(),
    force,
    commandLine: 'covary ingest (test)',
  };
}

/** Everything under the data dir's benchmarks folder (benchmarks and any temp dirs), or [] when absent. */
export async function leftovers(dataDir: string): Promise<string[]> {
  if (!existsSync(dataDir)) return [];
  const top = await readdir(dataDir);
  const out = top.filter((x) => x !== 'benchmarks');
  const b = join(dataDir, 'benchmarks');
  if (existsSync(b)) {
    const names = await readdir(b);
    // A benchmark folder is a symlink to its published generation: that generation is not a leftover.
    const published = new Set<string>();
    for (const n of names) if ((await lstat(join(b, n))).isSymbolicLink()) published.add(await readlink(join(b, n)));
    out.push(...names.filter((x) => !published.has(x)).map((x) => `benchmarks/${x}`));
  }
  return out;
}

/** Run the real CLI in-process; returns exit code and what it printed. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli(args);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

export const WIDE = 'model,q1,q2,q3\nm1,1,0,1\nm2,0,,1\nm3,1,1,0\n';
export const ITEMS = '{"id":"q1","question":"one?"}\n{"id":"q2","question":"two?"}\n{"id":"q3","question":"three?"}\n';
