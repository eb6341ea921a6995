import { describe, expect, it } from 'vitest';
import { ANSWER_MISSING, ANSWER_NONE, answerAt, modelMeans } from '../../pipeline/core/dataset.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import { contentHashOf } from '../../pipeline/core/store.ts';
import { stableStringify } from '../../pipeline/core/hash.ts';
import { generateDemo, familyCounts, type DemoOptions } from '../../pipeline/demo/generator.ts';
import { FAMILY_PLAN, LIMITS, OVER_REPRESENTED } from '../../pipeline/demo/plan.ts';
import type { DemoTruth } from '../../pipeline/demo/truth.ts';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { pearson, phiByRelation } from './helpers.ts';

const gen = (seed: number, over: Partial<DemoOptions> = {}) => generateDemo({ name: 'demo', models: 40, prompts: 1200, seed, ...over }, createRng(seed).fork('demo'));

const cache = new Map<number, { dataset: Dataset; truth: DemoTruth }>();
const demo = (seed: number) => {
  if (!cache.has(seed)) cache.set(seed, gen(seed));
  return cache.get(seed)!;
};

describe('generateDemo: determinism', () => {
  it('same seed gives identical dataset bytes and ground truth; another seed differs', () => {
    const a = demo(1);
    const b = gen(1);
    expect(contentHashOf(b.dataset)).toBe(contentHashOf(a.dataset));
    expect(stableStringify(b.truth)).toBe(stableStringify(a.truth));
    const c = demo(2);
    expect(contentHashOf(c.dataset)).not.toBe(contentHashOf(a.dataset));
    expect(c.dataset.items.map((i) => i.text)).not.toEqual(a.dataset.items.map((i) => i.text));
  });
});

