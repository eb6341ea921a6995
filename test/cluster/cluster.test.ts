import { describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { adjustedRandIndex, pairwiseAri } from '../../pipeline/cluster/stability.ts';
import { silhouette, silhouetteFromDistances, pairwiseDistances } from '../../pipeline/cluster/silhouette.ts';
import { clusterPoints, DEFAULT_KMEANS_OPTIONS } from '../../pipeline/cluster/cluster.ts';
import { canonicalLabels } from '../../pipeline/cluster/kmeans.ts';
import { distinctiveWords, tokenize } from '../../pipeline/cluster/labels.ts';
import { categoryClustering, computeClusterings, MAX_PERFORMANCE_MODELS, performanceInferenceAssignments } from '../../pipeline/cluster/clusterings.ts';
import { performanceVectors } from '../../pipeline/cluster/performance.ts';
import type { Item } from '../../pipeline/core/dataset.ts';

describe('adjusted Rand index', () => {
  it('matches a hand-computed value', () => {
    // contingency [[2,1,0],[0,1,2]]: Σ C(nij,2) = 2, rows 6, cols 3, total 15 → (2 − 1.2)/(4.5 − 1.2)
    expect(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(0.8 / 3.3, 12);
  });
  it('is 1 for the same partition under other labels and ignores unassigned points', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2], [5, 5, 3, 3, 9])).toBeCloseTo(1, 12);
    expect(adjustedRandIndex([0, 0, 1, 1, -1], [1, 1, 0, 0, 0])).toBeCloseTo(1, 12);
  });
  it('is near 0 for independent random partitions', () => {
    const rng = createRng(4);
    const a = Array.from({ length: 4000 }, () => rng.int(5));
    const b = Array.from({ length: 4000 }, () => rng.int(5));
    expect(Math.abs(adjustedRandIndex(a, b))).toBeLessThan(0.01);
    expect(pairwiseAri([a, a, b]).pairs).toBe(3);
  });
});

describe('silhouette', () => {
  it('matches a hand-checked 1-D case', () => {
    // points 0,1 | 5,6: s = 4.5/5.5, 3.5/4.5, 3.5/4.5, 4.5/5.5
    const exp = (2 * (4.5 / 5.5) + 2 * (3.5 / 4.5)) / 4;
    expect(silhouette([0, 1, 5, 6], 4, 1, [0, 0, 1, 1])).toBeCloseTo(exp, 12);
  });
  it('gives a singleton cluster silhouette 0', () => {
    // points 0,1 | 10: s = 9/10, 8/9, 0
    expect(silhouette([0, 1, 10], 3, 1, [0, 0, 1])).toBeCloseTo((0.9 + 8 / 9) / 3, 12);
  });
  it('uses Euclidean distance in several dimensions', () => {
    const D = pairwiseDistances([0, 0, 3, 4], 2, [0, 1]);
    expect(D[1]).toBeCloseTo(5, 12);
    expect(silhouetteFromDistances(D, 2, [0, 0])).toBeNaN();
  });
});

function blobs(seed: number, perBlob: number, d: number, centers: number[][], spread = 0.3) {
  const rng = createRng(seed);
  const n = perBlob * centers.length;
  const data = new Float64Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % centers.length;
    truth[i] = c;
    for (let t = 0; t < d; t++) data[i * d + t] = centers[c][t] + spread * rng.normal();
  }
  return { data, truth, n };
}

