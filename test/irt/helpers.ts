/** Simulators for the IRT tests: unidimensional 2PL/3PL matrices and two correlated ability families. */
import { createRng } from '../../pipeline/core/rng.ts';
export { pearson as correlation } from '../../pipeline/correlate/similarity.ts';

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

export interface SimSpec {
  m: number;
  n: number;
  /** sd of log a (0 = Rasch with a = 1). */
  logASd?: number;
  thetaSd?: number;
  bSd?: number;
  /** Lower asymptote of every prompt. */
  guessing?: number;
  /** Share of prompts made (nearly) all-right / all-wrong by an extreme difficulty. */
  extremes?: number;
  missing?: number;
  /**
   * Two families (prompts alternate): the second family's ability is correlated `familyCorrelation`
   * with the first's; 1 = unidimensional.
   */
  familyCorrelation?: number;
}

export interface Simulated {
  scores: Float64Array;
  a: Float64Array;
  b: Float64Array;
  theta: Float64Array;
  family: Int32Array;
}

export function simulateIrt(spec: SimSpec, seed: number): Simulated {
  const { m, n } = spec;
  const rng = createRng(seed);
  const rho = spec.familyCorrelation ?? 1;
  const thetaSd = spec.thetaSd ?? 1;
  const theta = Float64Array.from({ length: m }, () => thetaSd * rng.normal());
  const theta2 = Float64Array.from(theta, (t) => rho * t + Math.sqrt(Math.max(0, 1 - rho * rho)) * thetaSd * rng.normal());
  const a = Float64Array.from({ length: n }, () => Math.exp((spec.logASd ?? 0) * rng.normal()));
  const b = Float64Array.from({ length: n }, () => (spec.bSd ?? 1) * rng.normal());
  const ext = spec.extremes ?? 0;
  for (let i = 0; i < n; i++) if (rng.next() < ext) b[i] = rng.next() < 0.5 ? -8 : 8;
  const family = Int32Array.from({ length: n }, (_, i) => (rho < 1 ? i % 2 : 0));
  const c = spec.guessing ?? 0;
  const miss = spec.missing ?? 0;
  const scores = new Float64Array(m * n);
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < n; i++) {
      const t = family[i] === 1 ? theta2[k] : theta[k];
      const p = c + (1 - c) * logistic(a[i] * (t - b[i]));
      scores[k * n + i] = rng.next() < miss ? NaN : rng.next() < p ? 1 : 0;
    }
  }
  return { scores, a, b, theta, family };
}
