import type { Options } from 'yargs';
import { NotBuiltError } from '../core/errors.ts';
import type { StageContext, StageOutcome } from '../core/stage.ts';

/** yargs options of `covary ingest` (also accepted by `covary run`). */
export const ingestOptions: Record<string, Options> = {};

/** Ingest per the parsed CLI arguments; returns what happened. */
export async function runIngest(_ctx: StageContext, _argv: Record<string, unknown>): Promise<StageOutcome> {
  throw new NotBuiltError('ingest');
}