describe('k-means with k chosen by silhouette', () => {
  const d = 5;
  const centers = [
    [0, 0, 0, 0, 0],
    [4, 0, 0, 0, 0],
    [0, 4, 0, 0, 0],
  ];
  it('recovers three well-separated blobs, stably, and deterministically', () => {
    const { data, truth, n } = blobs(1, 40, d, centers);
    const opt = { ...DEFAULT_KMEANS_OPTIONS, kMax: 6 };
    const c = clusterPoints(data, n, d, opt, createRng(7));
    expect(c.k).toBe(3);
    expect(c.kSelection).toBe('silhouette');
    expect(adjustedRandIndex(c.assignments, truth)).toBeCloseTo(1, 12);
    expect(c.stability.meanAri).toBeCloseTo(1, 12);
    expect(c.silhouette).toBeGreaterThan(0.7);
    expect(c.silhouetteByK.map((x) => x.k)).toEqual([2, 3, 4, 5, 6]);
    const again = clusterPoints(data, n, d, opt, createRng(7));
    expect(Array.from(again.assignments)).toEqual(Array.from(c.assignments));
    // medoid = member nearest the centroid
    for (let j = 0; j < c.k; j++) expect(c.assignments[c.medoids[j]]).toBe(j);
  });
  it('chooses k on a seeded sample when n exceeds the silhouette sample', () => {
    const { data, truth, n } = blobs(2, 200, d, centers);
    const c = clusterPoints(data, n, d, { ...DEFAULT_KMEANS_OPTIONS, kMax: 5, silhouetteSample: 150 }, createRng(3));
    expect(c.silhouettePoints).toBe(150);
    expect(c.k).toBe(3);
    expect(adjustedRandIndex(c.assignments, truth)).toBeCloseTo(1, 12);
  });
  it('above maxFitValues fits on a point sample and assigns every point to its nearest centroid; below, nothing changes', () => {
    const { data, truth, n } = blobs(4, 300, d, centers);
    const opt = { ...DEFAULT_KMEANS_OPTIONS, kMax: 5, silhouetteSample: 150 };
    const c = clusterPoints(data, n, d, { ...opt, maxFitValues: 200 * d }, createRng(3));
    expect(c.fitPoints).toBe(200);
    expect(c.assignments.length).toBe(n);
    expect(c.k).toBe(3);
    expect(adjustedRandIndex(c.assignments, truth)).toBeCloseTo(1, 12);
    let inertia = 0;
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) inertia += (data[i * d + t] - c.centroids[c.assignments[i] * d + t]) ** 2;
    expect(c.inertia).toBeCloseTo(inertia, 8);
    const below = clusterPoints(data, n, d, { ...opt, maxFitValues: n * d }, createRng(3));
    const plain = clusterPoints(data, n, d, opt, createRng(3));
    expect(below.fitPoints).toBeUndefined();
    expect(JSON.stringify(below)).toBe(JSON.stringify(plain));
  });
  it('reports low stability for structureless data', () => {
    const rng = createRng(5);
    const n = 300;
    const data = Float64Array.from({ length: n * 2 }, () => rng.next());
    const c = clusterPoints(data, n, 2, { ...DEFAULT_KMEANS_OPTIONS, k: 8 }, createRng(1));
    expect(c.kSelection).toBe('given');
    expect(c.stability.meanAri).toBeLessThan(0.95);
  });
  it('numbers clusters by decreasing size', () => {
    expect(Array.from(canonicalLabels([2, 2, 0, 1, 1, 1]).labels)).toEqual([1, 1, 2, 0, 0, 0]);
  });
});

describe('cluster labels', () => {
  it('finds each cluster’s distinctive words', () => {
    const texts = [
      'An apple and a banana in the fruit bowl',
      'Banana bread needs ripe banana and apple',
      'Fruit salad with apple pieces',
      'The rocket reached orbit after launch',
      'A rocket launch to orbit the moon',
      'Orbit insertion burn of the rocket',
    ];
    const words = distinctiveWords(texts, [0, 0, 0, 1, 1, 1], 2, 3);
    expect(words[0]).toContain('apple');
    expect(words[1]).toContain('rocket');
    expect(words[1]).toContain('orbit');
    expect(tokenize('The answer is 42, isn’t it?')).toEqual(['isn']);
  });
});

const item = (i: number, text: string | null, metadata: Item['metadata'] = {}): Item => ({ id: String(i), text, metadata, tags: [] });

