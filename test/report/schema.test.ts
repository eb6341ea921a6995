import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { stableStringify } from '../../pipeline/core/hash.ts';
import { loadCorrelation } from '../../pipeline/correlate/index.ts';
import { loadClusterings, type ClusterResult } from '../../pipeline/cluster/index.ts';
import { loadReweighting } from '../../pipeline/reweight/index.ts';
import { loadExplanation } from '../../pipeline/explain/index.ts';
import { buildReport, type ReportInputs, type StageState } from '../../pipeline/report/model.ts';
import { REPORT_SCHEMA_VERSION, ReportSchema, type Report } from '../../pipeline/report/schema.ts';
import { cleanupTempDirs, cli, runReport, saveDataset, syntheticDataset, tempDir } from './run-helpers.ts';

// ---------------------------------------------------------------------------------------------
// A minimal JSON Schema (2020-12) validator for the keywords zod's toJSONSchema emits here.
type Schema = Record<string, unknown> | boolean;

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      throw new Error(`validator: unknown type ${t}`);
  }
}

const KNOWN = new Set(['$schema', '$id', 'title', 'description', 'type', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'const', 'enum', 'minimum', 'maximum', 'propertyNames', 'default', 'prefixItems', 'minItems', 'maxItems']);

export function validate(schema: Schema, v: unknown, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`validator: keyword ${k} not supported (at ${path})`);
  const errs: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeOk(t, v))) return [`${path}: expected ${types.join('|')}, got ${v === null ? 'null' : typeof v}`];
  }
  if ('const' in schema && v !== schema.const) errs.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !(schema.enum as unknown[]).includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum) errs.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && v > schema.maximum) errs.push(`${path}: above maximum`);
  }
  if (schema.anyOf) {
    const branches = (schema.anyOf as Schema[]).map((s) => validate(s, v, path));
    if (!branches.some((b) => b.length === 0)) errs.push(`${path}: matches no anyOf branch (${branches.map((b) => b[0]).join(' / ')})`);
  }
  if (typeOk('object', v)) {
    const o = v as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in o)) errs.push(`${path}: missing required "${r}"`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, val] of Object.entries(o)) {
      if (k in props) errs.push(...validate(props[k], val, `${path}.${k}`));
      else if (schema.additionalProperties !== undefined) errs.push(...validate(schema.additionalProperties as Schema, val, `${path}.${k}`));
      if (schema.propertyNames) errs.push(...validate(schema.propertyNames as Schema, k, `${path}[key ${k}]`));
    }
  }
  if (Array.isArray(v)) {
    // Tuples: prefixItems validate the leading elements, items (possibly false) the rest.
    const prefix = (schema.prefixItems as Schema[] | undefined) ?? [];
    v.forEach((x, i) => {
      if (i < prefix.length) errs.push(...validate(prefix[i], x, `${path}[${i}]`));
      else if (schema.items !== undefined) errs.push(...validate(schema.items as Schema, x, `${path}[${i}]`));
    });
    if (typeof schema.minItems === 'number' && v.length < schema.minItems) errs.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) errs.push(`${path}: more than ${schema.maxItems} items`);
  }
  return errs;
}

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

/** Values at a promised path (fanning out over arrays). */
function valuesAt(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const part of path.split('.')) {
    const arr = part.endsWith('[]');
    const key = arr ? part.slice(0, -2) : part;
    cur = cur.flatMap((o) => {
      if (o === null || typeof o !== 'object' || !(key in (o as object))) throw new Error(`missing ${key} in ${path}`);
      const v = (o as Record<string, unknown>)[key];
      if (arr) {
        if (!Array.isArray(v) || v.length === 0) throw new Error(`${path}: ${key} is not a non-empty array`);
        return v;
      }
      return [v];
    });
  }
  return cur;
}

/** The sub-schema of a promised path: follows properties / items / nullable anyOf branches. */
function schemaAt(schema: Record<string, unknown>, path: string): Record<string, unknown> {
  let cur = schema;
  const deref = (s: Record<string, unknown>): Record<string, unknown> => {
    if (s.anyOf) return (s.anyOf as Record<string, unknown>[]).find((b) => b.type !== 'null') ?? s;
    return s;
  };
  for (const part of path.split('.')) {
    const arr = part.endsWith('[]');
    const key = arr ? part.slice(0, -2) : part;
    cur = deref(cur);
    const props = cur.properties as Record<string, Record<string, unknown>> | undefined;
    if (!props?.[key]) throw new Error(`schema has no ${key} (in ${path})`);
    if (!(cur.required as string[]).includes(key)) throw new Error(`schema does not require ${key} (in ${path})`);
    cur = props[key];
    if (arr) cur = deref(cur).items as Record<string, unknown>;
  }
  return cur;
}

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
    stages[s] = !a ? { status: 'missing', reason: `not run (run \`covary ${s} --name ${bench}\`)` } : a.status === 'skipped' ? { status: 'skipped', reason: a.skipReason ?? 'skipped' } : { status: 'ok', reason: null };
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
    irt: null,
    seed: 1,
    commandLine,
  };
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
