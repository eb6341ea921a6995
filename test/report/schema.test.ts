import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { stableStringify } from '../../pipeline/core/hash.ts';
import { loadCorrelation } from '../../pipeline/correlate/index.ts';
import { loadClusterings, type ClusterResult } from '../../pipeline/cluster/index.ts';
import { loadReweighting } from '../../pipeline/reweight/index.ts';
import { loadExplanation } from '../../pipeline/explain/index.ts';
import { loadIrt } from '../../pipeline/irt/index.ts';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReport, type ReportInputs, type StageState } from '../../pipeline/report/model.ts';
import { REPORT_SCHEMA_VERSION, ReportSchema, type Report } from '../../pipeline/report/schema.ts';
import { cleanupTempDirs, cli, runReport, saveDataset, syntheticDataset, tempDir } from './run-helpers.ts';
import { schemaAt, validate, valuesAt } from './json-schema.ts';
import { STAGES } from '../../pipeline/cli/stages.ts';

/** The keys the issue promises other tools (nested paths; [] = every array element). */
const PROMISED = [
  'schemaVersion',
  'benchmark.name',
  'benchmark.models',
  'benchmark.prompts',
  'benchmark.missingCells',
  'benchmark.droppedPrompts',
  ...['nullA', 'nullB'].flatMap((n) => ['observed', 'nullMean', 'nullSd', 'z', 'p'].map((k) => `correlation.${n}.${k}`)),
  'correlation.ks.nullA',
  'correlation.ks.nullB',
  'reweighting.schemes[].name',
  'reweighting.schemes[].kendallTau',
  'reweighting.schemes[].noiseFloorTau',
  'reweighting.schemes[].maxAbsRankShift',
  ...['model', 'score', 'ciLow', 'ciHigh', 'rank', 'rankLow', 'rankHigh'].map((k) => `reweighting.schemes[].models[].${k}`),
  'explanation.r2',
  'explanation.partialR2.semantic',
  'explanation.partialR2.failure',
  'explanation.partialR2.difficulty',
  'explanation.mantel.r',
  'explanation.mantel.p',
];

// ---------------------------------------------------------------------------------------------

let printed: Record<string, unknown>;
let report: Report;
let written: Report;
let writtenText: string;
let inputs: ReportInputs;

async function inputsFrom(dataDir: string, bench: string, commandLine: string): Promise<ReportInputs> {
  const store = new ArtifactStore(dataDir);
  const { dataset, manifest } = await store.loadDataset(bench);
  const stages: Record<string, StageState> = {};
  const stageOptions: Record<string, Record<string, unknown>> = {};
  for (const s of ['embed', 'index', 'correlate', 'irt', 'cluster', 'reweight', 'explain']) {
    const a = await store.readStage(bench, s);
    // As the report stage words it: an opt-in stage says how `covary run` takes it.
    const how = STAGES.find((x) => x.name === s)?.optIn ? `; \`covary run\` leaves it out unless given \`--with ${s}\`` : '';
    stages[s] = !a ? { status: 'missing', reason: `not run (run \`covary ${s} --name ${bench}\`${how})` } : a.status === 'skipped' ? { status: 'skipped', reason: a.skipReason ?? 'skipped' } : { status: 'ok', reason: null };
    if (a) stageOptions[s] = a.options;
  }
  const cl = await store.readStage<ClusterResult>(bench, 'cluster');
  const rw = await loadReweighting(store, bench);
  delete (rw as { weights?: unknown }).weights;
  return {
    dataset,
    manifest,
    stages,
    stageOptions,
    embed: null,
    index: null,
    correlation: await loadCorrelation(store, bench),
    clusters: cl ? { result: cl.result, clusterings: await loadClusterings(store, bench) } : null,
    reweighting: rw,
    explanation: (await loadExplanation(store, bench)).result,
    irt: await irtFrom(store, bench),
    seed: 1,
    commandLine,
  };
}

