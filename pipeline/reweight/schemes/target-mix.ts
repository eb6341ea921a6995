/**
 * A user-given target mix: share of weight per category (or per semantic / performance cluster),
 * read from a JSON file, either
 *   {"by": "category", "shares": {"math": 0.5, "law": 0.5}}      (by: category | cluster | performance-cluster)
 * or a flat {"math": 0.5, "law": 0.5} (categories when the benchmark has them, else semantic clusters).
 * Cluster keys are cluster numbers ("0", "3") or their labels. Shares are normalised to sum to 1;
 * groups the file does not name get no weight. Anything malformed or not matching the benchmark
 * is a one-line CovaryError naming the file.
 */
import { CovaryError } from '../../core/errors.ts';
import type { Clustering } from '../../cluster/index.ts';
import { groupBalancedWeights } from './balanced.ts';
import type { Scheme } from './types.ts';

export type MixBy = 'category' | 'cluster' | 'performance-cluster';

export interface TargetMix {
  file: string;
  by: MixBy | 'auto';
  shares: Record<string, number>;
}

const BY_VALUES: MixBy[] = ['category', 'cluster', 'performance-cluster'];

export function parseTargetMix(text: string, file: string): TargetMix {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CovaryError(`target mix is not valid JSON (${(e as Error).message})`, { file }, 'expected e.g. {"by": "category", "shares": {"math": 0.5, "law": 0.5}}');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new CovaryError('target mix must be a JSON object', { file }, 'expected e.g. {"by": "category", "shares": {"math": 0.5, "law": 0.5}}');
  }
  const obj = json as Record<string, unknown>;
  let by: MixBy | 'auto' = 'auto';
  let shares: unknown = obj;
  if ('shares' in obj || 'by' in obj) {
    const extra = Object.keys(obj).filter((k) => k !== 'by' && k !== 'shares');
    if (extra.length) throw new CovaryError(`unexpected key "${extra[0]}" in target mix (allowed: "by", "shares")`, { file, field: extra[0] });
    if (obj.by !== undefined) {
      if (typeof obj.by !== 'string' || !BY_VALUES.includes(obj.by as MixBy)) {
        throw new CovaryError(`"by" must be one of ${BY_VALUES.join(', ')} (got ${JSON.stringify(obj.by)})`, { file, field: 'by' });
      }
      by = obj.by as MixBy;
    }
    shares = obj.shares;
    if (!shares || typeof shares !== 'object' || Array.isArray(shares)) {
      throw new CovaryError('"shares" must be an object mapping a group name to its share', { file, field: 'shares' });
    }
  }
  const out: Record<string, number> = {};
  const entries = Object.entries(shares as Record<string, unknown>);
  if (entries.length === 0) throw new CovaryError('target mix names no groups', { file, field: 'shares' });
  let sum = 0;
  for (const [k, v] of entries) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new CovaryError(`share of "${k}" must be a non-negative number (got ${JSON.stringify(v)})`, { file, field: k });
    }
    out[k] = v;
    sum += v;
  }
  if (!(sum > 0)) throw new CovaryError('target mix shares sum to 0', { file, field: 'shares' });
  return { file, by, shares: out };
}

/** Map the mix's keys onto a clustering's groups; throws naming the first key that matches nothing. */
export function resolveMix(mix: TargetMix, c: Clustering, by: MixBy): Float64Array {
  const shares = new Float64Array(c.k);
  const seen = new Set<number>();
  for (const [key, v] of Object.entries(mix.shares)) {
    let g = c.labels.indexOf(key);
    if (g < 0 && by !== 'category' && /^\d+$/.test(key) && Number(key) < c.k) g = Number(key);
    if (g < 0) {
      const known = c.labels.slice(0, 8).map((l) => JSON.stringify(l)).join(', ');
      const what = by === 'category' ? 'category' : 'cluster';
      throw new CovaryError(
        `target mix names ${what} "${key}", which this benchmark does not have`,
        { file: mix.file, field: key },
        by === 'category' ? `its categories: ${known}${c.labels.length > 8 ? ', …' : ''}` : `use cluster numbers 0..${c.k - 1} or their labels`,
      );
    }
    if (seen.has(g)) throw new CovaryError(`target mix names group ${g} ("${c.labels[g]}") twice`, { file: mix.file, field: key });
    seen.add(g);
    shares[g] = v;
  }
  let sum = 0;
  for (let g = 0; g < c.k; g++) sum += c.sizes[g] > 0 ? shares[g] : 0;
  if (!(sum > 0)) throw new CovaryError('target mix puts all its weight on empty groups', { file: mix.file });
  for (let g = 0; g < c.k; g++) shares[g] = c.sizes[g] > 0 ? shares[g] / sum : 0;
  return shares;
}

export const targetMix: Scheme = {
  name: 'target-mix',
  describe: 'a user-given share per category or cluster (--target-mix file.json)',
  weights(x) {
    const mix = x.targetMix;
    if (!mix) return { skip: 'no --target-mix file given' };
    let by: MixBy;
    if (mix.by === 'auto') by = x.category ? 'category' : 'cluster';
    else by = mix.by;
    const c = by === 'category' ? x.category : by === 'cluster' ? x.semantic : x.performance;
    if (!c) {
      const why = by === 'category' ? 'the benchmark has no categories in its item metadata' : by === 'cluster' ? 'there are no semantic clusters (no prompt text or embed not run)' : 'there are no performance clusters';
      throw new CovaryError(`target mix is by ${by}, but ${why}`, { file: mix.file, field: 'by' });
    }
    const shares = resolveMix(mix, c, by);
    const unnamed = c.labels.filter((_, g) => shares[g] === 0 && c.sizes[g] > 0);
    return {
      weights: groupBalancedWeights(c.assignments, shares),
      note: `shares by ${by} from ${mix.file}${unnamed.length ? `; ${unnamed.length} group(s) not in the mix get no weight` : ''}`,
    };
  },
};
