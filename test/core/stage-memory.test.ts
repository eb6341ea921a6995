/**
 * The memory guard of the stages after correlate (irt, cluster, reweight, explain): over budget,
 * each stops with one line naming the size before loading the matrix, and writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { silentReporter } from '../../pipeline/core/progress.ts';
import type { StageContext, StageModule } from '../../pipeline/core/stage.ts';
import { matrixStageEstimate } from '../../pipeline/core/memory.ts';
import { replicateBytes } from '../../pipeline/reweight/reweight.ts';
import type { Clustering, Clusterings } from '../../pipeline/cluster/index.ts';
import { stage as irt } from '../../pipeline/irt/stage.ts';
import { stage as cluster } from '../../pipeline/cluster/stage.ts';
import { stage as reweight } from '../../pipeline/reweight/stage.ts';
import { stage as explain } from '../../pipeline/explain/stage.ts';

/** A 6 × 8 text-free benchmark "b" in a fresh store. */
async function savedBenchmark(): Promise<ArtifactStore> {
  const store = new ArtifactStore(await mkdtemp(join(tmpdir(), 'covary-guard-')));
  const m = 6, n = 8;
  const scores = Float64Array.from({ length: m * n }, (_, q) => ((q * 7) % 5 < 2 ? 1 : 0));
  await store.saveDataset(
    { name: 'b', models: Array.from({ length: m }, (_, k) => `m${k}`), items: Array.from({ length: n }, (_, i) => ({ id: `p${i}`, text: null, metadata: {}, tags: [] })), scores, answers: null },
    { format: 'test', counts: { models: m, items: n, cells: m * n, missingCells: 0, itemsWithText: 0, binary: true, hasAnswers: false }, sources: [], dropped: [], coverage: {}, options: {} },
  );
  return store;
}

describe('memory guard of the matrix-sized stages', () => {
  it('irt, cluster, reweight and explain stop before loading the matrix when over budget', async () => {
    const store = await savedBenchmark();
    const ctx: StageContext = { store, reportsDir: '/tmp', seed: 1, reporter: silentReporter, force: false, commandLine: 'test', memoryBudget: 2 ** 20 };
    for (const [name, s] of [['irt', irt], ['cluster', cluster], ['explain', explain]] as [string, StageModule][]) {
      const err = await s.run(ctx, 'b', {}).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(CovaryError);
      expect((err as CovaryError).toLine()).toMatch(new RegExp(`^${name}: 6 models × 8 prompts \\(48 cells\\) needs about \\d+ MiB of memory, more than the 1 MiB available \\(analyse fewer models or prompts`));
      expect(existsSync(store.stagePath('b', name))).toBe(false);
    }
    // reweight needs the clusterings first; its estimate names the bootstrap it is sized by.
    await cluster.run({ ...ctx, memoryBudget: undefined }, 'b', {});
    const err = await reweight.run(ctx, 'b', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect((err as CovaryError).toLine()).toMatch(/^reweight: 6 models × 8 prompts \(48 cells\) with 1,000 bootstrap replicates of \d schemes needs about \d+ MiB of memory, more than the 1 MiB available \(lower --bootstrap or name fewer --schemes, or analyse fewer models or prompts/);
    expect(existsSync(store.stagePath('b', 'reweight'))).toBe(false);
  });

  it('reweight grows with --bootstrap, and a cached result (cluster, reweight, explain) is reused whatever the budget', async () => {
    const store = await savedBenchmark();
    // 300 MiB: the process base (220 MiB) and 6 × 8 cells fit; 10⁶ replicates of 6 models (≥ 8 × 10⁶ × 6 × 6 bytes) do not.
    const ctx: StageContext = { store, reportsDir: '/tmp', seed: 1, reporter: silentReporter, force: false, commandLine: 'test', memoryBudget: 300 * 2 ** 20 };
    await cluster.run(ctx, 'b', {});
    const err = await reweight.run(ctx, 'b', { bootstrap: 1_000_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect((err as CovaryError).toLine()).toMatch(/^reweight: .* with 1,000,000 bootstrap replicates of \d schemes needs about/);
    expect((await reweight.run(ctx, 'b', { bootstrap: 20 })).status).toBe('computed');
    const tiny = { ...ctx, memoryBudget: 2 ** 20 };
    expect((await reweight.run(tiny, 'b', { bootstrap: 20 })).status).toBe('cached');
    expect((await cluster.run(tiny, 'b', {})).status).toBe('cached');
    expect((await explain.run(ctx, 'b', { permutations: 19 })).status).toBe('computed');
    expect((await explain.run(tiny, 'b', { permutations: 19 })).status).toBe('cached');
  });

  it('grows with models × prompts: 5,000 × 30,000 at 3 matrices is 3.4 GiB', () => {
    expect(matrixStageEstimate(5000, 30000, 3).bytes / 2 ** 30).toBeCloseTo((220 * 2 ** 20 + 3 * 8 * 1.5e8) / 2 ** 30, 6);
    expect(matrixStageEstimate(5000, 30000, 3).size).toBe('5,000 models × 30,000 prompts (1.5e8 cells)');
  });

  it('reweight replicate bytes: 2S + 2 matrices of B × m, S more with few clusters, plus the wild bootstrap\'s cluster sums', () => {
    const m = 100, B = 1000, S = 3;
    const inference = (C: number, unassigned = 0): Clusterings => {
      const assignments = Int32Array.from({ length: 600 }, (_, i) => (i < unassigned ? -1 : i % C));
      return { semantic: null, performance: null, category: null, inference: { k: C, assignments } as unknown as Clustering };
    };
    const o = { bootstrap: B, clusterSource: 'auto' as const, clusterMethod: 'wild' as const };
    const none: Clusterings = { semantic: null, performance: null, category: null, inference: null };
    expect(replicateBytes(m, S, none, o)).toBe(8 * B * m * (2 * S + 2));
    expect(replicateBytes(m, S, inference(30), o)).toBe(8 * (B * m * (2 * S + 2) + 2 * S * 30 * m + B * 30));
    expect(replicateBytes(m, S, inference(5), o)).toBe(8 * (B * m * (3 * S + 2) + 2 * S * 5 * m + B * 5));
    // Unassigned prompts are singleton clusters: 5 groups and 100 unassigned prompts are 105 clusters.
    expect(replicateBytes(m, S, inference(5, 100), o)).toBe(8 * (B * m * (2 * S + 2) + 2 * S * 105 * m + B * 105));
    expect(replicateBytes(m, S, inference(5), { ...o, clusterMethod: 'pairs' })).toBe(8 * B * m * (2 * S + 2));
  });
});
