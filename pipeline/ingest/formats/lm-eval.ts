import { NotBuiltError } from '../../core/errors.ts';
import type { IngestFormat } from '../types.ts';

export const lmEvalFormat: IngestFormat = {
  name: 'lm-eval',
  describe: 'lm-eval (not built yet)',
  async detect() {
    return false;
  },
  async read() {
    throw new NotBuiltError('the lm-eval input format');
  },
};
