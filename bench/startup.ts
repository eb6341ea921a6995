/**
 * Start-up time of the CLI: `covary --help` and `covary schema` from the compiled package (dist/,
 * built here first) and from the TypeScript sources through tsx, against bare `node -e 0`.
 * Median wall time of several runs; the target is ≤ 0.3 s for the compiled package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { BenchEnv } from './index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(args: string[], env: Record<string, string> = {}): number {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' });
    runs.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}`);
  }
  return median(runs) / 1000;
}

export async function run(_env: BenchEnv): Promise<void> {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
  const bin = join(root, 'bin/covary.js');
  const rows: [string, number][] = [
    ['node -e 0 (floor)', time(['-e', '0'])],
    ['covary --help (dist)', time([bin, '--help'], { COVARY_DIST: '1' })],
    ['covary schema (dist)', time([bin, 'schema'], { COVARY_DIST: '1' })],
    ['covary --help (sources, tsx)', time([bin, '--help'])],
  ];
  for (const [label, s] of rows) console.log(`  ${s.toFixed(3)} s  ${label}  (median of ${RUNS})`);
}
