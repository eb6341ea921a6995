import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { categoryClustering, computeClusterings, inferenceClustering, inferenceK } from '../../pipeline/cluster/clusterings.ts';
import { DEFAULT_KMEANS_OPTIONS } from '../../pipeline/cluster/cluster.ts';
import type { Item } from '../../pipeline/core/dataset.ts';

const items = (n: number, category?: (i: number) => string): Item[] =>
  Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: null, metadata: category ? { category: category(i) } : ({} as Record<string, string>), tags: [] }));

/** m × n scores: prompt i right for models k < 1 + (31i mod (m − 1)) (so it varies); prompts ≡ 0 (mod 7) all right, ≡ 1 (mod 7) all wrong. */
function scoresFor(m: number, n: number): Float64Array {
  const s = new Float64Array(m * n);
  for (let k = 0; k < m; k++)
    for (let i = 0; i < n; i++) s[k * n + i] = i % 7 === 0 ? 1 : i % 7 === 1 ? 0 : k < 1 + ((i * 31) % (m - 1)) ? 1 : 0;
  return s;
}

describe('inference partition', () => {
  it('k ≈ √n bounded to [30, 200], at most n/3', () => {
    expect(inferenceK(400)).toBe(30);
    expect(inferenceK(12_032)).toBe(110);
    expect(inferenceK(1_319)).toBe(36);
    expect(inferenceK(90_000)).toBe(200);
    expect(inferenceK(60)).toBe(20);
    expect(inferenceK(5)).toBe(1);
  });

  it('with embeddings: semantic k-means at inferenceK(n), every prompt assigned, independent of the display clustering', () => {
    const n = 400;
    const dims = 4;
    const rng = createRng(2);
    const vectors = Float32Array.from({ length: n * dims }, () => rng.normal());
    const withText = items(n).map((it, i) => ({ ...it, text: `prompt ${i}` }));
    const c = computeClusterings({ items: withText, m: 3, scores: scoresFor(3, n), embeddings: { vectors, dims } }, { kmeans: { ...DEFAULT_KMEANS_OPTIONS, kMax: 4, restarts: 2 }, performanceK: 2, categoryField: 'category' }, createRng(1));
    expect(c.semantic!.k).toBeLessThanOrEqual(4);
    const inf = c.inference!;
    expect(inf.kind).toBe('inference');
    expect(inf.basis).toBe('semantic');
    expect(inf.k).toBe(30);
    expect(inf.sizes.reduce((a, b) => a + b, 0)).toBe(n);
    expect(Math.min(...inf.assignments)).toBe(0);
    expect(inf.reason).toMatch(/semantic k-means/);
  });

  it('without embeddings: the given categories when there are at least 30, else performance clusters with constant prompts grouped by score', () => {
    const n = 420;
    const m = 12;
    const scores = scoresFor(m, n);
    const many = items(n, (i) => `cat${i % 35}`);
    const cat = categoryClustering(many, 'category').clustering!;
    const byCat = inferenceClustering({ items: many, m, scores, embeddings: null }, cat, createRng(1), 50)!;
    expect(byCat.basis).toBe('category');
    expect(byCat.k).toBe(35);
    expect(Array.from(byCat.assignments)).toEqual(Array.from(cat.assignments));

    const few = items(n, (i) => `cat${i % 4}`);
    const fewCat = categoryClustering(few, 'category').clustering!;
    const byPerf = inferenceClustering({ items: few, m, scores, embeddings: null }, fewCat, createRng(1), 50)!;
    expect(byPerf.basis).toBe('performance');
    expect(byPerf.reason).toContain('only 4 given categories');
    expect(Math.min(...byPerf.assignments)).toBe(0);
    // All-right prompts share one cluster, all-wrong prompts another, and no varying prompt is in either.
    const right = new Set(Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 === 0).map((i) => byPerf.assignments[i]));
    const wrong = new Set(Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 === 1).map((i) => byPerf.assignments[i]));
    expect(right.size).toBe(1);
    expect(wrong.size).toBe(1);
    const [r] = right;
    const [w] = wrong;
    expect(r).not.toBe(w);
    for (let i = 0; i < n; i++) if (i % 7 > 1) expect([r, w]).not.toContain(byPerf.assignments[i]);
    expect(byPerf.k).toBeGreaterThanOrEqual(3);
    expect(byPerf.k).toBeLessThanOrEqual(inferenceK(n) + 2);
  });

  it('is null for a handful of prompts', () => {
    expect(inferenceClustering({ items: items(5), m: 3, scores: scoresFor(3, 5), embeddings: null }, null, createRng(1), 50)).toBeNull();
  });
});