describe('categories and performance clusters', () => {
  it('reads categories from metadata, grouping items without one', () => {
    const { clustering, note } = categoryClustering([item(0, null, { category: 'law' }), item(1, null, { category: 'math' }), item(2, null, {}), item(3, null, { category: 'law' })], 'category');
    expect(clustering!.labels).toEqual(['(none)', 'law', 'math']);
    expect(Array.from(clustering!.assignments)).toEqual([1, 2, 0, 1]);
    expect(clustering!.sizes).toEqual([1, 2, 1]);
    expect(note).toMatch(/1 items have no "category"/);
    expect(categoryClustering([item(0, null)], 'category').clustering).toBeNull();
  });

  it('recovers planted families of prompts from performance alone, leaving zero-variance prompts out', () => {
    // two families: models 0..9 good on family A, 10..19 on family B; plus 10 prompts every model gets right
    const m = 20;
    const perFam = 60;
    const n = 2 * perFam + 10;
    const rng = createRng(8);
    const scores = new Float64Array(m * n);
    const truth = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const fam = i < perFam ? 0 : i < 2 * perFam ? 1 : -1;
      truth[i] = fam;
      for (let k = 0; k < m; k++) {
        const p = fam < 0 ? 1 : (fam === 0) === k < 10 ? 0.9 : 0.1;
        scores[k * n + i] = rng.next() < p ? 1 : 0;
      }
    }
    const items = Array.from({ length: n }, (_, i) => item(i, null));
    const out = computeClusterings(
      { items, m, scores, embeddings: null, embeddingsMissingReason: 'the benchmark has no prompt text' },
      { kmeans: { ...DEFAULT_KMEANS_OPTIONS, kMax: 5 }, performanceK: null, categoryField: 'category' },
      createRng(2),
    );
    expect(out.semantic).toBeNull();
    expect(out.notes.join(' ')).toMatch(/no semantic clusters: the benchmark has no prompt text/);
    const p = out.performance!;
    expect(p.k).toBe(2);
    expect(p.unassigned).toBe(10);
    expect(adjustedRandIndex(p.assignments, truth)).toBeGreaterThan(0.95);
    for (let i = 2 * perFam; i < n; i++) expect(p.assignments[i]).toBe(-1);
  });

  it('beyond MAX_PERFORMANCE_MODELS models, performance vectors use a model sample and still find planted families', () => {
    const m = MAX_PERFORMANCE_MODELS + 100;
    const n = 90;
    const rng = createRng(8);
    const scores = new Float64Array(m * n);
    const truth = Int32Array.from({ length: n }, (_, i) => i % 3);
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) scores[k * n + i] = rng.next() < (k % 3 === truth[i] ? 0.85 : 0.2) ? 1 : 0;
    const out = computeClusterings(
      { items: Array.from({ length: n }, (_, i) => item(i, null)), m, scores, embeddings: null, embeddingsMissingReason: 'the benchmark has no prompt text' },
      { kmeans: { ...DEFAULT_KMEANS_OPTIONS, kMax: 5 }, performanceK: null, categoryField: 'category' },
      createRng(2),
    );
    expect(out.notes.join(' ')).toMatch(new RegExp(`seeded sample of ${MAX_PERFORMANCE_MODELS} of the ${m} models`));
    expect(out.performance!.k).toBe(3);
    expect(adjustedRandIndex(out.performance!.assignments, truth)).toBeCloseTo(1, 12);
  });

  it('the inference partition fits on a prompt sample above its cap and assigns every prompt', () => {
    const m = 20, n = 400;
    const rng = createRng(9);
    const scores = new Float64Array(m * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) scores[k * n + i] = rng.next() < (k % 4 === i % 4 ? 0.9 : 0.15) ? 1 : 0;
    const pv = performanceVectors(scores, m, n);
    const full = performanceInferenceAssignments(pv, m, n, 4, createRng(1), 100).assignments;
    const { assignments: sampled, fitPoints } = performanceInferenceAssignments(pv, m, n, 4, createRng(1), 100, 100 * m);
    expect(fitPoints).toBe(100);
    expect(Array.from(sampled).every((g) => g >= 0 && g < 4)).toBe(true);
    expect(adjustedRandIndex(sampled, full)).toBeGreaterThan(0.95);
    expect(adjustedRandIndex(sampled, Int32Array.from({ length: n }, (_, i) => i % 4))).toBeGreaterThan(0.95);
  });

  it('labels semantic clusters and picks medoids from embeddings', () => {
    const texts = ['apple banana fruit', 'banana apple smoothie', 'apple fruit pie', 'rocket orbit launch', 'rocket launch pad', 'orbit rocket fuel'];
    const dims = 3;
    const vectors = new Float32Array([1, 0, 0, 0.99, 0.1, 0, 0.98, 0, 0.1, 0, 1, 0, 0.1, 0.99, 0, 0, 0.98, 0.1]);
    const out = computeClusterings(
      { items: texts.map((t, i) => item(i, t)), m: 1, scores: new Float64Array(6), embeddings: { vectors, dims } },
      { kmeans: { ...DEFAULT_KMEANS_OPTIONS, kMax: 2 }, performanceK: null, categoryField: 'category' },
      createRng(1),
    );
    const s = out.semantic!;
    expect(s.k).toBe(2);
    const fruit = s.assignments[0];
    expect(s.labels[fruit]).toMatch(/apple/);
    expect(s.labels[1 - fruit]).toMatch(/rocket/);
    expect(s.examples![fruit].length).toBe(2);
    expect(s.medoids!.length).toBe(2);
  });
});
