/**
 * The fast paths of the reweight bootstrap (bit-bootstrap.ts, wild-batch.ts) against the exact ones
 * they replace at and above the size threshold: equal to 1e-12, and the exact forms unchanged.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createRng } from '../../pipeline/core/rng.ts';
import { bootstrapScores, prepare, wildBootstrapScores, wildInterval, wildSetup, wildWeightsFor, type WildSetup } from '../../pipeline/reweight/bootstrap.ts';
import { bitBootstrapConfig, bitBootstrapScores, packBits, type BitBootstrapStats } from '../../pipeline/reweight/bit-bootstrap.ts';
import { quantileBySelection, wildIntervals, wildReplicatesFast } from '../../pipeline/reweight/wild-batch.ts';
import { quantileSorted } from '../../pipeline/core/stats.ts';
import { computeReweighting } from '../../pipeline/reweight/reweight.ts';
import { weightedScores } from '../../pipeline/reweight/scores.ts';
import { clusteringOf } from './helpers.ts';
// @ts-expect-error: plain .mjs build script without types
import { assembleWat, wasmModuleSource } from '../../scripts/build-wasm.mjs';

const kernelDir = fileURLToPath(new URL('../../pipeline/reweight/kernel/', import.meta.url));
const savedConfig = { ...bitBootstrapConfig };
afterEach(() => void Object.assign(bitBootstrapConfig, savedConfig));

/** m × n 0/1 scores, `missing` share NaN; model 1 misses most prompts, model 2 all of them. */
function binaryMatrix(seed: number, m: number, n: number, missing: number): Float64Array {
  const rng = createRng(seed);
  const scores = new Float64Array(m * n);
  for (let k = 0; k < m; k++) {
    const skill = 0.2 + 0.6 * rng.next();
    for (let i = 0; i < n; i++) {
      const gone = k === 2 || (k === 1 ? rng.next() < 0.9 : rng.next() < missing);
      scores[k * n + i] = gone ? NaN : rng.next() < skill ? 1 : 0;
    }
  }
  return scores;
}

/** Uniform, random, zero on every third prompt and on a whole run of groups, and all weight on 3 prompts. */
function schemes(seed: number, n: number): Float64Array[] {
  const rng = createRng(seed);
  const uniform = new Float64Array(n).fill(1 / n);
  const random = Float64Array.from({ length: n }, () => rng.next());
  const holes = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 || (i >= 40 && i < 120) ? 0 : 0.5 + rng.next()));
  const three = new Float64Array(n);
  three[1] = 0.5;
  three[n - 1] = 0.3;
  three[17] = 0.2;
  return [uniform, random, holes, three];
}

/** Largest |a − b| / |a| over the entries, after checking that NaNs sit in the same places. */
function maxRelDiff(a: Float64Array, b: Float64Array): number {
  expect(b.length).toBe(a.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    expect(Number.isNaN(b[i]), `entry ${i}`).toBe(Number.isNaN(a[i]));
    if (a[i] === a[i]) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-300));
  }
  return worst;
}

