/**
 * Leaderboard scale (issue #15): a synthetic 0/1 matrix, 5,000 models × 30,000 prompts by default
 * (then 1,000 × 100,000), 1% missing, some prompts at floor / ceiling, generated here from a seed
 * (never committed), written as a wide CSV and as long JSONL, then run through
 * ingest → correlate → [irt] → cluster (performance) → reweight → explain → report, text-free.
 * Each stage runs as its own child process (`/usr/bin/time -v`) so its wall time and peak RSS are
 * its own. Prints figures; asserts nothing.
 *
 *   npm run bench -- scale                          both default cases (hours on a loaded machine)
 *   npm run bench -- scale --models 500 --prompts 3000 [--seed 1] [--keep] [--only wide|long] [--stages ingest,correlate] [--dir <folder>]
 *   npm run bench -- scale --models 2000 --prompts 30000 --stages ingest     ingest only (wide CSV and long JSONL)
 *
 * The files go to a fresh folder under the system temp dir (or --dir), removed at the end unless
 * --keep. Ingest lines also give bytes per cell: (peak RSS − peak RSS of ingesting the 5 × 10 example) / cells.
 *
 * Every child runs under `nice -n 15`: the machine is shared.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchEnv } from './index.ts';
import { createRng } from '../pipeline/core/rng.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..');

/** `--flag value` pairs after the area names. */
function flags(): Record<string, string> {
  const out: Record<string, string> = {};
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (!a[i].startsWith('--')) continue;
    const next = a[i + 1];
    if (next === undefined || next.startsWith('--')) out[a[i].slice(2)] = 'true';
    else out[a[i].slice(2)] = next, i++;
  }
  return out;
}

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((r) => stream.once('drain', () => r()));
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((r, j) => stream.end((e?: Error | null) => (e ? j(e) : r())));
}

/**
 * A 2PL matrix with families: P(correct) = σ(a_i(θ_k − b_i) + f_{k,family(i)}), 1% of cells missing,
 * 2% of prompts all wrong and 2% all right (floor / ceiling). Rows are generated one model at a
 * time, so memory stays O(n) whatever m.
 */
async function writeMatrix(dir: string, m: number, n: number, seed: number, long: boolean): Promise<{ csv: string; jsonl: string | null; seconds: number }> {
  const t0 = performance.now();
  const rng = createRng(seed).fork('scale-bench');
  const families = 50;
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const fam = new Int32Array(n);
  const fixed = new Int8Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    a[i] = Math.exp(0.3 * rng.normal());
    b[i] = rng.normal();
    fam[i] = rng.int(families);
    const u = rng.next();
    if (u < 0.02) fixed[i] = 0;
    else if (u < 0.04) fixed[i] = 1;
  }
  const ids = Array.from({ length: n }, (_, i) => `p${i}`);
  const csv = join(dir, 'scores.csv');
  const jsonl = long ? join(dir, 'scores.jsonl') : null;
  const wide = createWriteStream(csv);
  const lines = jsonl ? createWriteStream(jsonl) : null;
  await write(wide, `model,${ids.join(',')}\n`);
  const effect = new Float64Array(families);
  const row: string[] = new Array(n);
  for (let k = 0; k < m; k++) {
    const theta = rng.normal();
    for (let f = 0; f < families; f++) effect[f] = 0.8 * rng.normal();
    const model = `model-${k}`;
    let chunk = '';
    for (let i = 0; i < n; i++) {
      if (rng.next() < 0.01) {
        row[i] = '';
        continue;
      }
      const x = fixed[i] >= 0 ? fixed[i] : rng.next() < 1 / (1 + Math.exp(-(a[i] * (theta - b[i]) + effect[fam[i]]))) ? 1 : 0;
      row[i] = x ? '1' : '0';
      if (lines) {
        chunk += `{"model":"${model}","item":"${ids[i]}","score":${x}}\n`;
        if (chunk.length > 1 << 20) (await write(lines, chunk), (chunk = ''));
      }
    }
    await write(wide, `${model},${row.join(',')}\n`);
    if (lines && chunk) await write(lines, chunk);
  }
  await close(wide);
  if (lines) await close(lines);
  return { csv, jsonl, seconds: (performance.now() - t0) / 1000 };
}

interface Measured {
  ok: boolean;
  wall: number;
  /** User + system CPU seconds (on a loaded machine, closer to a quiet machine's wall time than wall is). */
  cpu: number;
  rssMiB: number;
  tail: string;
}

