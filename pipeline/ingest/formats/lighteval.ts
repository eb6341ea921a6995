import { NotBuiltError } from '../../core/errors.ts';
import type { IngestFormat } from '../types.ts';

export const lightevalFormat: IngestFormat = {
  name: 'lighteval',
  describe: 'lighteval (not built yet)',
  async detect() {
    return false;
  },
  async read() {
    throw new NotBuiltError('the lighteval input format');
  },
};