describe('bit-packed bootstrap', () => {
  it('the committed kernel is the assembled replicate-sums.wat (run npm run build:wasm after editing it)', async () => {
    const bytes: Buffer = await assembleWat(kernelDir + 'replicate-sums.wat');
    expect(readFileSync(kernelDir + 'replicate-sums-wasm.ts', 'utf8')).toBe(wasmModuleSource('replicate-sums', bytes));
  });

  it('packs only 0/1 matrices; the threshold decides between the packed and the item-major form', () => {
    const scores = binaryMatrix(1, 5, 21, 0.1);
    const w = [new Float64Array(21).fill(1 / 21)];
    const below = prepare({ m: 5, n: 21, scores, weights: w }, 106);
    expect(below.bits).toBeNull();
    expect(below.scoresT).not.toBeNull();
    expect(below.large).toBe(false);
    const above = prepare({ m: 5, n: 21, scores, weights: w }, 105);
    expect(above.bits).not.toBeNull();
    expect(above.scoresT).toBeNull();
    expect(above.large).toBe(true);
    // Missing lists are the same either way.
    expect(above.missing.map((x) => [...x])).toEqual(below.missing.map((x) => [...x]));
    expect(above.incomplete).toEqual(below.incomplete);
    const graded = Float64Array.from(scores);
    graded[7] = 0.5;
    expect(packBits(graded, 5, 21)).toBeNull();
    const large = prepare({ m: 5, n: 21, scores: graded, weights: w }, 0);
    expect(large.bits).toBeNull();
    expect(large.scoresT).not.toBeNull();
    expect(large.large).toBe(true);
  });

  it('a packed byte holds a model’s 8 scores of a prompt group; missing cells are listed per group', () => {
    const m = 3;
    const n = 10;
    // prompts 0..9 of model 0: 1 0 1 1 NaN 0 0 1 | 1 NaN; model 2 has only prompts 2 and 8.
    const scores = new Float64Array(m * n);
    scores.set([1, 0, 1, 1, NaN, 0, 0, 1, 1, NaN], 0);
    scores[n + 9] = 1;
    scores.set([NaN, NaN, 1, NaN, NaN, NaN, NaN, NaN, 0, NaN], 2 * n);
    const packed = packBits(scores, m, n)!;
    expect(packed.bits.groups).toBe(2);
    expect(packed.bits.bytes[0 * m + 0]).toBe(0b10001101);
    expect(packed.bits.bytes[1 * m + 0]).toBe(0b01);
    expect(packed.bits.bytes[1 * m + 1]).toBe(0b10);
    // Model 2 misses more than half: its observed prompts are listed instead.
    expect([...packed.bits.observedOnly]).toEqual([2]);
    expect([...packed.bits.missStart]).toEqual([0, 2, 4]);
    expect([...packed.bits.missEntries]).toEqual([(0 << 8) | 0b10000, (2 << 8) | 0b100, (0 << 8) | 0b10, (2 << 8) | 0b1]);
    expect([...packed.missing[0]]).toEqual([4, 9]);
    expect([...packed.missing[2]]).toEqual([0, 1, 3, 4, 5, 6, 7, 9]);
  });

  // 29 models × 203 prompts (not a multiple of 8), B = 37 (not a multiple of 16).
  const m = 29;
  const n = 203;
  const B = 37;
  const scores = binaryMatrix(3, m, n, 0.05);
  const weights = schemes(4, n);
  const of = Int32Array.from({ length: n }, (_, i) => (i * 7) % 23);
  const clusters = { of, C: 23 };

  it.each(['prompt', 'cluster'] as const)('%s bootstrap: the same replicate scores as replicateScores to 1e-12, zero weights and missing cells included', (kind) => {
    const exact = bootstrapScores(prepare({ m, n, scores, weights }, Infinity), kind, B, createRng(5), kind === 'cluster' ? clusters : null);
    let ticks = 0;
    bitBootstrapConfig.threads = 1;
    const packed = prepare({ m, n, scores, weights }, 0);
    expect(packed.bits).not.toBeNull();
    const fast = bootstrapScores(packed, kind, B, createRng(5), kind === 'cluster' ? clusters : null, () => ticks++);
    expect(ticks).toBe(B);
    weights.forEach((_, s) => expect(maxRelDiff(exact[s], fast[s]), `scheme ${s}`).toBeLessThan(1e-12));
    // Model 2 has no results: NaN throughout; model 1 has a few.
    expect(fast[0][2]).toBeNaN();
    expect(Number.isFinite(fast[0][1])).toBe(true);
  });

  it('a worker thread computes some blocks; the scores are the same', () => {
    const exact = bootstrapScores(prepare({ m, n, scores, weights }, Infinity), 'prompt', 80, createRng(6), null);
    Object.assign(bitBootstrapConfig, { threads: 2, minWorkerLookups: 0, waitForWorker: true });
    const packed = prepare({ m, n, scores, weights }, 0);
    const stats: BitBootstrapStats = { workerBlocks: 0, workerError: null };
    let ticks = 0;
    const fast = bitBootstrapScores({ bits: packed.bits!, weights, incomplete: packed.incomplete }, 'prompt', 80, createRng(6), null, () => ticks++, stats);
    expect(stats.workerError).toBeNull();
    expect(stats.workerBlocks).toBeGreaterThan(0);
    expect(ticks).toBe(80);
    weights.forEach((_, s) => expect(maxRelDiff(exact[s], fast[s]), `scheme ${s}`).toBeLessThan(1e-12));
  });
});

/** The item-major loop wildSetup used before it read the row-major scores (the reference for exact equality). */
function itemMajorWildSetup(scores: Float64Array, m: number, n: number, weights: Float64Array[], of: Int32Array, C: number, point: Float64Array[]): { residuals: Float64Array[]; shares: Float64Array[] } {
  const residuals: Float64Array[] = [];
  const shares: Float64Array[] = [];
  weights.forEach((w, s) => {
    const e = new Float64Array(C * m);
    const W = new Float64Array(C * m);
    const den = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      if (w[i] === 0) continue;
      for (let k = 0; k < m; k++) {
        const v = scores[k * n + i];
        if (v !== v) continue;
        den[k] += w[i];
        W[of[i] * m + k] += w[i];
        e[of[i] * m + k] += w[i] * (v - point[s][k]);
      }
    }
    for (let q = 0; q < C * m; q++) {
      const d = den[q % m];
      e[q] = d > 0 ? e[q] / d : 0;
      W[q] = d > 0 ? W[q] / d : 0;
    }
    residuals.push(e);
    shares.push(W);
  });
  return { residuals, shares };
}

