/**
 * Start-up time of the CLI: `covary --help` and `covary schema` from the compiled package (dist/,
 * built here first) and from the TypeScript sources through tsx, against bare `node -e 0`.
 * Median wall time of several runs, and median CPU time (user + system, all threads: less
 * sensitive to a busy machine); the target is ≤ 0.3 s for the compiled package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import type { BenchEnv } from './index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Prints the process's CPU time on exit (a preloaded module, so the measured code is unchanged).
const CPU_HOOK = `data:text/javascript,process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('cpu-us ' + (u.user + u.system) + '\\n'); });`;

function time(args: string[], env: Record<string, string> = {}): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    wall.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}`);
    cpu.push(Number(/cpu-us (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1000);
  }
  return { wall: median(wall) / 1000, cpu: median(cpu) / 1000 };
}

export async function run(_env: BenchEnv): Promise<void> {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
  const bin = join(root, 'bin/covary.js');
  // Start-up time is mostly waiting for a core on a shared machine: say how busy it was.
  const load = () => loadavg()[0].toFixed(2);
  console.log(`  load average ${load()} (1 min) on ${availableParallelism()} cores before timing`);
  const rows: [string, { wall: number; cpu: number }][] = [
    ['node -e 0 (floor)', time(['-e', '0'])],
    ['covary --help (dist)', time([bin, '--help'], { COVARY_DIST: '1' })],
    ['covary schema (dist)', time([bin, 'schema'], { COVARY_DIST: '1' })],
    ['covary --help (sources, tsx)', time([bin, '--help'])],
  ];
  for (const [label, s] of rows) console.log(`  ${s.wall.toFixed(3)} s wall, ${s.cpu.toFixed(3)} s CPU  ${label}  (medians of ${RUNS})`);
  console.log(`  load average ${load()} after; target for --help and schema (dist): ≤ 0.3 s wall`);
}