/** As the report stage reads it: the result, its residuals and the items CSV copied beside the report. */
async function irtFrom(store: ArtifactStore, bench: string): Promise<ReportInputs['irt']> {
  const a = await loadIrt(store, bench);
  if (!a.result) return null;
  const art = await store.readStage(bench, 'irt');
  const csv = join(store.benchmarkDir(bench), 'irt-items.csv');
  const text = existsSync(csv) ? await readFile(csv, 'utf8') : null;
  return { result: a.result, residuals: a.residuals, itemsCsv: text === null ? null : 'irt-items.csv', itemsCsvText: text, correlateMatches: art?.inputs.correlate === (await store.stageHash(bench, 'correlate')) };
}

beforeAll(async () => {
  const s = await cli(['schema']);
  expect(s.code, s.err).toBe(0);
  printed = JSON.parse(s.out);
  const dataDir = await tempDir();
  const reportsDir = await tempDir();
  await saveDataset(dataDir, syntheticDataset({ name: 'syn', models: 8, prompts: 45, answers: true, missing: [[0, 1], [3, 7]] }), {
    dropped: [{ what: 'item', id: 'q-empty', reason: 'no model has a result for it' }, { what: 'item', count: 3, reason: 'duplicate ids' }],
  });
  const r = await runReport(dataDir, reportsDir, 'syn');
  expect(r.code, r.err).toBe(0);
  writtenText = r.json;
  written = JSON.parse(r.json);
  inputs = await inputsFrom(dataDir, 'syn', written.reproducibility.commandLine);
  report = buildReport(inputs).report;
});
afterAll(cleanupTempDirs);

