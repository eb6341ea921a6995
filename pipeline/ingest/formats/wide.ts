import { NotBuiltError } from '../../core/errors.ts';
import type { IngestFormat } from '../types.ts';

export const wideFormat: IngestFormat = {
  name: 'wide',
  describe: 'wide (not built yet)',
  async detect() {
    return false;
  },
  async read() {
    throw new NotBuiltError('the wide input format');
  },
};