describe('generateDemo: shapes and contents', () => {
  const { dataset: d, truth } = demo(1);
  const m = d.models.length;
  const n = d.items.length;

  it('has the requested shape, ids demo-0001…, unique names and texts', () => {
    expect(m).toBe(40);
    expect(n).toBe(1200);
    expect(d.scores.length).toBe(m * n);
    expect(d.answers!.codes.length).toBe(m * n);
    expect(d.items[0].id).toBe('demo-0001');
    expect(d.items[n - 1].id).toBe('demo-1200');
    expect(new Set(d.items.map((i) => i.id)).size).toBe(n);
    expect(new Set(d.items.map((i) => i.text)).size).toBe(n);
    expect(new Set(d.models).size).toBe(m);
    expect(truth.items.map((i) => i.id)).toEqual(d.items.map((i) => i.id));
  });

  it('prompts are short (8–30 words) and carry family and template metadata, no tags', () => {
    const families = new Set(FAMILY_PLAN.map((p) => p.family.id));
    expect(families.size).toBe(12);
    for (const [i, it] of d.items.entries()) {
      const words = it.text!.trim().split(/\s+/).length;
      expect(words, it.text!).toBeGreaterThanOrEqual(8);
      expect(words, it.text!).toBeLessThanOrEqual(30);
      expect(it.tags).toEqual([]);
      expect(families.has(String(it.metadata.category))).toBe(true);
      expect(it.metadata.category).toBe(truth.items[i].family);
      expect(String(it.metadata.template)).toMatch(new RegExp(`^${String(it.metadata.category)}/t\\d+$`));
    }
  });

  it('every family has several phrasings; prompts of a family share words but are not copies', () => {
    const words = d.items.map((it) => new Set(it.text!.toLowerCase().match(/[a-z]+/g)));
    const jaccard = (a: Set<string>, b: Set<string>) => {
      let inter = 0;
      for (const w of a) if (b.has(w)) inter++;
      return inter / (a.size + b.size - inter);
    };
    const rng = createRng(5);
    const within: number[] = [];
    const between: number[] = [];
    for (let t = 0; t < 20000; t++) {
      const i = rng.int(n);
      const j = rng.int(n);
      if (i === j) continue;
      (d.items[i].metadata.category === d.items[j].metadata.category ? within : between).push(jaccard(words[i], words[j]));
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(within)).toBeGreaterThan(2 * mean(between));
    expect(mean(within)).toBeLessThan(0.6);
    for (const p of FAMILY_PLAN) {
      const templates = new Set(d.items.filter((it) => it.metadata.category === p.family.id).map((it) => it.metadata.template));
      expect(templates.size, p.family.id).toBeGreaterThanOrEqual(4);
    }
  });

  it('scores are 0/1/NaN and agree with the answer matrix', () => {
    const bad: string[] = [];
    let missing = 0;
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < n; i++) {
        const s = d.scores[k * n + i];
        const c = d.answers!.codes[k * n + i];
        const a = answerAt(d, k, i);
        const ok =
          s !== s
            ? c === ANSWER_MISSING
            : c === ANSWER_NONE
              ? s === 0
              : s === 1
                ? a === truth.items[i].answer
                : s === 0 && a !== null && truth.items[i].distractors.includes(a);
        if (s !== s) missing++;
        if (!ok && bad.length < 5) bad.push(`${d.models[k]} × ${d.items[i].id}: score ${s}, code ${c}, answer ${a}`);
      }
    }
    expect(bad).toEqual([]);
    expect(missing).toBe(truth.missing.totalMissingCells);
  });

  it('family sizes follow the plan; the two over-represented families hold ~40% of prompts', () => {
    const counts = familyCounts(n);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    FAMILY_PLAN.forEach((p, j) => expect(d.items.filter((it) => it.metadata.category === p.family.id).length).toBe(counts[j]));
    const over = d.items.filter((it) => (OVER_REPRESENTED as readonly string[]).includes(String(it.metadata.category))).length / n;
    expect(over).toBeGreaterThan(0.38);
    expect(over).toBeLessThan(0.42);
    const others = FAMILY_PLAN.filter((p) => !(OVER_REPRESENTED as readonly string[]).includes(p.family.id)).map((p) => d.items.filter((it) => it.metadata.category === p.family.id).length);
    expect(Math.max(...others)).toBeLessThan(0.1 * n);
  });

  it('works at the smallest and largest allowed sizes', () => {
    const small = gen(3, { models: LIMITS.models[0], prompts: LIMITS.prompts[0] });
    expect(small.dataset.models.length).toBe(12);
    expect(small.dataset.items.length).toBe(120);
    expect(small.truth.tricks.itemIds.length).toBeGreaterThanOrEqual(2);
    const big = gen(3, { models: 12, prompts: LIMITS.prompts[1] });
    expect(new Set(big.dataset.items.map((i) => i.text)).size).toBe(LIMITS.prompts[1]);
  });

  it('rejects out-of-range sizes with a clear error', () => {
    expect(() => gen(1, { models: 3 })).toThrow(/--models must be a whole number from 12 to 500/);
    expect(() => gen(1, { prompts: 1e6 })).toThrow(/--prompts must be a whole number/);
    expect(() => gen(1, { prompts: 150.5 })).toThrow(/--prompts/);
  });
});

