/**
 * The prompt bootstrap of a 0/1 matrix, exact path (item-major copy, replicateScores) against the
 * bit-packed one (bit-bootstrap.ts) on one thread: one scheme, 2,000 models × 10,000 prompts, 1%
 * missing, B = 200 (`npm run bench -- bit-bootstrap`; --models, --prompts, --replicates). Prints the
 * times, the largest relative difference, and the extrapolation to 5,000 × 30,000 with B = 1,000:
 * drawing the counts costs B × n rng calls per bootstrap, the packed sums ⌈n/8⌉ × m × B table
 * lookups per scheme, the exact path m × n × B multiply-adds per scheme.
 */
import { createRng } from '../pipeline/core/rng.ts';
import { prepare, bootstrapScores } from '../pipeline/reweight/bootstrap.ts';
import { bitBootstrapConfig, bitBootstrapScores } from '../pipeline/reweight/bit-bootstrap.ts';
import type { BenchEnv } from './index.ts';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

export async function run(_env: BenchEnv): Promise<void> {
  const m = flag('models', 2000);
  const n = flag('prompts', 10000);
  const B = flag('replicates', 200);
  const rng = createRng(1);
  const scores = new Float64Array(m * n);
  for (let k = 0; k < m; k++) {
    const skill = 0.3 + 0.5 * rng.next();
    for (let i = 0; i < n; i++) scores[k * n + i] = rng.next() < 0.01 ? NaN : rng.next() < skill ? 1 : 0;
  }
  const weights = [new Float64Array(n).fill(1 / n)];
  const saved = { ...bitBootstrapConfig };

  let t = performance.now();
  // --exact 0 skips the exact path (minutes at 5,000 × 30,000).
  let ref: Float64Array | null = null;
  let exactMs = NaN;
  if (flag('exact', 1)) {
    const exact = prepare({ m, n, scores, weights }, Infinity);
    const prepExact = performance.now() - t;
    t = performance.now();
    ref = bootstrapScores(exact, 'prompt', B, createRng(2), null)[0];
    exactMs = performance.now() - t;
    console.log(`${m} models × ${n} prompts, B = ${B}, 1 scheme: exact path ${(exactMs / 1000).toFixed(2)} s (+ ${(prepExact / 1000).toFixed(2)} s item-major copy, ${((m * n * 8) / 2 ** 20).toFixed(0)} MiB)`);
  }

  t = performance.now();
  const packed = prepare({ m, n, scores, weights }, 0);
  const prepPacked = performance.now() - t;
  // One thread: at this size a worker's start-up (~1–3 s from the sources) exceeds the whole job;
  // it joins from bitBootstrapConfig.minWorkerLookups table lookups on.
  bitBootstrapConfig.threads = 1;
  // Warm-up (compilation), so that the timed run extrapolates.
  bitBootstrapScores({ bits: packed.bits!, weights, incomplete: packed.incomplete }, 'prompt', 32, createRng(3), null);
  t = performance.now();
  const got = bitBootstrapScores({ bits: packed.bits!, weights, incomplete: packed.incomplete }, 'prompt', B, createRng(2), null)[0];
  const ms = performance.now() - t;
  let maxRel = 0;
  if (ref) for (let i = 0; i < ref.length; i++) if (ref[i] === ref[i]) maxRel = Math.max(maxRel, Math.abs(got[i] - ref[i]) / Math.abs(ref[i] || 1));
  // The counts (B × n rng draws, serial in every path) and the table lookups scale differently.
  t = performance.now();
  const counts = new Uint16Array(Math.ceil(B / 16) * n * 16);
  const draw = createRng(2);
  for (let b = 0; b < B; b++) for (let j = 0; j < n; j++) counts[Math.floor(b / 16) * n * 16 + (b % 16) + draw.int(n) * 16]++;
  const drawMs = performance.now() - t;
  const lookupMs = Math.max(0, ms - drawMs);
  const drawAt = (drawMs * (30000 * 1000)) / (n * B);
  const lookupAt = (lookupMs * (Math.ceil(30000 / 8) * 5000 * 1000)) / (packed.bits!.groups * m * B);
  console.log(
    `${m} models × ${n} prompts, B = ${B}, 1 scheme, packed, 1 thread: ${(ms / 1000).toFixed(2)} s (${(drawMs / 1000).toFixed(2)} s of it drawing counts; + ${(prepPacked / 1000).toFixed(2)} s packing)` +
      (ref ? `, ${(exactMs / ms).toFixed(1)}× faster than the exact path, max relative difference ${maxRel.toExponential(1)}` : ''),
  );
  // Per-block costs that scale with m but not with n make this an upper bound from small runs.
  console.log(
    `→ 5,000 × 30,000, B = 1,000: counts ≈ ${(drawAt / 1000).toFixed(1)} s once per bootstrap + ≤ ${(lookupAt / 1000).toFixed(1)} s per scheme on one thread` +
      (ref ? ` (the exact path: ≈ ${((exactMs * (5000 * 30000 * 1000)) / (m * n * B) / 1000).toFixed(0)} s per scheme)` : ''),
  );
  Object.assign(bitBootstrapConfig, saved);
}
