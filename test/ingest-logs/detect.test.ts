import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { lmEvalFormat } from '../../pipeline/ingest/formats/lm-eval.ts';
import { helmFormat } from '../../pipeline/ingest/formats/helm.ts';
import { inspectFormat } from '../../pipeline/ingest/formats/inspect.ts';
import { lightevalFormat } from '../../pipeline/ingest/formats/lighteval.ts';
import { promptfooFormat } from '../../pipeline/ingest/formats/promptfoo.ts';
import { HAS_SHARED, LOCAL, SHARED, filesUnder } from './helpers.ts';

const HARNESS = [lmEvalFormat, helmFormat, inspectFormat, lightevalFormat, promptfooFormat];

async function detected(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of HARNESS) if (await f.detect(files)) out.push(f.name);
  return out;
}

describe.skipIf(!HAS_SHARED)('auto-detection on every shared fixture folder is unambiguous', () => {
  const cases: [string, string][] = [
    ['lm-eval/v0.4-log_samples-3models-winogrande', 'lm-eval'],
    ['lm-eval/v0.4.9-math_perturbed-every_eval_ever', 'lm-eval'],
    ['lm-eval/v0.4-loglikelihood-metabench-pythia14m', 'lm-eval'],
    ['lm-eval/v0.3-write_out-truthfulqa_gen', 'lm-eval'],
    ['lm-eval/v0.3-results-aggregate-only', 'lm-eval'],
    ['helm/crfm-helm-0.5.1-safety-suite-v3', 'helm'],
    ['helm/crfm-helm-small-runs-every_eval_ever', 'helm'],
    ['inspect/inspect_ai-test-logs', 'inspect'],
    ['inspect/every_eval_ever-arc_easy-2models', 'inspect'],
    ['lighteval/lighteval-0.13.0-dummy-model', 'lighteval'],
    ['promptfoo/promptfoo-repo-sample-export', 'promptfoo'],
    ['promptfoo/generated-promptfoo-0.121.20-offline', 'promptfoo'],
  ];
  for (const [dir, fmt] of cases) {
    it(`${dir} → ${fmt} only`, async () => {
      expect(await detected(filesUnder(join(SHARED, dir)))).toEqual([fmt]);
    });
  }
});

describe('auto-detection on the hand-made fixtures', () => {
  it.each([
    ['lm-eval/two-filters', 'lm-eval'],
    ['lm-eval/old-variant', 'lm-eval'],
    ['helm', 'helm'],
    ['inspect', 'inspect'],
    ['promptfoo', 'promptfoo'],
  ])('%s → %s only', async (dir, fmt) => {
    expect(await detected(filesUnder(join(LOCAL, dir)))).toEqual([fmt]);
  });
});
