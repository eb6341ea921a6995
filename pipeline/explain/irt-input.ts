/**
 * The irt stage's residuals for explain's main response (issue #11 item 5), when usable: a fresh,
 * converged fit of this dataset. Otherwise null with the reason, and explain keeps raw performance
 * similarity as its main response. The hash always names the irt result seen, so re-running irt
 * makes explain stale.
 */
import type { StageContext } from '../core/stage.ts';
import { isCovaryError } from '../core/errors.ts';
import { loadIrt, type IrtResult } from '../irt/index.ts';

export interface IrtResiduals {
  residuals: Float32Array | null;
  /** For explain's freshness inputs: the irt.json hash, or 'none' when irt has not run. */
  hash: string;
  /** Why the residuals are not used (null when they are, or when irt has not run). */
  note: string | null;
  /** A skipped irt (too few models, nothing varies) is expected and only informs; the rest warn. */
  expected?: boolean;
}

/** With `read` false the residuals are not read (an m × n matrix): enough for the hash of a freshness check. */
export async function irtResiduals(ctx: StageContext, bench: string, datasetHash: string, read = true): Promise<IrtResiduals> {
  const { store } = ctx;
  const art = await store.readStage<IrtResult | null>(bench, 'irt');
  if (!art) return { residuals: null, hash: 'none', note: null };
  const hash = (await store.stageHash(bench, 'irt')) ?? 'none';
  const without = (why: string): IrtResiduals => ({ residuals: null, hash, note: `${why}: the main response is raw performance similarity` });
  if (art.status === 'skipped' || !art.result) return { ...without(`the irt stage was skipped (${art.skipReason ?? 'no reason given'})`), expected: true };
  if (art.inputs.dataset !== datasetHash) return without('the irt result is for an earlier version of the dataset (re-run `covary irt`)');
  // Residuals of a fit that did not converge are not a sound "beyond one ability axis".
  if (!art.result.convergence.converged) return without(`the irt fit did not converge (${art.result.convergence.iterations} EM cycles), so its residuals are not used`);
  if (!read) return { residuals: null, hash, note: null };
  try {
    const a = await loadIrt(store, bench);
    return a.residuals ? { residuals: a.residuals, hash, note: null } : without('the irt result has no residuals');
  } catch (err) {
    if (!isCovaryError(err)) throw err;
    return without(`the irt residuals cannot be read (${err.message})`);
  }
}
