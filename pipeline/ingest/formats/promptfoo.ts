import { NotBuiltError } from '../../core/errors.ts';
import type { IngestFormat } from '../types.ts';

export const promptfooFormat: IngestFormat = {
  name: 'promptfoo',
  describe: 'promptfoo (not built yet)',
  async detect() {
    return false;
  },
  async read() {
    throw new NotBuiltError('the promptfoo input format');
  },
};
