import { NotBuiltError } from '../../core/errors.ts';
import type { IngestFormat } from '../types.ts';

export const inspectFormat: IngestFormat = {
  name: 'inspect',
  describe: 'inspect (not built yet)',
  async detect() {
    return false;
  },
  async read() {
    throw new NotBuiltError('the inspect input format');
  },
};