describe('generateDemo: planted structure is recoverable', () => {
  it('prompts of one family co-vary more than prompts of different families (mean phi)', () => {
    const { dataset, truth } = demo(1);
    const groupOf = Object.fromEntries(truth.families.map((f) => [f.id, f.group]));
    const r = phiByRelation(dataset, truth.items.map((i) => i.family), groupOf);
    expect(r.within).toBeGreaterThan(r.between + 0.08);
    expect(r.within).toBeGreaterThan(r.sameGroup + 0.04);
    expect(r.between).toBeGreaterThan(0); // general ability makes every pair co-vary a little
  });

  it('the plain average tracks planted general ability', () => {
    const { dataset, truth } = demo(1);
    expect(pearson(modelMeans(dataset), truth.models.map((t) => t.ability))).toBeGreaterThan(0.7);
  });

  it('recorded uniform and family-balanced scores match a recomputation from the dataset', () => {
    const { dataset: d, truth } = demo(1);
    const n = d.items.length;
    const size = new Map<string, number>();
    for (const it of d.items) size.set(String(it.metadata.category), (size.get(String(it.metadata.category)) ?? 0) + 1);
    truth.models.forEach((t, k) => {
      let s = 0, c = 0, ws = 0, wc = 0;
      d.items.forEach((it, i) => {
        const v = d.scores[k * n + i];
        if (v !== v) return;
        const w = 1 / (size.size * size.get(String(it.metadata.category))!);
        s += v;
        c++;
        ws += w * v;
        wc += w;
      });
      expect(t.uniformScore).toBeCloseTo(s / c, 5);
      expect(t.balancedScore).toBeCloseTo(ws / wc, 5);
      // Apart from the few missing cells, that is the mean of the per-family means.
      const famMean = (f: string) => {
        const v = d.items.flatMap((it, i) => (it.metadata.category === f && d.scores[k * n + i] === d.scores[k * n + i] ? [d.scores[k * n + i]] : []));
        return v.reduce((x, y) => x + y, 0) / v.length;
      };
      const meanOfMeans = [...size.keys()].reduce((x, f) => x + famMean(f), 0) / size.size;
      expect(Math.abs(t.balancedScore - meanOfMeans)).toBeLessThan(t.archetype === 'partial' ? 0.02 : 0.003);
    });
    const byUniform = [...truth.models].sort((a, b) => b.uniformScore - a.uniformScore);
    expect(byUniform[0].uniformRank).toBe(1);
    for (const t of truth.models) expect(t.rankChange).toBe(t.uniformRank - t.balancedRank);
  });

  it.each([1, 2, 3])('seed %i: specialists drop and broad models rise under family-balanced weighting', (seed) => {
    const { truth } = demo(seed);
    const shift = (t: DemoTruth['models'][number]) => t.balancedScore - t.uniformScore;
    const gens = truth.models.filter((t) => t.archetype === 'generalist').map(shift).sort((a, b) => a - b);
    const median = gens[Math.floor(gens.length / 2)];
    const spec = truth.models.filter((t) => t.archetype === 'specialist');
    const broad = truth.models.filter((t) => t.archetype === 'broad');
    expect(spec.length).toBe(4);
    expect(broad.length).toBe(3);
    for (const t of spec) {
      expect(t.plantedDirection).toBe('drop');
      expect(shift(t), t.name).toBeLessThan(median - 0.02);
      expect(t.rankChange, t.name).toBeLessThan(0);
    }
    for (const t of broad) {
      expect(t.plantedDirection).toBe('rise');
      expect(shift(t), t.name).toBeGreaterThan(median + 0.02);
      expect(t.rankChange, t.name).toBeGreaterThanOrEqual(0);
    }
    expect(spec.reduce((s, t) => s + t.rankChange, 0) / spec.length).toBeLessThanOrEqual(-2);
    expect(broad.reduce((s, t) => s + t.rankChange, 0) / broad.length).toBeGreaterThanOrEqual(2);
    for (const t of spec) expect(t.expectedBalanced - t.expectedUniform).toBeLessThan(median);
    expect(truth.rankChanges.drop).toEqual(truth.models.filter((t) => t.rankChange <= -truth.rankChanges.threshold).map((t) => t.name));
  });

  it('trick prompts: nearly every model is wrong, with the same shared wrong answer', () => {
    const { dataset: d, truth } = demo(1);
    const n = d.items.length;
    expect(truth.tricks.itemIds.length).toBe(18);
    expect(new Set(truth.tricks.byItem.map((t) => t.family)).size).toBeGreaterThanOrEqual(6);
    let answered = 0, wrong = 0, shared = 0;
    for (const t of truth.tricks.byItem) {
      const i = d.items.findIndex((it) => it.id === t.id);
      let a = 0, w = 0, s = 0;
      for (let k = 0; k < d.models.length; k++) {
        const ans = answerAt(d, k, i);
        if (ans === null) continue;
        a++;
        if (ans !== t.answer) w++;
        if (ans === t.sharedDistractor) s++;
      }
      expect(w / a, t.id).toBeGreaterThanOrEqual(0.85);
      expect(s / w, t.id).toBeGreaterThanOrEqual(0.8);
      expect(t.wrongShare).toBeCloseTo(w / a, 3);
      answered += a;
      wrong += w;
      shared += s;
    }
    expect(wrong / answered).toBeGreaterThanOrEqual(0.9);
    expect(shared / wrong).toBeGreaterThanOrEqual(0.9);
    // Ordinary prompts almost never look like that: a shared wrong answer from ≥ 80% of models.
    const trickSet = new Set(truth.tricks.itemIds);
    let lookalikes = 0;
    d.items.forEach((it, i) => {
      if (trickSet.has(it.id)) return;
      const tally = new Map<string, number>();
      let a = 0;
      for (let k = 0; k < d.models.length; k++) {
        const ans = answerAt(d, k, i);
        if (ans === null) continue;
        a++;
        if (ans !== truth.items[i].answer) tally.set(ans, (tally.get(ans) ?? 0) + 1);
      }
      if (Math.max(0, ...tally.values()) >= 0.8 * a) lookalikes++;
    });
    expect(lookalikes).toBeLessThanOrEqual(3);
    void n;
  });

  it('format failures (no extractable answer) are concentrated in the planted families and models', () => {
    const { dataset: d, truth } = demo(1);
    const n = d.items.length;
    const famSet = new Set(truth.formatFailure.families);
    const prone = new Set(truth.formatFailure.models);
    expect(famSet).toEqual(new Set(['code-output', 'date-arithmetic']));
    let none = 0, inFam = 0;
    const rate = { prone: [0, 0], other: [0, 0] };
    for (let k = 0; k < d.models.length; k++) {
      for (let i = 0; i < n; i++) {
        const c = d.answers!.codes[k * n + i];
        if (c === ANSWER_MISSING) continue;
        const isNone = c === ANSWER_NONE ? 1 : 0;
        none += isNone;
        if (famSet.has(truth.items[i].family)) {
          inFam += isNone;
          const r = prone.has(d.models[k]) ? rate.prone : rate.other;
          r[0] += isNone;
          r[1]++;
        }
      }
    }
    expect(none).toBe(truth.formatFailure.noneCells);
    expect(inFam / none).toBeGreaterThan(0.85);
    expect(rate.prone[0] / rate.prone[1]).toBeGreaterThan(2.5 * (rate.other[0] / rate.other[1]));
  });

  it('format-sensitive prompts are recoverable by a simple rule (> 25% of models give no extractable answer)', () => {
    const { dataset: d, truth } = demo(1);
    const n = d.items.length;
    const sensitive = new Set(truth.formatFailure.sensitiveItems);
    expect(sensitive.size).toBeGreaterThan(30);
    for (const it of d.items) if (sensitive.has(it.id)) expect(truth.formatFailure.templates).toContain(it.metadata.template);
    let hit = 0, falsePos = 0;
    d.items.forEach((it, i) => {
      let answered = 0, none = 0;
      for (let k = 0; k < d.models.length; k++) {
        const c = d.answers!.codes[k * n + i];
        if (c === ANSWER_MISSING) continue;
        answered++;
        if (c === ANSWER_NONE) none++;
      }
      const tagged = none / answered > 0.25;
      if (tagged && sensitive.has(it.id)) hit++;
      if (tagged && !sensitive.has(it.id)) falsePos++;
    });
    expect(hit / sensitive.size).toBeGreaterThan(0.75);
    expect(falsePos).toBeLessThan(0.2 * sensitive.size);
  });

  it('missing cells: one model covers half the prompts, a sprinkle elsewhere, never stored as 0', () => {
    const { dataset: d, truth } = demo(1);
    const n = d.items.length;
    const k = d.models.indexOf(truth.missing.partialModel);
    expect(k).toBeGreaterThanOrEqual(0);
    let seen = 0;
    for (let i = 0; i < n; i++) if (d.scores[k * n + i] === d.scores[k * n + i]) seen++;
    expect(seen).toBe(n / 2);
    expect(truth.missing.partialObserved).toBe(n / 2);
    let others = 0;
    for (let j = 0; j < d.models.length; j++) {
      if (j === k) continue;
      for (let i = 0; i < n; i++) if (d.scores[j * n + i] !== d.scores[j * n + i]) others++;
    }
    expect(others).toBe(truth.missing.randomMissingCells);
    expect(others / ((d.models.length - 1) * n)).toBeGreaterThan(0.001);
    expect(others / ((d.models.length - 1) * n)).toBeLessThan(0.01);
    // No item loses every model.
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let j = 0; j < d.models.length; j++) if (d.scores[j * n + i] === d.scores[j * n + i]) c++;
      expect(c).toBeGreaterThan(30);
    }
  });
});
