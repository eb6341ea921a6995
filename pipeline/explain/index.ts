/**
 * Public face of the explain stage: its result type and `loadExplanation` for the report.
 * JSON names the report reuses: `r2`, `partialR2.{semantic,failure,difficulty}`, `mantel.{r,p}`,
 * `coefficients[]` with `name`, `estimate`, `p`.
 */
import type { ArtifactStore } from '../core/store.ts';
import { CovaryError } from '../core/errors.ts';
import type { ExplainResult } from './explain.ts';

export type { ExplainResult } from './explain.ts';
export type { TagSummary, TagKind } from './tags.ts';
export type { CoefficientResult, RegressionResult, MantelResult, BlockR2, DroppedPredictor } from './mrqap.ts';
export type { DecileBin, NearestNeighbourEffect, TagEffect } from './effects.ts';
export type { ExplainOptions } from './options.ts';

export interface Explanation {
  result: ExplainResult;
  options: Record<string, unknown>;
  /** membership[t][i] = 1 when prompt i carries result.tags[t]. */
  membership: Uint8Array[];
}

/** The stored explanation. Throws (clear CovaryError) when the explain stage has not been run. */
export async function loadExplanation(store: ArtifactStore, bench: string): Promise<Explanation> {
  const a = await store.requireStage<ExplainResult>(bench, 'explain', 'this step');
  const ref = a.binaries.tagMembership;
  const T = a.result.tags.length;
  const membership: Uint8Array[] = [];
  if (T > 0) {
    if (!ref) throw new CovaryError('explain result lacks its tag membership array', { file: store.stagePath(bench, 'explain') }, `re-run covary explain --name ${bench} --force`);
    const flat = (await store.readBinary(bench, ref)) as Uint8Array;
    const n = ref.shape[1];
    for (let t = 0; t < T; t++) membership.push(flat.subarray(t * n, (t + 1) * n));
  }
  return { result: a.result, options: a.options, membership };
}
