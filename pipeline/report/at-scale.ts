/**
 * Reports on many models (issue #15 item 4). Up to MANY_MODELS models every per-model table and
 * figure lists every model; above it they show the models at both ends of the ranking and the
 * models the report names elsewhere, say how many are left out, and models.csv beside report.md
 * has every model's numbers. Clusters (given categories can number hundreds) are cut the same
 * way above MANY_CLUSTERS, to the largest; report.json has them all.
 */
import type { Report } from './schema.ts';
import { intCount } from './format.ts';
import { CLEAREST_STRESS_SWAPS, CLEAREST_SWAPS, controlledSwaps } from './verdict.ts';

/** Up to this many models (the demo has 40), tables and figures list every model. */
export const MANY_MODELS = 40;
/** Models shown at each end of a ranking above MANY_MODELS. */
export const ENDS_SHOWN = 15;
/** Every model's numbers, written beside report.md when the tables show a selection. */
export const MODELS_CSV = 'models.csv';
/** Controlled swaps listed per scheme (all of them are in report.json). */
export const SWAPS_SHOWN = 20;
/** Without a controlled swap, how many of the closest reordered pairs a scheme lists. */
export const NEAREST_SWAPS_SHOWN = 3;
/** Up to this many clusters, the cluster tables and figures show every cluster; above it, the largest. */
export const MANY_CLUSTERS = 40;
/** Models coloured and named in the rank-change figure. */
export const MOVERS_SHOWN = 6;

type Reweighting = NonNullable<Report['reweighting']>;
type Scheme = Reweighting['schemes'][number];

export const manyModels = (r: Pick<Report, 'benchmark'>): boolean => r.benchmark.models > MANY_MODELS;

/** The swaps a scheme's section lists: its controlled swaps, else the closest reordered pairs. */
export function swapsShown(s: Scheme): Scheme['swaps'] {
  const sig = s.swaps.filter((x) => x.significant);
  if (sig.length) return sig.slice(0, SWAPS_SHOWN);
  return s.pointSwaps ? s.swaps.slice(0, NEAREST_SWAPS_SHOWN) : [];
}

/** The models that may be the best under the plain average, as the page lists them (cut short when there are many models). */
export function tauBestShown(r: Pick<Report, 'benchmark' | 'reweighting'>): string[] {
  const best = r.reweighting?.tauBest ?? [];
  return manyModels(r) ? best.slice(0, ENDS_SHOWN) : best;
}

/** The models whose rank moves most over all schemes, moves beyond noise first (the rank-change figure colours them). */
export function biggestMovers(rw: Reweighting): string[] {
  const uni = rw.schemes.find((s) => s.name === 'uniform') ?? rw.schemes[0];
  const byScheme = rw.schemes.map((s) => {
    const rows = new Map<string, Scheme['models'][number]>();
    for (const m of s.models) if (!rows.has(m.model)) rows.set(m.model, m);
    return rows;
  });
  const moves = uni.models.map((m) => ({
    model: m.model,
    beyond: byScheme.some((rows) => rows.get(m.model)?.beyondNoise),
    shift: Math.max(...byScheme.map((rows) => Math.abs(rows.get(m.model)?.deltaRank ?? 0))),
  }));
  return moves
    .sort((a, b) => Number(b.beyond) - Number(a.beyond) || b.shift - a.shift || a.model.localeCompare(b.model))
    .filter((x) => x.shift > 0)
    .slice(0, MOVERS_SHOWN)
    .map((x) => x.model);
}

/** Models the page names outside the per-model tables: the possibly best, the listed swaps, the swaps in the verdict, the biggest movers. */
export function namedModels(r: Pick<Report, 'benchmark' | 'reweighting'>): Set<string> {
  const rw = r.reweighting;
  if (!rw) return new Set();
  const { plausible, stress } = controlledSwaps(rw);
  return new Set([
    ...tauBestShown(r),
    ...rw.schemes.flatMap((s) => swapsShown(s).flatMap((x) => x.models)),
    ...[...plausible.slice(0, CLEAREST_SWAPS), ...stress.slice(0, CLEAREST_STRESS_SWAPS)].flatMap((x) => x.models),
    ...(rw.schemes.length > 1 ? biggestMovers(rw) : []),
  ]);
}

/**
 * Which entries of a ranking (best first) a table or figure shows, as ascending indices: all of
 * them unless `many`; else the ENDS_SHOWN at each end and any named model.
 */
export function shownIndices(ranked: readonly string[], named: ReadonlySet<string>, many: boolean): number[] {
  const n = ranked.length;
  return ranked.flatMap((m, i) => (!many || i < ENDS_SHOWN || i >= n - ENDS_SHOWN || named.has(m) ? [i] : []));
}

/** What stands in a row where models are left out. */
export const omittedLabel = (k: number): string => `… ${intCount(k)} ${k === 1 ? 'model' : 'models'}`;

/** The shown entries in order, with `gap(k)` wherever k entries were left out. */
export function withGaps<T, R>(items: readonly T[], shown: readonly number[], row: (x: T) => R, gap: (k: number) => R): R[] {
  const out: R[] = [];
  let next = 0;
  for (const i of shown) {
    if (i > next) out.push(gap(i - next));
    out.push(row(items[i]));
    next = i + 1;
  }
  if (items.length > next) out.push(gap(items.length - next));
  return out;
}

/** The line under a cut table: how many are shown, which, and where the rest are. */
export function omittedLine(shown: number, total: number, ends: string): string {
  const named = shown - Math.min(total, 2 * ENDS_SHOWN);
  return (
    `Showing ${intCount(shown)} of ${intCount(total)} models: ${ends}${named > 0 ? `, and ${intCount(named)} named elsewhere in this report (the findings, the swaps, the models that may be the best, the biggest movers)` : ''}; ` +
    `the other ${intCount(total - shown)} are in ${MODELS_CSV} beside this report, which has every model's plain mean and, under each scheme, its score, intervals, rank and rank sets.`
  );
}

/** The clusters a table or figure shows: all up to MANY_CLUSTERS, else the largest (ties: lower id first), largest first. */
export function clustersShown<T extends { id: number; size: number }>(clusters: readonly T[]): { shown: T[]; rest: { clusters: number; prompts: number } } {
  if (clusters.length <= MANY_CLUSTERS) return { shown: [...clusters], rest: { clusters: 0, prompts: 0 } };
  const sorted = [...clusters].sort((a, b) => b.size - a.size || a.id - b.id);
  const rest = sorted.slice(MANY_CLUSTERS);
  return { shown: sorted.slice(0, MANY_CLUSTERS), rest: { clusters: rest.length, prompts: rest.reduce((t, c) => t + c.size, 0) } };
}
