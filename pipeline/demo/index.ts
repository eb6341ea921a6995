import type { Options } from 'yargs';
import { NotBuiltError } from '../core/errors.ts';
import type { StageContext, StageOutcome } from '../core/stage.ts';

export const demoOptions: Record<string, Options> = {};

/** Generate (or reuse, when identical) the demo benchmark named `name`. */
export async function ensureDemo(_ctx: StageContext, _argv: Record<string, unknown>): Promise<StageOutcome> {
  throw new NotBuiltError('demo');
}
