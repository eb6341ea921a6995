import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { collectingReporter } from '../../pipeline/core/progress.ts';
import { createRng } from '../../pipeline/core/rng.ts';
import type { StageContext } from '../../pipeline/core/stage.ts';
import { stage } from '../../pipeline/explain/stage.ts';
import { loadExplanation, type ExplainResult } from '../../pipeline/explain/index.ts';
import { simulateScores } from './helpers.ts';

const manifestParts = (m: number, n: number) => ({
  format: 'test',
  counts: { models: m, items: n, cells: m * n, missingCells: 0, itemsWithText: n, binary: true, hasAnswers: false },
  sources: [],
  dropped: [],
  coverage: {},
  options: {},
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'covary-explain-'));
  const store = new ArtifactStore(join(dir, 'data'));
  const m = 20;
  const n = 60;
  const fam = Int32Array.from({ length: n }, (_, i) => i % 4);
  const scores = simulateScores(m, fam, 1, createRng(1));
  await store.saveDataset(
    {
      name: 'b',
      models: Array.from({ length: m }, (_, k) => `m${k}`),
      items: Array.from({ length: n }, (_, i) => ({ id: `q${i}`, text: `prompt number ${i}`, metadata: { topic: `t${fam[i]}` }, tags: [] })),
      scores,
      answers: null,
    },
    manifestParts(m, n),
  );
  const reporter = collectingReporter();
  const ctx: StageContext = { store, reportsDir: join(dir, 'reports'), seed: 1, reporter, force: false, commandLine: 'covary explain' };
  return { dir, store, ctx, reporter };
}

describe('covary explain (stage)', () => {
  it('runs without embeddings (degrades with a warning), saves, reloads, reports unknown tag ids, then is cached', async () => {
    const { dir, store, ctx, reporter } = await setup();
    const tags = join(dir, 'tags.csv');
    await writeFile(tags, 'id,tags\nq1,units;tables\nq2,units\nzzz,units\n');
    const argv = { tags, permutations: 19, maxPairs: 500, nullBSamples: 3 };
    const out = await stage.run(ctx, 'b', argv);
    expect(out.status).toBe('computed');
    expect(reporter.messages.join('\n')).toMatch(/1 of 3 item id\(s\) in .*tags\.csv are not in the benchmark \(e\.g\. zzz\)/);
    const ex = await loadExplanation(store, 'b');
    expect(ex.result.notes.join(' ')).toMatch(/not in the benchmark/);
    const u = ex.result.tags.findIndex((t) => t.id === 'user:units');
    expect(ex.result.tags[u].count).toBe(2);
    expect(ex.membership[u][1]).toBe(1);
    expect(ex.membership[u][3]).toBe(0);
    expect(ex.result.tags.some((t) => t.id === 'category:topic=t0')).toBe(true);
    expect(ex.result.r2).not.toBeNull();
    expect(ex.result.thresholds.hardThreshold).toBe(0.2);
    expect(ex.options.permutations).toBe(19);
    const text = await readFile(store.stagePath('b', 'explain'), 'utf8');
    const again = await stage.run(ctx, 'b', argv);
    expect(again.status).toBe('cached');
    // forced re-run with the same seed: byte-identical result
    await stage.run({ ...ctx, force: true }, 'b', argv);
    expect(await readFile(store.stagePath('b', 'explain'), 'utf8')).toBe(text);
  });

  it('a malformed tag file stops the stage with a one-line error naming file and line, writing nothing', async () => {
    const { dir, store, ctx } = await setup();
    const tags = join(dir, 'bad.jsonl');
    await writeFile(tags, '{"id": "q1", "tags": ["x"]}\n{"id": "q2", "tags": ["x"}\n');
    await expect(stage.run(ctx, 'b', { tags, permutations: 0 })).rejects.toThrow(/not valid JSON/);
    try {
      await stage.run(ctx, 'b', { tags, permutations: 0 });
    } catch (e) {
      expect((e as { toLine(): string }).toLine()).toMatch(/bad\.jsonl:2: not valid JSON/);
    }
    expect(await store.readStage('b', 'explain')).toBeNull();
  });

  it('uses the irt residuals as its main response when a fresh, converged irt result exists; its hash is an input', async () => {
    const { store, ctx, reporter } = await setup();
    const argv = { permutations: 9, maxPairs: 500, nullBSamples: 0 };
    await stage.run(ctx, 'b', argv);
    let art = await store.readStage<ExplainResult>('b', 'explain');
    expect(art!.result.response).toBe('performance-similarity');
    expect(art!.inputs.irt).toBe('none');
    const { dataset, manifest } = await store.loadDataset('b');
    const m = dataset.models.length;
    const n = dataset.items.length;
    // A stand-in irt result (the stage only reads its convergence and residuals): residuals S − 0.5.
    const writeIrt = (converged: boolean) =>
      store.writeStage('b', 'irt', { inputs: { dataset: manifest.contentHash }, options: {}, result: { convergence: { converged, iterations: converged ? 40 : 500, maxChange: 1e-3, maxGradient: 0.2 } } }, { residuals: { data: Float32Array.from(dataset.scores, (x) => x - 0.5), shape: [m, n] } });
    await writeIrt(true);
    expect((await stage.run(ctx, 'b', argv)).status).toBe('computed');
    art = await store.readStage<ExplainResult>('b', 'explain');
    expect(art!.result.response).toBe('residual-similarity');
    expect(art!.result.performance).not.toBeNull();
    expect(art!.inputs.irt).toBe(await store.stageHash('b', 'irt'));
    expect((await stage.run(ctx, 'b', argv)).status).toBe('cached');
    // A fit that did not converge: its residuals are not used, and the stage says why.
    await writeIrt(false);
    expect((await stage.run(ctx, 'b', argv)).status).toBe('computed');
    art = await store.readStage<ExplainResult>('b', 'explain');
    expect(art!.result.response).toBe('performance-similarity');
    expect(art!.result.notes.join(' ')).toMatch(/irt fit did not converge \(500 EM cycles\)/);
    expect(reporter.messages.join('\n')).toMatch(/did not converge/);
    // Skipped irt: the same, with the skip reason.
    await store.writeStage('b', 'irt', { inputs: { dataset: manifest.contentHash }, options: {}, result: null, status: 'skipped', skipReason: 'only 4 models' });
    await stage.run(ctx, 'b', argv);
    art = await store.readStage<ExplainResult>('b', 'explain');
    expect(art!.result.response).toBe('performance-similarity');
    expect(art!.result.notes.join(' ')).toMatch(/irt stage was skipped \(only 4 models\)/);
  });

  it('rejects bad options with the flag named', async () => {
    const { ctx } = await setup();
    await expect(stage.run(ctx, 'b', { hardThreshold: 2 })).rejects.toThrow(/must be in \[0, 1\]/);
  });
});
