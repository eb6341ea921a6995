/** Simulators for the correlate tests: matrices under each null and with planted structure. */
import { createRng, type Rng } from '../../pipeline/core/rng.ts';

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/** Random matrix (row-major m × n), values from `cell`, a share `missing` of cells NaN. */
export function randomMatrix(m: number, n: number, seed: number, cell: (rng: Rng, k: number, i: number) => number, missing = 0): Float64Array {
  const rng = createRng(seed);
  const s = new Float64Array(m * n);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) s[k * n + i] = rng.next() < missing ? NaN : cell(rng, k, i);
  return s;
}

/** Rasch data: P(right) = logistic(θ_k − b_i). Given its margins, such a matrix is uniform: a draw under Null B. */
export function rasch(m: number, n: number, seed: number, spread = 1.5): Float64Array {
  const rng = createRng(seed);
  const theta = Array.from({ length: m }, () => spread * rng.normal());
  const b = Array.from({ length: n }, () => spread * rng.normal());
  const s = new Float64Array(m * n);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) s[k * n + i] = rng.next() < logistic(theta[k] - b[i]) ? 1 : 0;
  return s;
}

/** Every prompt's column is an exchangeable 0/1 vector (a random number of rights at random models): a draw under Null A. */
export function exchangeableColumns(m: number, n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const s = new Float64Array(m * n);
  for (let i = 0; i < n; i++) {
    const p = rng.next();
    for (let k = 0; k < m; k++) s[k * n + i] = rng.next() < p ? 1 : 0;
  }
  return s;
}

/**
 * Rasch plus prompt families: each model also has a family-specific ability, so prompts of the
 * same family succeed and fail together beyond what one strength axis explains.
 */
export function plantedFamilies(m: number, n: number, families: number, seed: number, familySd = 1.5): { scores: Float64Array; family: Int32Array } {
  const rng = createRng(seed);
  const theta = Array.from({ length: m }, () => rng.normal());
  const phi = Array.from({ length: m * families }, () => familySd * rng.normal());
  const b = Array.from({ length: n }, () => rng.normal());
  const family = Int32Array.from({ length: n }, (_, i) => i % families);
  const s = new Float64Array(m * n);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) s[k * n + i] = rng.next() < logistic(theta[k] + phi[k * families + family[i]] - b[i]) ? 1 : 0;
  return { scores: s, family };
}

export function rowSums(s: Float64Array, m: number, n: number): number[] {
  return Array.from({ length: m }, (_, k) => {
    let t = 0;
    for (let i = 0; i < n; i++) if (s[k * n + i] === s[k * n + i]) t += s[k * n + i];
    return t;
  });
}

export function colSums(s: Float64Array, m: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let t = 0;
    for (let k = 0; k < m; k++) if (s[k * n + i] === s[k * n + i]) t += s[k * n + i];
    return t;
  });
}

export function missingPattern(s: Float64Array): string {
  return Array.from(s, (v) => (v !== v ? '1' : '0')).join('');
}

/** Binomial 3-sigma band for a rate α over `trials`. */
export function binomialBand(alpha: number, trials: number): [number, number] {
  const sd = Math.sqrt((alpha * (1 - alpha)) / trials);
  return [Math.max(0, alpha - 3 * sd), alpha + 3 * sd];
}