/** One CLI command in its own niced process under /usr/bin/time -v: wall seconds and peak RSS. */
function runStage(args: string[]): Promise<Measured> {
  return new Promise((done) => {
    const child = spawn('nice', ['-n', '15', '/usr/bin/time', '-v', process.execPath, join(root, 'bin/covary.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      const el = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(err);
      const wall = el ? el[1].split(':').reduce((s, p) => s * 60 + Number(p), 0) : NaN;
      const user = /User time \(seconds\): ([\d.]+)/.exec(err);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(err);
      const cpu = user && sys ? Number(user[1]) + Number(sys[1]) : NaN;
      const text = (out + '\n' + err.split('\tCommand being timed')[0]).trim().split('\n').filter((l) => l.trim() !== '');
      done({ ok: code === 0, wall, cpu, rssMiB: rss ? Number(rss[1]) / 1024 : NaN, tail: text.slice(-2).join(' | ').slice(0, 300) });
    });
  });
}

function line(label: string, r: Measured, perCell?: { cells: number; baseMiB: number }): void {
  const b = perCell && r.ok ? `  ${(((r.rssMiB - perCell.baseMiB) * 2 ** 20) / perCell.cells).toFixed(1)} B/cell above base` : '';
  console.log(`  ${label.padEnd(22)} ${r.wall.toFixed(1).padStart(8)} s (cpu ${r.cpu.toFixed(1)} s) ${r.rssMiB.toFixed(0).padStart(7)} MiB${b}  ${r.ok ? '' : 'FAILED: '}${r.tail}`);
}

let baseMiB: number | null = null;

/** Peak RSS of ingesting the 5 × 10 example (the process with ingest's modules loaded): ingest's B/cell is above it. */
async function baseRss(workDir: string): Promise<number> {
  if (baseMiB === null) {
    const r = await runStage(['ingest', '--name', 'base', '--scores', join(root, 'data/examples/scores.csv'), '--data-dir', join(workDir, 'base-data'), '--quiet']);
    baseMiB = r.rssMiB;
    await rm(join(workDir, 'base-data'), { recursive: true, force: true });
  }
  return baseMiB;
}

/**
 * Hook for the irt stage (issue #15 lists it between correlate and cluster; it is being built on
 * another branch). When `pipeline/irt/stage.ts` exists, `covary irt` is measured like the others.
 */
function irtAvailable(): boolean {
  return existsSync(join(root, 'pipeline/irt/stage.ts'));
}

async function runCase(workDir: string, m: number, n: number, seed: number, opts: Record<string, string>): Promise<void> {
  const dir = join(workDir, `scale-${m}x${n}`);
  await rm(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const only = opts.only;
  console.log(`\n${m} models × ${n} prompts (${(m * n / 1e6).toFixed(1)}e6 cells), seed ${seed}`);
  const files = await writeMatrix(dir, m, n, seed, only !== 'wide');
  const size = (p: string | null) => (p ? `${(statSync(p).size / 2 ** 20).toFixed(0)} MiB` : '-');
  console.log(`  generated in ${files.seconds.toFixed(1)} s: wide CSV ${size(files.csv)}, long JSONL ${size(files.jsonl)}`);
  const common = ['--data-dir', join(dir, 'data'), '--reports-dir', join(dir, 'reports'), '--seed', String(seed), '--quiet'];
  const name = 'scale';
  const perCell = { cells: m * n, baseMiB: await baseRss(workDir) };
  console.log(`  (base: ingesting the 5 × 10 example peaks at ${perCell.baseMiB.toFixed(0)} MiB RSS)`);
  if (only !== 'wide' && files.jsonl) {
    line('ingest (long JSONL)', await runStage(['ingest', '--name', `${name}-long`, ...common, files.jsonl]), perCell);
  }
  if (only === 'long') return;
  const stages: [string, string[]][] = [
    ['ingest (wide CSV)', ['ingest', '--name', name, '--scores', files.csv]],
    ['correlate', ['correlate', '--name', name]],
    ...(irtAvailable() ? ([['irt', ['irt', '--name', name]]] as [string, string[]][]) : []),
    ['cluster (performance)', ['cluster', '--name', name]],
    ['reweight', ['reweight', '--name', name]],
    ['explain', ['explain', '--name', name]],
    ['report', ['report', '--name', name]],
  ];
  if (!irtAvailable()) console.log('  (irt: stage not on this branch; measured here once pipeline/irt/stage.ts lands)');
  let total = 0;
  let peak = 0;
  const wantedStages = opts.stages ? opts.stages.split(',') : null;
  for (const [label, args] of stages) {
    if (wantedStages && !wantedStages.includes(args[0])) continue;
    const r = await runStage([...args, ...common]);
    line(label, r, args[0] === 'ingest' ? perCell : undefined);
    total += r.wall;
    peak = Math.max(peak, r.rssMiB);
    if (!r.ok) break;
  }
  console.log(`  ${'pipeline (text-free)'.padEnd(22)} ${total.toFixed(1).padStart(8)} s ${peak.toFixed(0).padStart(7)} MiB peak (targets at 5,000 × 30,000: ≤ 900 s, ≤ 8192 MiB; correlate ≤ 180 s)`);
  if (opts.keep !== 'true') await rm(dir, { recursive: true, force: true });
}

export async function run(_env: BenchEnv): Promise<void> {
  const f = flags();
  const seed = Number(f.seed ?? 1);
  // Generated files are large (the long JSONL of 5,000 × 30,000 is ~7 GB): a temp folder, never the repository.
  const workDir = f.dir ? resolve(f.dir) : await mkdtemp(join(tmpdir(), 'covary-scale-'));
  console.log(`files under ${workDir}`);
  try {
    if (f.models || f.prompts) {
      await runCase(workDir, Number(f.models ?? 5000), Number(f.prompts ?? 30_000), seed, f);
      return;
    }
    await runCase(workDir, 5000, 30_000, seed, f);
    await runCase(workDir, 1000, 100_000, seed, f);
  } finally {
    if (!f.dir && f.keep !== 'true') await rm(workDir, { recursive: true, force: true });
  }
}
