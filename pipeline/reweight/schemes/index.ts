import type { Scheme } from './types.ts';
import { uniform } from './uniform.ts';
import { clusterBalanced, categoryBalanced, performanceClusterBalanced } from './balanced.ts';
import { inverseDensity } from './inverse-density.ts';
import { correlationAdjusted } from './correlation.ts';
import { representative } from './representative.ts';
import { targetMix } from './target-mix.ts';

export type { Scheme, SchemeInputs, SchemeOutcome } from './types.ts';

/** Every scheme, in report order. `uniform` is the baseline and always computed. */
export const SCHEMES: Scheme[] = [
  uniform,
  clusterBalanced,
  categoryBalanced,
  performanceClusterBalanced,
  inverseDensity,
  correlationAdjusted,
  representative,
  targetMix,
];

export const SCHEME_NAMES = SCHEMES.map((s) => s.name);

export function schemeByName(name: string): Scheme | undefined {
  return SCHEMES.find((s) => s.name === name);
}
