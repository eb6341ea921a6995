/**
 * The demo benchmark generator: a pure function of (options, rng) that builds a realistic
 * synthetic benchmark — prompts from a dozen families with varied wording, 0/1 scores from a
 * documented latent model, answers with distractors, trick prompts, format failures and missing
 * cells — together with the ground truth of everything it planted.
 */
import { ANSWER_MISSING, ANSWER_NONE, type Dataset, type Item } from '../core/dataset.ts';
import { CovaryError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import { ARCHETYPES, BACKGROUND_FORMAT_PROPENSITY, DEMO_GENERATOR_VERSION, FAMILY_PLAN, FORMAT_SENSITIVE, LATENT, LIMITS, MISSING, OVER_REPRESENTED, RANK_CHANGE_THRESHOLD, TRICKS } from './plan.ts';
import { chooseTricks } from './tricks.ts';
import { directionOf, familyScores, ranksOf, type DemoArchetype, type DemoModelTruth, type DemoTruth, type RankDirection } from './truth.ts';
import { pick } from './families/util.ts';

export interface DemoOptions {
  /** Benchmark name (the dataset's name). */
  name: string;
  models: number;
  prompts: number;
  /** Recorded in the ground truth; the randomness itself comes from the rng argument. */
  seed: number;
}

interface PromptRecord {
  family: string;
  template: string;
  templateNo: number;
  text: string;
  answer: string;
  distractors: string[];
  trick: { name: string; shared: string } | null;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Prompt counts per family from the planned shares (largest remainder, at least 3 each). */
export function familyCounts(n: number): number[] {
  const raw = FAMILY_PLAN.map((p) => p.share * n);
  const counts = raw.map((r) => Math.max(3, Math.floor(r)));
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, j) => [r - Math.floor(r), j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let t = 0; left > 0; t++, left--) counts[order[t % order.length][1]]++;
  for (let t = 0; left < 0; t++) {
    const j = order[order.length - 1 - (t % order.length)][1];
    if (counts[j] > 3) {
      counts[j]--;
      left++;
    }
  }
  return counts;
}

function buildPrompts(n: number, rng: Rng): PromptRecord[] {
  const counts = familyCounts(n);
  const room: Record<string, number> = {};
  FAMILY_PLAN.forEach((p, j) => (room[p.family.id] = Math.floor(counts[j] / 4)));
  const nTricks = Math.max(TRICKS.minimum, Math.round(n * TRICKS.share));
  const tricks = chooseTricks(rng.fork('tricks'), nTricks, room);
  const seen = new Set<string>();
  const records: PromptRecord[] = [];
  for (const t of tricks) {
    const plan = FAMILY_PLAN.find((p) => p.family.id === t.family)!;
    seen.add(t.text);
    records.push({
      family: t.family,
      template: `${t.family}/t${t.template ?? plan.family.templates}`,
      templateNo: t.template ?? plan.family.templates,
      text: t.text,
      answer: t.answer,
      distractors: [t.shared, ...t.others],
      trick: { name: t.trick, shared: t.shared },
    });
  }
  FAMILY_PLAN.forEach((plan, j) => {
    const fam = plan.family;
    const need = counts[j] - tricks.filter((t) => t.family === fam.id).length;
    const frng = rng.fork(`text:${fam.id}`);
    let made = 0;
    let tries = 0;
    while (made < need) {
      if (++tries > need * 50 + 1000) {
        throw new CovaryError(`the demo's "${fam.id}" family ran out of distinct wordings at ${made} of ${need} prompts`, { field: '--prompts' }, `use --prompts ${LIMITS.prompts[1]} or fewer`);
      }
      const g = fam.generate(frng);
      if (seen.has(g.text)) continue;
      seen.add(g.text);
      records.push({ family: fam.id, template: `${fam.id}/t${g.template}`, templateNo: g.template, text: g.text, answer: g.answer, distractors: g.distractors, trick: null });
      made++;
    }
  });
  return rng.fork('order').shuffle(records);
}

const VENDORS = ['aurora', 'basalt', 'cobalt', 'dune', 'ember', 'fjord', 'granite', 'harbor', 'iris', 'juniper', 'kestrel', 'lumen', 'meridian', 'nimbus', 'onyx', 'pylon', 'quartz', 'raven', 'sierra', 'tundra'] as const;
const SIZES = ['1b', '3b', '7b', '8b', '14b', '32b', '70b', '180b'] as const;

interface ModelParams {
  name: string;
  archetype: DemoArchetype;
  ability: number;
  skills: number[];
  formatPropensity: number;
}

function buildModels(m: number, rng: Rng): ModelParams[] {
  const nSpec = Math.max(2, Math.round(m * ARCHETYPES.specialistShare));
  const nBroad = Math.max(2, Math.round(m * ARCHETYPES.broadShare));
  const nFormat = Math.max(2, Math.round(m * ARCHETYPES.formatProneShare));
  const roles: DemoArchetype[] = [
    ...Array<DemoArchetype>(nSpec).fill('specialist'),
    ...Array<DemoArchetype>(nBroad).fill('broad'),
    ...Array<DemoArchetype>(nFormat).fill('format-prone'),
    'partial',
  ];
  while (roles.length < m) roles.push('generalist');
  rng.shuffle(roles);
  const groups = [...new Set(FAMILY_PLAN.map((p) => p.family.group))];
  const over = new Set<string>(OVER_REPRESENTED);
  const names = new Set<string>();
  return roles.map((archetype) => {
    const mid = archetype === 'specialist' || archetype === 'broad';
    const ability = rng.normal() * (mid ? LATENT.archetypeAbilitySd : LATENT.abilitySd);
    const groupSkill = new Map(groups.map((g) => [g, rng.normal() * LATENT.groupSd]));
    const skills = FAMILY_PLAN.map((p) => {
      let s = groupSkill.get(p.family.group)! + rng.normal() * LATENT.familySd;
      if (archetype === 'specialist') s += over.has(p.family.id) ? ARCHETYPES.specialistBoost : ARCHETYPES.specialistPenalty;
      if (archetype === 'broad') s += over.has(p.family.id) ? ARCHETYPES.broadPenalty : ARCHETYPES.broadBoost;
      return s;
    });
    // Bigger models are abler, roughly: the size in the name follows ability with noise.
    const size = SIZES[Math.max(0, Math.min(SIZES.length - 1, Math.round(((ability + 2) / 4) * (SIZES.length - 1) + rng.normal() * 0.8)))];
    const vendor = pick(rng, VENDORS);
    const kind = archetype === 'specialist' ? '-math' : archetype === 'format-prone' ? '-base' : archetype === 'partial' ? '-preview' : '';
    let name = `${vendor}${kind}-${size}`;
    for (let v = 2; names.has(name); v++) name = `${vendor}${kind}-${size}-v${v}`;
    names.add(name);
    return { name, archetype, ability, skills, formatPropensity: archetype === 'format-prone' ? ARCHETYPES.formatProne : ARCHETYPES.formatOther };
  });
}

export function validateDemoOptions(o: DemoOptions): void {
  for (const key of ['models', 'prompts'] as const) {
    const [lo, hi] = LIMITS[key];
    const v = o[key];
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new CovaryError(`--${key} must be a whole number from ${lo} to ${hi}, got ${String(v)}`, { field: `--${key}` });
    }
  }
}

