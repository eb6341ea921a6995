/**
 * The irt stage's result as the report's `irt` section (METHOD §2b). Pure: the stored result, its
 * residual matrix, the dataset and the clusterings in; numbers renamed only where report.json's
 * contract asks. Residual groups are described the way the report describes clusters: distinctive
 * words of their texts, typical prompts, and which semantic clusters (or categories) they draw on.
 */
import type { Dataset } from '../core/dataset.ts';
import type { Clusterings } from '../cluster/index.ts';
import type { IrtResult } from '../irt/index.ts';
import { distinctiveWords, opening } from '../cluster/labels.ts';
import type { IrtSection } from './schema.ts';
import { nullBlock } from './sections.ts';

const nz = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

export interface IrtSectionInputs {
  result: IrtResult;
  /** m × n residuals S − P̂ (NaN missing), for choosing typical prompts; null leaves the groups' first prompts as examples. */
  residuals: Float32Array | null;
  dataset: Pick<Dataset, 'models' | 'items'>;
  clusterings: Clusterings | null;
  /** irt-items.csv relative to the report folder, when it exists. */
  itemsCsv: string | null;
}

/** The k-dimensional row the reported dimension comes from: the first row of that k within one (paired) SE of the best. */
function crossValidationRows(r: IrtResult): IrtSection['crossValidation'] {
  const best = Math.min(...r.crossValidation.map((x) => x.loss).filter(Number.isFinite));
  let chosenDone = false;
  return r.crossValidation.map((x) => {
    const within = Number.isFinite(x.loss) && x.loss <= best + (Number.isFinite(x.seVsBest) ? x.seVsBest : 0);
    const chosen = !chosenDone && within && x.k === r.dimension;
    if (chosen) chosenDone = true;
    return { k: x.k, model: x.model, loss: nz(x.loss), se: nz(x.se), seVsBest: nz(x.seVsBest), lambda: nz(x.lambda), folds: x.foldLosses.length, best: x.loss === best, withinOneSe: within, chosen };
  });
}

/**
 * Members whose standardised residual column correlates best with the group's mean column: the
 * prompts that carry the group's shared deviation from one ability axis most plainly.
 */
function typicalMembers(members: number[], residuals: Float32Array | null, m: number, n: number, count: number): number[] {
  if (!residuals || members.length <= count) return members.slice(0, count);
  // Standardise each member's residual column over the models that have it.
  const z = new Float64Array(members.length * m).fill(NaN);
  members.forEach((i, j) => {
    let c = 0;
    let s = 0;
    let sq = 0;
    for (let k = 0; k < m; k++) {
      const v = residuals[k * n + i];
      if (v !== v) continue;
      c++;
      s += v;
      sq += v * v;
    }
    if (c < 2) return;
    const mean = s / c;
    const sd = Math.sqrt(Math.max(0, sq / c - mean * mean));
    if (!(sd > 1e-12)) return;
    for (let k = 0; k < m; k++) {
      const v = residuals[k * n + i];
      if (v === v) z[j * m + k] = (v - mean) / sd;
    }
  });
  // The group's mean standardised column, and each member's correlation with it.
  const centre = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let c = 0;
    let s = 0;
    for (let j = 0; j < members.length; j++) {
      const v = z[j * m + k];
      if (v !== v) continue;
      c++;
      s += v;
    }
    centre[k] = c ? s / c : NaN;
  }
  const score = members.map((_, j) => {
    let c = 0;
    let sx = 0;
    let sy = 0;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let k = 0; k < m; k++) {
      const x = z[j * m + k];
      const y = centre[k];
      if (x !== x || y !== y) continue;
      c++;
      sx += x;
      sy += y;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
    if (c < 3) return -Infinity;
    const den = Math.sqrt((sxx - (sx * sx) / c) * (syy - (sy * sy) / c));
    return den > 0 ? (sxy - (sx * sy) / c) / den : -Infinity;
  });
  return members
    .map((i, j) => ({ i, s: score[j] }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, count)
    .map((x) => x.i);
}

/** Which semantic clusters (else given categories) a group's prompts belong to, largest share first (top 3). */
function composition(members: number[], clusterings: Clusterings | null): { source: 'semantic' | 'category' | null; parts: { label: string; share: number }[] } {
  const c = clusterings?.semantic ?? clusterings?.category ?? null;
  if (!c) return { source: null, parts: [] };
  const counts = new Map<number, number>();
  let total = 0;
  for (const i of members) {
    const a = c.assignments[i];
    if (a === undefined || a < 0) continue;
    counts.set(a, (counts.get(a) ?? 0) + 1);
    total++;
  }
  if (!total) return { source: null, parts: [] };
  const parts = [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 3).map(([a, k]) => ({ label: c.labels[a] ?? String(a), share: k / total }));
  return { source: clusterings?.semantic ? 'semantic' : 'category', parts };
}