describe('covary schema', () => {
  it('prints a JSON Schema (2020-12) for report.json, versioned', () => {
    expect(printed.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(String(printed.$id)).toContain(`report-v${REPORT_SCHEMA_VERSION}`);
    expect(printed.type).toBe('object');
    expect((printed.properties as Record<string, { const?: unknown }>).schemaVersion.const).toBe(REPORT_SCHEMA_VERSION);
  });

  it('declares and requires every key the issue promises', () => {
    for (const p of PROMISED) expect(() => schemaAt(printed, p), p).not.toThrow();
    // Numbers that may be uncomputable are nullable in the schema.
    const rankLow = schemaAt(printed, 'reweighting.schemes[].models[].rankLow');
    expect(validate(rankLow, null)).toEqual([]);
    expect(validate(rankLow, 3)).toEqual([]);
    expect(validate(rankLow, 'x')).not.toEqual([]);
  });

  it('the validator used here rejects what the schema forbids (so the next test can fail)', () => {
    expect(validate(printed, report)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(report));
    delete broken.benchmark.missingCells;
    broken.correlation.nullA.z = 'high';
    broken.schemaVersion = 2;
    broken.extra = 1;
    const errs = validate(printed, broken);
    expect(errs.join('\n')).toMatch(/missing required "missingCells"/);
    expect(errs.join('\n')).toMatch(/nullA\.z/);
    expect(errs.join('\n')).toMatch(/schemaVersion/);
    expect(errs.join('\n')).toMatch(/\$\.extra: not allowed/);
  });
});

describe('report.json', () => {
  it('buildReport on a small benchmark validates against ReportSchema and the printed JSON Schema', () => {
    expect(ReportSchema.safeParse(report).success).toBe(true);
    expect(validate(printed, report)).toEqual([]);
    expect(validate(printed, written)).toEqual([]);
  });

  it('has every promised key, with numbers (or null where not computable) where numbers are promised', () => {
    for (const p of PROMISED) {
      const vals = valuesAt(report, p);
      for (const v of vals) {
        if (p === 'schemaVersion') expect(v).toBe(REPORT_SCHEMA_VERSION);
        else if (p.endsWith('.name') || p.endsWith('.model')) expect(typeof v, p).toBe('string');
        else expect(v === null || typeof v === 'number', `${p} = ${JSON.stringify(v)}`).toBe(true);
      }
    }
  });

  it('carries rank confidence sets, the τ-best set, controlled swaps and a boolean rankings verdict (issue 12)', () => {
    const rw = report.reweighting!;
    expect(typeof report.verdict.rankingsMoveBeyondNoise).toBe('boolean');
    expect(rw.tauBest.length).toBeGreaterThan(0);
    const uni = rw.schemes.find((s) => s.name === 'uniform')!;
    for (const name of rw.tauBest) expect(uni.models.find((m) => m.model === name)!.rankSet.simultaneous![0]).toBe(1);
    for (const s of rw.schemes) {
      for (const m of s.models) {
        for (const set of [m.rankSet.marginal!, m.rankSet.simultaneous!]) {
          expect(set).toHaveLength(2);
          expect(Number.isInteger(set[0]) && Number.isInteger(set[1])).toBe(true);
          expect(set[0]).toBeLessThanOrEqual(m.rank!);
          expect(set[1]).toBeGreaterThanOrEqual(m.rank!);
        }
        // The simultaneous set is never narrower than the marginal one.
        expect(m.rankSet.simultaneous![0]).toBeLessThanOrEqual(m.rankSet.marginal![0]);
        expect(m.rankSet.simultaneous![1]).toBeGreaterThanOrEqual(m.rankSet.marginal![1]);
      }
      for (const x of s.swaps) {
        expect(x.models).toHaveLength(2);
        expect(x.pAdjusted).toBeGreaterThanOrEqual(x.p);
        expect(x.significant).toBe(x.pAdjusted <= rw.rankInference.alpha);
      }
    }
  });

  it('holds the benchmark’s real counts', () => {
    expect(report.benchmark).toMatchObject({ name: 'syn', models: 8, prompts: 45, missingCells: 2, droppedPrompts: 4, hasAnswers: true, binaryScores: true, promptsWithText: 0 });
    expect(report.benchmark.dropped).toEqual([
      { what: 'item', id: 'q-empty', count: null, reason: 'no model has a result for it' },
      { what: 'item', id: null, count: 3, reason: 'duplicate ids' },
    ]);
    expect(report.correlation!.nullA.replicates).toBe(99);
    expect(report.correlation!.nullB.replicates).toBe(19);
    expect(report.reweighting!.bootstrap).toBe(100);
    const uni = report.reweighting!.schemes.find((s) => s.name === 'uniform')!;
    expect(uni.models).toHaveLength(8);
    for (const m of uni.models) {
      expect(m.ciLow!).toBeLessThanOrEqual(m.score!);
      expect(m.ciHigh!).toBeGreaterThanOrEqual(m.score!);
      expect(m.rankLow!).toBeLessThanOrEqual(m.rank!);
      expect(m.rankHigh!).toBeGreaterThanOrEqual(m.rank!);
    }
    // Text-free: the semantic numbers are null, not zero.
    expect(report.explanation!.partialR2.semantic).toBeNull();
    expect(report.explanation!.mantel).toMatchObject({ r: null, p: null, rAllPairs: null, pAllPairs: null, lead: 'sample' });
  });

  it('contains no NaN, Infinity or undefined (JSON round trip is lossless)', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('the report.json the stage wrote is exactly buildReport’s model of the stored stage results', () => {
    expect(stableStringify(written)).toBe(stableStringify(report));
  });

  it('buildReport is deterministic: the same inputs give the same JSON and figures', () => {
    const again = buildReport(inputs);
    expect(stableStringify(again.report)).toBe(stableStringify(report));
    expect(again.figures.map((f) => f.svg)).toEqual(buildReport(inputs).figures.map((f) => f.svg));
  });

  it('buildReport does not modify its inputs', () => {
    // BUG (pipeline/report/model.ts, buildReport): `base.stages = inp.stages`, then for a text-free
    // benchmark `base.stages.note = {...}` adds a pseudo-stage "note" to the caller's `inputs.stages`.
    const stages = JSON.parse(JSON.stringify(inputs.stages)) as Record<string, StageState>;
    delete stages.note; // put there by the earlier calls
    const fresh = { ...inputs, stages };
    const before = JSON.stringify(fresh.stages);
    buildReport(fresh);
    expect(JSON.stringify(fresh.stages)).toBe(before);
  });

  it('report.json on disk is the stable, 2-space-indented serialisation ending in a newline', () => {
    expect(writtenText).toBe(stableStringify(written, 2) + '\n');
  });
});
