/**
 * Near-duplicate prompts (benchmark hygiene): pairs whose embedding cosine is at or above a
 * threshold. With the exact method every pair is checked; with HNSW only pairs within each prompt's
 * k nearest neighbours can be found (the artifact says which).
 */
import type { DuplicatePair, TopK } from './exact.ts';

export interface DuplicateRecord {
  a: string;
  b: string;
  cosine: number;
  /** First characters of each text, to eyeball the pair. */
  aText: string;
  bText: string;
}

export const PREVIEW_CHARS = 80;

/** Pairs i < j from a kNN graph with cosine ≥ threshold (each pair once). */
export function duplicatesFromGraph(g: TopK, threshold: number): DuplicatePair[] {
  const seen = new Set<string>();
  const out: DuplicatePair[] = [];
  for (let i = 0; i < g.n; i++) {
    for (let c = 0; c < g.k; c++) {
      const j = g.neighbors[i * g.k + c];
      const s = g.similarities[i * g.k + c];
      if (j < 0 || !(s >= threshold)) continue;
      const a = Math.min(i, j);
      const b = Math.max(i, j);
      const key = `${a},${b}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ a, b, cosine: s });
    }
  }
  return out;
}

/** Most similar first; ties by (a, b) so the list is deterministic. */
export function sortPairs(pairs: DuplicatePair[]): DuplicatePair[] {
  return pairs.sort((x, y) => y.cosine - x.cosine || x.a - y.a || x.b - y.b);
}

function preview(t: string | null): string {
  const s = (t ?? '').replace(/\s+/g, ' ').trim();
  return s.length > PREVIEW_CHARS ? s.slice(0, PREVIEW_CHARS - 1) + '…' : s;
}

export function duplicateRecords(pairs: DuplicatePair[], ids: string[], texts: (string | null)[], limit: number): DuplicateRecord[] {
  return sortPairs(pairs)
    .slice(0, limit)
    .map((p) => ({ a: ids[p.a], b: ids[p.b], cosine: round6(p.cosine), aText: preview(texts[p.a]), bText: preview(texts[p.b]) }));
}

/** Six decimals: stable JSON across platforms' last-bit float differences. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Connected groups of near-duplicates (union-find), largest first: "these 12 prompts are one template". */
export function duplicateGroups(pairs: DuplicatePair[], n: number): number[][] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const p of pairs) {
    const ra = find(p.a);
    const rb = find(p.b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const groups = new Map<number, Set<number>>();
  for (const p of pairs) for (const x of [p.a, p.b]) {
    const r = find(x);
    const g = groups.get(r) ?? new Set<number>();
    g.add(x);
    groups.set(r, g);
  }
  return [...groups.values()].map((g) => [...g].sort((a, b) => a - b)).sort((a, b) => b.length - a.length || a[0] - b[0]);
}