function residualGroupsSection(inp: IrtSectionInputs): IrtSection['residualGroups'] {
  const { result: r, dataset: d } = inp;
  const n = d.items.length;
  const m = d.models.length;
  const G = r.residualGroups.length;
  if (!G) return [];
  // Label each group by its distinctive words against every other prompt (group G = the rest).
  const assign = new Int32Array(n).fill(G);
  r.residualGroups.forEach((g, id) => {
    for (const i of g.prompts) assign[i] = id;
  });
  const texts = d.items.map((it) => (it.text && it.text.trim() !== '' ? it.text : null));
  const words = texts.some((t) => t !== null) ? distinctiveWords(texts, assign, G + 1, 3) : [];
  return r.residualGroups.map((g, id) => {
    const typical = typicalMembers(g.prompts, inp.residuals, m, n, 2);
    const examples = typical.map((i) => (texts[i] ? opening(texts[i]!) : `(item ${d.items[i].id})`));
    const comp = composition(g.prompts, inp.clusterings);
    const w = words[id] ?? [];
    const label = w.length ? w.join(', ') : comp.parts[0] && comp.parts[0].share >= 0.5 ? `mostly ${comp.parts[0].label}` : `group ${id + 1}: ${g.ids.slice(0, 3).join(', ')}${g.ids.length > 3 ? ', …' : ''}`;
    return { id: id + 1, size: g.size, strength: nz(g.strength), label, examples, composition: comp.parts, compositionSource: comp.source, ids: g.ids };
  });
}

export function irtSection(inp: IrtSectionInputs): IrtSection {
  const r = inp.result;
  const q = r.q3;
  return {
    model: r.model,
    binary: r.binary,
    models: r.models,
    prompts: { total: r.prompts.total, estimated: r.prompts.estimated },
    prior: r.prior.kind === 'none' ? { kind: 'none', logA: null, b: null } : { kind: 'default', logA: { mean: nz(r.prior.logA.mean), sd: nz(r.prior.logA.sd) }, b: { mean: nz(r.prior.b.mean), sd: nz(r.prior.b.sd) } },
    guessing: { mode: r.guessing.mode, value: nz(r.guessing.value), promptsWithGuessing: r.guessing.promptsWithGuessing },
    quadrature: { kind: r.quadrature.kind, points: r.quadrature.points },
    convergence: { converged: r.convergence.converged, iterations: r.convergence.iterations, maxChange: nz(r.convergence.maxChange), maxGradient: nz(r.convergence.maxGradient) },
    ...(r.fitSample ? { fitSample: r.fitSample } : {}),
    logLik: nz(r.logLik),
    dimension: r.dimension,
    crossValidationLoss: r.crossValidationLoss,
    crossValidation: crossValidationRows(r),
    nullC: r.nullC ? nullBlock(r.nullC) : null,
    nullCDiscriminationBias: nz(r.nullCDiscriminationBias),
    q3: q
      ? {
          pairs: q.pairs,
          exact: q.exact,
          observed: { mean: nz(q.observed.mean), meanSquared: nz(q.observed.meanSquared), p99: nz(q.observed.p99), max: nz(q.observed.max) },
          nullC: {
            replicates: q.nullC.replicates,
            mean: { observed: nz(q.nullC.mean.observed), nullMean: nz(q.nullC.mean.nullMean), nullSd: nz(q.nullC.mean.nullSd), z: nz(q.nullC.mean.z), p: nz(q.nullC.mean.p) },
            meanSquared: { observed: nz(q.nullC.meanSquared.observed), nullMean: nz(q.nullC.meanSquared.nullMean), nullSd: nz(q.nullC.meanSquared.nullSd), z: nz(q.nullC.meanSquared.z), p: nz(q.nullC.meanSquared.p) },
            // Artifacts written before the Q3 test entered the verdict lack it.
            meanSquaredNormalP: nz(q.nullC.meanSquaredNormalP ?? null),
            p99: nz(q.nullC.p99),
          },
          pairsAboveNullP99: q.pairsAboveNullP99,
          expectedAboveNullP99: nz(q.expectedAboveNullP99),
        }
      : null,
    residualGroups: residualGroupsSection(inp),
    items: r.items.map((it) => ({ id: it.id, difficulty: nz(it.difficulty), discrimination: nz(it.discrimination), ...(it.guessing !== undefined ? { guessing: nz(it.guessing) } : {}) })),
    abilities: r.abilities.map((a) => ({ model: a.model, theta: nz(a.theta), sd: nz(a.sd) })),
    itemsCsv: inp.itemsCsv,
    stageFamilies: r.families,
    stageFamiliesReason: r.familiesReason,
    notes: r.notes,
  };
}