/** Generate the demo benchmark and its ground truth. Pure: same options and rng seed ⇒ same output. */
export function generateDemo(options: DemoOptions, rng: Rng): { dataset: Dataset; truth: DemoTruth } {
  validateDemoOptions(options);
  const { models: m, prompts: n } = options;
  const records = buildPrompts(n, rng.fork('prompts'));
  const planOf = new Map(FAMILY_PLAN.map((p, j) => [p.family.id, { plan: p, j }]));

  // Item parameters: one draw per item from each stream, whatever the item is.
  const easeRng = rng.fork('ease');
  const fmtRng = rng.fork('format-items');
  const ease = new Float64Array(n);
  const itemFormat = new Float64Array(n);
  records.forEach((r, i) => {
    const { plan } = planOf.get(r.family)!;
    const z = easeRng.normal();
    ease[i] = r.trick ? LATENT.trickEase : plan.meanEase + z * LATENT.itemSd;
    const u = fmtRng.next();
    const range = plan.formatTemplates?.includes(r.templateNo) ? FORMAT_SENSITIVE : plan.formatPropensity;
    itemFormat[i] = range ? range[0] + u * (range[1] - range[0]) : BACKGROUND_FORMAT_PROPENSITY;
  });
  const famIdx = Int32Array.from(records, (r) => planOf.get(r.family)!.j);

  const params = buildModels(m, rng.fork('models'));

  // Missing cells: one model saw only part of the prompts; a sprinkle elsewhere.
  const missRng = rng.fork('missing');
  const missing = new Uint8Array(m * n);
  const partialK = params.findIndex((p) => p.archetype === 'partial');
  const covered = new Uint8Array(n);
  for (const i of missRng.sample(n, Math.round(n * MISSING.partialCoverage))) covered[i] = 1;
  let randomMissing = 0;
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < n; i++) {
      const u = missRng.next();
      if (k === partialK) missing[k * n + i] = covered[i] ? 0 : 1;
      else if (u < MISSING.randomRate) {
        missing[k * n + i] = 1;
        randomMissing++;
      }
    }
  }

  // Scores and answers: three uniforms per cell (format failure, correctness, which wrong answer).
  const scoreRng = rng.fork('scores');
  const scores = new Float64Array(m * n);
  const codes = new Int32Array(m * n);
  const vocab: string[] = [];
  const vocabIndex = new Map<string, number>();
  const code = (s: string): number => {
    let c = vocabIndex.get(s);
    if (c === undefined) {
      c = vocab.length;
      vocab.push(s);
      vocabIndex.set(s, c);
    }
    return c;
  };
  const expected = new Float64Array(m * n);
  for (let k = 0; k < m; k++) {
    const p = params[k];
    for (let i = 0; i < n; i++) {
      const cell = k * n + i;
      const uFormat = scoreRng.next();
      const uCorrect = scoreRng.next();
      const uWrong = scoreRng.next();
      const r = records[i];
      const q = p.formatPropensity * itemFormat[i];
      const pc = logistic(p.ability + p.skills[famIdx[i]] + ease[i]);
      expected[cell] = (1 - q) * pc;
      if (missing[cell]) {
        scores[cell] = NaN;
        codes[cell] = ANSWER_MISSING;
      } else if (uFormat < q) {
        scores[cell] = 0;
        codes[cell] = ANSWER_NONE;
      } else if (uCorrect < pc) {
        scores[cell] = 1;
        codes[cell] = code(r.answer);
      } else {
        scores[cell] = 0;
        let wrong: string;
        if (r.trick) {
          const rest = r.distractors.slice(1);
          wrong = uWrong < TRICKS.sharedRate || rest.length === 0 ? r.trick.shared : rest[Math.floor(((uWrong - TRICKS.sharedRate) / (1 - TRICKS.sharedRate)) * rest.length)];
        } else {
          wrong = r.distractors[Math.floor(uWrong * r.distractors.length)];
        }
        codes[cell] = code(wrong);
      }
    }
  }

  const width = Math.max(4, String(n).length);
  const items: Item[] = records.map((r, i) => ({
    id: `demo-${String(i + 1).padStart(width, '0')}`,
    text: r.text,
    metadata: { category: r.family, template: r.template },
    tags: [],
  }));
  const dataset: Dataset = { name: options.name, models: params.map((p) => p.name), items, scores, answers: { vocab, codes } };
  const truth = buildTruth(options, dataset, records, params, { ease, itemFormat, expected, partialK, randomMissing, famIdx });
  return { dataset, truth };
}