describe('wild cluster bootstrap, batched', () => {
  function wildCase(C: number, seed: number) {
    const m = 21;
    const n = 300;
    const rng = createRng(seed);
    const scores = binaryMatrix(seed, m, n, 0.05);
    // A graded score too: the wild forms do not need 0/1.
    scores[5 * n + 3] = 0.25;
    const of = Int32Array.from({ length: n }, (_, i) => (i < C ? i : rng.int(C)));
    const weights = schemes(seed + 1, n);
    const prepared = prepare({ m, n, scores, weights });
    const point = weights.map((w) => weightedScores(scores, m, n, w).score);
    const setup = wildSetup(prepared, { of, C }, point);
    const { replicates, draws } = wildBootstrapScores(setup, m, 150, wildWeightsFor(C), createRng(seed + 2));
    return { m, n, scores, of, weights, point, setup, replicates, draws };
  }

  it('quantiles by selection are those of the sorted values, ties and all', () => {
    const rng = createRng(12);
    for (const n of [1, 2, 3, 10, 99, 1000]) {
      for (const levels of [2, 5, 1e9]) {
        const values = Float64Array.from({ length: n }, () => Math.floor(rng.next() * levels) - levels / 2);
        const sorted = Float64Array.from(values).sort();
        for (const q of [0, 0.025, 0.5, 0.975, 1]) expect(quantileBySelection(Float64Array.from(values), q), `n ${n}, q ${q}`).toBe(quantileSorted(sorted, q));
      }
    }
  });

  it('wildSetup from the row-major scores equals the item-major loop exactly', () => {
    const { m, n, scores, of, weights, point, setup } = wildCase(17, 8);
    const ref = itemMajorWildSetup(scores, m, n, weights, of, 17, point);
    weights.forEach((_, s) => {
      expect(setup.residuals[s]).toEqual(ref.residuals[s]);
      expect(setup.shares[s]).toEqual(ref.shares[s]);
    });
  });

  /** Every interval of wildIntervals next to wildInterval's: [mine, reference, the contrast's se]. */
  function compare(setup: WildSetup, draws: Float64Array, m: number, schemesCount: number): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (let s = 0; s < schemesCount; s++) {
      const got = wildIntervals(setup, draws, s, s > 0 ? 0 : null);
      expect(got.deltaLow === null).toBe(s === 0);
      for (let k = 0; k < m; k++) {
        const a = wildInterval(setup, draws, [{ scheme: s, model: k, coef: 1 }]);
        out.push([got.low[k], a.low, a.se], [got.high[k], a.high, a.se]);
        if (s > 0) {
          const d = wildInterval(setup, draws, [
            { scheme: s, model: k, coef: 1 },
            { scheme: 0, model: k, coef: -1 },
          ]);
          out.push([got.deltaLow![k], d.low, d.se], [got.deltaHigh![k], d.high, d.se]);
        }
      }
    }
    return out;
  }

  it.each([
    [31, 'Rademacher'],
    [7, 'Webb'],
  ])('exact form (%i clusters, %s): the numbers of wildInterval to the last bit', (C) => {
    const { m, weights, setup, draws } = wildCase(C, C);
    expect(setup.fast).toBe(false);
    const pairs = compare(setup, draws, m, weights.length);
    expect(pairs.some(([x]) => Number.isFinite(x))).toBe(true);
    for (const [mine, ref] of pairs) expect(Object.is(mine, ref) || (Number.isNaN(mine) && Number.isNaN(ref))).toBe(true);
  });

  it.each([
    [31, 'Rademacher'],
    [7, 'Webb'],
    [2, 'Webb, two clusters (expansion cancels: exact fallback)'],
  ])('fast form (%i clusters, %s): wildInterval’s intervals to 1e-12', (C) => {
    const { m, weights, setup, draws } = wildCase(C, 40 + C);
    const fast = { ...setup, fast: true };
    let finite = 0;
    for (const [mine, ref, se] of compare(fast, draws, m, weights.length)) {
      expect(Number.isNaN(mine)).toBe(Number.isNaN(ref));
      if (Number.isNaN(ref)) continue;
      finite++;
      expect(Math.abs(mine - ref)).toBeLessThanOrEqual(1e-12 * (Math.abs(ref) + se));
    }
    expect(finite).toBeGreaterThan(0);
  });

  it('two equal clusters: a replicate with opposite draws has no residual variation, and the fast form agrees', () => {
    // Model 0: cluster 0 all right, cluster 1 all wrong, equal weights: e = (¼, −¼), W = (½, ½); draws
    // (v, −v) make every studentising residual exactly 0 (t* = 0), which the expansion cannot see.
    const n = 8;
    const scores = Float64Array.from([1, 1, 1, 1, 0, 0, 0, 0]);
    const of = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const w = [new Float64Array(n).fill(1 / n)];
    const setup = wildSetup(prepare({ m: 1, n, scores, weights: w }), { of, C: 2 }, [weightedScores(scores, 1, n, w[0]).score]);
    const draws = Float64Array.from([1, -1, -1, 1, Math.sqrt(0.5), -Math.sqrt(0.5), 1, 1, -Math.sqrt(1.5), 1]);
    const ref = wildInterval(setup, draws, [{ scheme: 0, model: 0, coef: 1 }]);
    const got = wildIntervals({ ...setup, fast: true }, draws, 0, null);
    expect(Number.isFinite(ref.low)).toBe(true);
    expect(Math.abs(got.low[0] - ref.low)).toBeLessThanOrEqual(1e-12 * (Math.abs(ref.low) + ref.se));
    expect(Math.abs(got.high[0] - ref.high)).toBeLessThanOrEqual(1e-12 * (Math.abs(ref.high) + ref.se));
  });

  it.each([31, 7])('fast replicates (%i clusters) equal the exact ones to 1e-12, same draws', (C) => {
    const { m, setup, replicates, draws } = wildCase(C, 60 + C);
    const fast = wildReplicatesFast(setup, m, draws);
    replicates.forEach((r, s) => expect(maxRelDiff(r, fast[s])).toBeLessThan(1e-12));
    // And through wildBootstrapScores: same rng use, so the same draws.
    const again = wildBootstrapScores({ ...setup, fast: true }, m, 150, wildWeightsFor(C), createRng(60 + C + 2));
    expect(again.draws).toEqual(draws);
    replicates.forEach((r, s) => expect(maxRelDiff(r, again.replicates[s])).toBeLessThan(1e-12));
  });
});

