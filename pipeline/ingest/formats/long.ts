import { NotBuiltError } from '../../core/errors.ts';
import type { IngestFormat } from '../types.ts';

export const longFormat: IngestFormat = {
  name: 'long',
  describe: 'long (not built yet)',
  async detect() {
    return false;
  },
  async read() {
    throw new NotBuiltError('the long input format');
  },
};
