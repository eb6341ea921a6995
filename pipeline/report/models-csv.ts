/**
 * models.csv: every model's numbers, one row per model, for reports whose tables show a selection
 * (more than MANY_MODELS models). A pure function of the report model, so every number is in
 * report.json too. RFC 4180 quoting (model names may hold commas, quotes and line breaks); LF line ends.
 */
import type { Report } from './schema.ts';

const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const num = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '' : String(Number(x.toPrecision(6))));
const bool = (x: boolean | null | undefined): string => (x === null || x === undefined ? '' : String(x));

type Row = NonNullable<Report['reweighting']>['schemes'][number]['models'][number];

/** Per scheme: score and its intervals, rank and rank sets; against uniform, the changes and whether the model is in a controlled swap. */
function schemeColumns(name: string): { head: string[]; cells: (m: Row | undefined) => string[] } {
  const changes = name !== 'uniform';
  const head = ['score', 'ci_low', 'ci_high', 'cluster_ci_low', 'cluster_ci_high', 'rank', 'rank_set_low', 'rank_set_high', 'simultaneous_set_low', 'simultaneous_set_high', 'p_rank1', ...(changes ? ['delta_score', 'delta_rank', 'in_controlled_swap'] : [])];
  return {
    head: head.map((h) => `${name}.${h}`),
    cells: (m) => {
      if (!m) return head.map(() => '');
      const [ml, mh] = m.rankSet.marginal ?? [null, null];
      const [sl, sh] = m.rankSet.simultaneous ?? [null, null];
      return [num(m.score), num(m.ciLow), num(m.ciHigh), num(m.clusterCiLow), num(m.clusterCiHigh), num(m.rank), num(ml), num(mh), num(sl), num(sh), num(m.pRank1), ...(changes ? [num(m.deltaScore), num(m.deltaRank), bool(m.beyondNoise)] : [])];
    },
  };
}

/** Rows in the order of the plain average (best first); columns: model, plain_mean, prompts_answered, then `<scheme>.<column>` per scheme, then the irt ability when that stage ran. */
export function renderModelsCsv(r: Report): string {
  const schemes = (r.reweighting?.schemes ?? []).map((s) => {
    const rows = new Map<string, Row>();
    for (const m of s.models) if (!rows.has(m.model)) rows.set(m.model, m);
    return { rows, ...schemeColumns(s.name) };
  });
  const abilities = r.irt ? new Map(r.irt.abilities.map((a) => [a.model, a])) : null;
  const head = ['model', 'plain_mean', 'prompts_answered', ...schemes.flatMap((s) => s.head), ...(abilities ? ['irt.ability', 'irt.ability_sd'] : [])];
  const models = [...r.benchmark.modelMeans].sort((x, y) => (y.mean ?? -1) - (x.mean ?? -1));
  const lines = models.map((m) => {
    const a = abilities?.get(m.model);
    return [quote(m.model), num(m.mean), String(m.items), ...schemes.flatMap((s) => s.cells(s.rows.get(m.model))), ...(abilities ? [num(a?.theta), num(a?.sd)] : [])].join(',');
  });
  return [head.map(quote).join(','), ...lines].join('\n') + '\n';
}