/** Every number of b within 1e-12 (relative, or absolute below 1) of a's; everything else equal. */
function expectNumbersClose(a: unknown, b: unknown, path = 'result'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) expect(b, path).toBeNaN();
    else expect(Math.abs(a - b), `${path}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a)));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(b as object), path).toEqual(Object.keys(a as object));
    for (const key of Object.keys(a as object)) expectNumbersClose((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
  } else expect(b, path).toEqual(a);
}

describe('computeReweighting with the threshold forced low', () => {
  // Models far apart in skill, so that no two tie in a replicate (a tie between equal counts is
  // broken by rounding, differently on each path, and would move ranks by whole steps).
  const m = 6;
  const n = 301;
  const rng = createRng(11);
  const scores = new Float64Array(m * n);
  for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) scores[k * n + i] = rng.next() < 0.03 ? NaN : rng.next() < 0.08 + 0.16 * k ? 1 : 0;
  const run = (G: number, clusterMethod: 'wild' | 'pairs') => {
    const assignments = Int32Array.from({ length: n }, (_, i) => i % G);
    const truth = clusteringOf('semantic', assignments);
    return computeReweighting(
      { models: ['a', 'b', 'c', 'd', 'e', 'f'], scores, clusterings: { semantic: truth, performance: null, category: null, inference: { ...truth, kind: 'inference', basis: 'semantic', reason: 'test' } }, knn: null, targetMix: null },
      { schemes: ['uniform', 'cluster-balanced'], bootstrap: 45, topK: 2, correlationSample: 10, clusterSource: 'auto', clusterMethod },
      createRng(3),
    ).result;
  };

  it.each([
    [40, 'wild' as const],
    [9, 'wild' as const],
    [9, 'pairs' as const],
  ])('%i clusters, %s: the exact path’s result to 1e-12', (G, method) => {
    bitBootstrapConfig.threads = 1;
    bitBootstrapConfig.minCells = Infinity;
    const exact = run(G, method);
    bitBootstrapConfig.minCells = 0;
    const fast = run(G, method);
    expect(fast.schemes[1].models[0].clusterCiLow).not.toBeNull();
    expectNumbersClose(exact, fast);
  });
});
