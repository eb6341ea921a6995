import type { Scheme } from './types.ts';

export const uniform: Scheme = {
  name: 'uniform',
  describe: 'every prompt counts the same (the plain average)',
  weights: (x) => ({ weights: new Float64Array(x.n).fill(1 / x.n), note: `each of ${x.n} prompts gets 1/${x.n}` }),
};
