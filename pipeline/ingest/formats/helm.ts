import { NotBuiltError } from '../../core/errors.ts';
import type { IngestFormat } from '../types.ts';

export const helmFormat: IngestFormat = {
  name: 'helm',
  describe: 'helm (not built yet)',
  async detect() {
    return false;
  },
  async read() {
    throw new NotBuiltError('the helm input format');
  },
};
