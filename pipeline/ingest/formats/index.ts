import type { IngestFormat } from '../types.ts';
import { wideFormat } from './wide.ts';
import { longFormat } from './long.ts';
import { lmEvalFormat } from './lm-eval.ts';
import { helmFormat } from './helm.ts';
import { inspectFormat } from './inspect.ts';
import { lightevalFormat } from './lighteval.ts';
import { promptfooFormat } from './promptfoo.ts';

/** Every input format, in detection order (most specific first). */
export const FORMATS: IngestFormat[] = [lmEvalFormat, helmFormat, inspectFormat, lightevalFormat, promptfooFormat, wideFormat, longFormat];

export function formatByName(name: string): IngestFormat | undefined {
  return FORMATS.find((f) => f.name === name);
}
