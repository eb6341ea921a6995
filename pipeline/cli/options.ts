/**
 * The options every command accepts. Kept free of other imports: `covary --help` loads this, yargs
 * and the command catalog, nothing more.
 */
import { UsageError } from '../core/errors.ts';

/** Options every command accepts. */
export interface GlobalArgs {
  dataDir: string;
  reportsDir: string;
  seed: number;
  quiet: boolean;
  json: boolean;
  force?: boolean;
}

export const globalOptions = {
  'data-dir': { type: 'string', default: 'data', describe: 'Where ingested benchmarks, stage results and caches live', global: true },
  'reports-dir': { type: 'string', default: 'reports', describe: 'Where reports are written', global: true },
  seed: { type: 'number', default: 1, coerce: parseSeed, describe: 'Seed for every random step, an integer 0–4294967295 (same inputs + seed => identical JSON)', global: true },
  quiet: { type: 'boolean', default: false, describe: 'No progress bars or info lines on stderr', global: true },
  json: { type: 'boolean', default: false, describe: 'Print results as JSON on stdout', global: true },
} as const;

const MAX_SEED = 0xffffffff;

/** The seed is a 32-bit unsigned integer: anything else would be silently folded onto another seed. */
export function parseSeed(value: unknown): number {
  if (Array.isArray(value)) throw new UsageError(`--seed was given ${value.length} times; give it once`);
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_SEED) {
    throw new UsageError(`invalid --seed ${Number.isNaN(n) ? '(not a number)' : JSON.stringify(String(value))}: expected an integer from 0 to ${MAX_SEED}`);
  }
  return n;
}