function buildTruth(
  options: DemoOptions,
  d: Dataset,
  records: PromptRecord[],
  params: ModelParams[],
  x: { ease: Float64Array; itemFormat: Float64Array; expected: Float64Array; partialK: number; randomMissing: number; famIdx: Int32Array },
): DemoTruth {
  const m = d.models.length;
  const n = d.items.length;
  const familyOf = records.map((r) => r.family);
  const { uniform, balanced } = familyScores(d, familyOf);
  const ur = ranksOf(uniform);
  const br = ranksOf(balanced);
  const F = FAMILY_PLAN.length;

  const expUni = new Float64Array(m);
  const expBal = new Float64Array(m);
  const famCount = new Float64Array(F);
  for (let i = 0; i < n; i++) famCount[x.famIdx[i]]++;
  for (let k = 0; k < m; k++) {
    const fs = new Float64Array(F);
    let s = 0;
    for (let i = 0; i < n; i++) {
      const e = x.expected[k * n + i];
      s += e;
      fs[x.famIdx[i]] += e;
    }
    expUni[k] = s / n;
    let b = 0;
    for (let f = 0; f < F; f++) b += fs[f] / famCount[f];
    expBal[k] = b / F;
  }

  const codes = d.answers!.codes;
  const noneByFamily: Record<string, number> = {};
  for (const p of FAMILY_PLAN) noneByFamily[p.family.id] = 0;
  const formatFamilies = FAMILY_PLAN.filter((p) => p.formatPropensity).map((p) => p.family.id);
  const formatModels = params.filter((p) => p.archetype === 'format-prone').map((p) => p.name);
  let noneCells = 0;
  let noneByModels = 0;
  const observed = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < n; i++) {
      const c = codes[k * n + i];
      if (c !== ANSWER_MISSING) observed[k]++;
      if (c !== ANSWER_NONE) continue;
      noneCells++;
      noneByFamily[records[i].family]++;
      if (params[k].archetype === 'format-prone') noneByModels++;
    }
  }
  const noneInFamilies = formatFamilies.reduce((s, f) => s + noneByFamily[f], 0);

  const models: DemoModelTruth[] = params.map((p, k) => {
    const rankChange = ur[k] - br[k];
    const planted: RankDirection | null = p.archetype === 'specialist' ? 'drop' : p.archetype === 'broad' ? 'rise' : null;
    const skills: Record<string, number> = {};
    FAMILY_PLAN.forEach((pl, j) => (skills[pl.family.id] = round(p.skills[j])));
    return {
      name: p.name,
      archetype: p.archetype,
      ability: round(p.ability),
      skills,
      formatPropensity: p.formatPropensity,
      observedCells: observed[k],
      uniformScore: round(uniform[k], 6),
      balancedScore: round(balanced[k], 6),
      uniformRank: ur[k],
      balancedRank: br[k],
      rankChange,
      direction: directionOf(rankChange, RANK_CHANGE_THRESHOLD),
      plantedDirection: planted,
      expectedUniform: round(expUni[k], 6),
      expectedBalanced: round(expBal[k], 6),
    };
  });

  const trickItems = d.items.map((it, i) => ({ it, i, r: records[i] })).filter((e) => e.r.trick);
  const byItem = trickItems.map(({ it, i, r }) => {
    const sharedCode = d.answers!.vocab.indexOf(r.trick!.shared);
    let answered = 0;
    let wrong = 0;
    let shared = 0;
    for (let k = 0; k < m; k++) {
      const c = codes[k * n + i];
      if (c < 0) continue;
      answered++;
      if (d.scores[k * n + i] === 0) {
        wrong++;
        if (c === sharedCode) shared++;
      }
    }
    return { id: it.id, trick: r.trick!.name, family: r.family, answer: r.answer, sharedDistractor: r.trick!.shared, wrongShare: round(answered ? wrong / answered : 0), sharedShare: round(wrong ? shared / wrong : 0) };
  });

  const groups: Record<string, string[]> = {};
  for (const p of FAMILY_PLAN) (groups[p.family.group] ??= []).push(p.family.id);
  let totalMissing = 0;
  for (let c = 0; c < m * n; c++) if (codes[c] === ANSWER_MISSING) totalMissing++;

  return {
    generatorVersion: DEMO_GENERATOR_VERSION,
    seed: options.seed,
    counts: { models: m, prompts: n, families: F, cells: m * n },
    latentModel: {
      formula: 'P(correct[k,i]) = logistic(ability[k] + skill[k, family(i)] + ease[i]); skill[k,f] = groupSkill[k, group(f)] + familySkill[k,f] + archetype offset; format failure (no extractable answer, score 0) first, with probability formatPropensity[k] * formatPropensity[i]',
      ...LATENT,
      archetypes: { ...ARCHETYPES },
    },
    families: FAMILY_PLAN.map((p, j) => ({
      id: p.family.id,
      label: p.family.label,
      group: p.family.group,
      plannedShare: p.share,
      count: famCount[j],
      overRepresented: (OVER_REPRESENTED as readonly string[]).includes(p.family.id),
      meanEase: p.meanEase,
      templates: p.family.templates,
      formatFailure: p.formatPropensity !== null,
      trickCount: records.filter((r) => r.trick && r.family === p.family.id).length,
    })),
    overRepresented: [...OVER_REPRESENTED],
    groups,
    items: d.items.map((it, i) => ({
      id: it.id,
      family: records[i].family,
      template: records[i].template,
      ease: round(x.ease[i]),
      formatPropensity: round(x.itemFormat[i]),
      answer: records[i].answer,
      distractors: records[i].distractors,
      trick: records[i].trick?.name ?? null,
    })),
    models,
    tricks: { itemIds: byItem.map((t) => t.id), sharedRate: TRICKS.sharedRate, byItem },
    formatFailure: {
      families: formatFamilies,
      models: formatModels,
      templates: FAMILY_PLAN.flatMap((p) => (p.formatTemplates ?? []).map((t) => `${p.family.id}/t${t}`)),
      sensitiveItems: d.items.filter((_, i) => x.itemFormat[i] >= FORMAT_SENSITIVE[0]).map((it) => it.id),
      noneCells,
      noneInFamilies,
      noneByModels,
      noneByFamily,
    },
    missing: {
      partialModel: params[x.partialK].name,
      partialCoverage: MISSING.partialCoverage,
      partialObserved: observed[x.partialK],
      randomRate: MISSING.randomRate,
      randomMissingCells: x.randomMissing,
      totalMissingCells: totalMissing,
    },
    rankChanges: {
      weighting: 'family-balanced: every family (metadata category) gets the same total weight, prompts within a family equal weight',
      threshold: RANK_CHANGE_THRESHOLD,
      rise: models.filter((t) => t.direction === 'rise').map((t) => t.name),
      drop: models.filter((t) => t.direction === 'drop').map((t) => t.name),
      maxAbsRankChange: models.reduce((s, t) => Math.max(s, Math.abs(t.rankChange)), 0),
      moved: models.filter((t) => t.direction !== 'stable').length,
    },
  };
}
