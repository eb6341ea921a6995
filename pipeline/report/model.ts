/**
 * The report model (= report.json): a pure function of the dataset and the stage results.
 * Markdown and SVG are rendered from it, so every number in the page is a number in the JSON.
 */
import type { Dataset } from '../core/dataset.ts';
import { countMissing, hasText, isBinary, modelMeans } from '../core/dataset.ts';
import type { DatasetManifest } from '../core/store.ts';
import { COVARY_VERSION } from '../core/version.ts';
import type { EmbedResult } from '../embed/index.ts';
import type { IndexResult } from '../index/index.ts';
import type { CorrelationArtifact } from '../correlate/index.ts';
import type { ClusterResult, Clusterings } from '../cluster/index.ts';
import type { ReweightResult } from '../reweight/index.ts';
import type { ExplainResult } from '../explain/index.ts';
import type { IrtResult } from '../irt/index.ts';
import { REPORT_SCHEMA_VERSION, ReportSchema, type Report } from './schema.ts';
import { clusterSection, correlationSection, explanationSection, reweightingSection } from './sections.ts';
import { buildVerdict } from './verdict.ts';
import { irtSection } from './irt-section.ts';
import { buildMethods } from './methods.ts';
import { buildFigures, type BuiltFigure, type FigureInputs } from './build-figures.ts';
import { DEFAULT_MAX_PAIRS_PER_CELL, familyMatrix } from './family-matrix.ts';
import { createRng } from '../core/rng.ts';
import { clustersShown, manyModels, MODELS_CSV } from './at-scale.ts';

export type StageState = { status: 'ok' | 'skipped' | 'missing' | 'not-built'; reason: string | null };

export interface ReportInputs {
  dataset: Dataset;
  manifest: DatasetManifest;
  stages: Record<string, StageState>;
  stageOptions: Record<string, Record<string, unknown>>;
  embed: EmbedResult | null;
  index: IndexResult | null;
  correlation: CorrelationArtifact | null;
  clusters: { result: ClusterResult; clusterings: Clusterings } | null;
  reweighting: ReweightResult | null;
  explanation: ExplainResult | null;
  /** The irt stage's result when it ran (not skipped), with its residuals and where its items CSV is. */
  irt: IrtReportInput | null;
  seed: number;
  commandLine: string;
}

export interface IrtReportInput {
  result: IrtResult;
  residuals: Float32Array | null;
  /** irt-items.csv relative to the report folder (null when absent): a copy the report stage writes beside report.md. */
  itemsCsv: string | null;
  /** That copy's text. */
  itemsCsvText: string | null;
  /** False when irt.json was computed against another correlate result than the one in this report (its Null C pairs may then differ from Null A/B's). */
  correlateMatches: boolean;
}

const nz = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** JSON has no NaN or Infinity: turn them into null everywhere, and drop undefined. */
export function jsonSafe<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x))) as T;
}

function indexSection(ix: IndexResult | null): Report['index'] {
  if (!ix) return null;
  const d = ix.duplicates;
  return {
    k: ix.k,
    method: ix.method,
    recallAtK: nz(ix.hnsw?.recallAtK ?? null),
    meanNearestCosine: nz(ix.meanNearestCosine),
    meanKthCosine: nz(ix.meanKthCosine),
    nearDuplicates: d.pairs,
    nearDuplicateThreshold: d.threshold,
    nearDuplicateScope: d.scope,
    nearDuplicatePrompts: d.prompts,
    nearDuplicateGroups: d.groups,
    largestNearDuplicateGroup: d.largestGroup,
    nearDuplicateExamples: d.list.slice(0, 10).map((p) => ({ a: p.a, b: p.b, cosine: nz(p.cosine), aText: p.aText, bText: p.bText })),
  };
}

export function buildReport(inp: ReportInputs): { report: Report; figures: BuiltFigure[] } {
  const d = inp.dataset;
  const man = inp.manifest;
  const means = modelMeans(d);
  const n = d.items.length;
  const answered = d.models.map((_, k) => {
    let c = 0;
    for (let i = 0; i < n; i++) if (d.scores[k * n + i] === d.scores[k * n + i]) c++;
    return c;
  });
  const irt = inp.irt ? irtSection({ result: inp.irt.result, residuals: inp.irt.residuals, dataset: d, clusterings: inp.clusters?.clusterings ?? null, itemsCsv: inp.irt.itemsCsv }) : null;
  if (irt && inp.irt && !inp.irt.correlateMatches)
    irt.notes.unshift(
      inp.correlation
        ? 'irt.json was computed against an earlier (or no) correlate result: its Null C may use other prompt pairs or options than Null A/B here; re-run `covary irt --force` for a like-for-like row.'
        : 'irt.json was computed with a correlate result that this report does not have; Null C is shown in this section only.',
    );
  const droppedPrompts = man.dropped.filter((x) => x.what === 'item').reduce((s, x) => s + (x.count ?? 1), 0);
  const base: Omit<Report, 'figures' | 'methods' | 'verdict'> = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    covaryVersion: COVARY_VERSION,
    benchmark: {
      name: d.name,
      models: d.models.length,
      prompts: n,
      missingCells: countMissing(d.scores),
      droppedPrompts,
      format: man.format,
      binaryScores: isBinary(d.scores),
      promptsWithText: d.items.filter((it) => it.text !== null && it.text.trim() !== '').length,
      hasAnswers: d.answers !== null,
      dropped: man.dropped.map((x) => ({ what: x.what, id: x.id ?? null, count: x.count ?? null, reason: x.reason })),
      modelMeans: d.models.map((model, k) => ({ model, mean: nz(means[k]), items: answered[k] })),
    },
    stages: { ...inp.stages },
    embedding: inp.embed ? { model: inp.embed.modelId, modelHash: inp.embed.modelHash, dims: inp.embed.dims, maxTokens: inp.embed.maxTokens, truncated: inp.embed.truncated, withoutText: inp.embed.withoutText } : null,
    index: indexSection(inp.index),
    // Null C sits beside Null A and B (same statistics, same prompts and pairs when irt ran after correlate).
    correlation: inp.correlation ? { ...correlationSection(inp.correlation), nullC: irt?.nullC ?? null } : null,
    clusters: inp.clusters ? clusterSection(inp.clusters.result) : null,
    reweighting: inp.reweighting ? reweightingSection(inp.reweighting) : null,
    explanation: inp.explanation ? explanationSection(inp.explanation) : null,
    irt,
    reproducibility: {
      covaryVersion: COVARY_VERSION,
      seed: inp.seed,
      commandLine: inp.commandLine,
      datasetHash: man.contentHash,
      inputs: man.sources.map((s) => ({ path: s.path, sha256: s.sha256, role: s.role })),
      stageOptions: inp.stageOptions,
    },
  };
  if (!hasText(d)) base.stages.note = { status: 'skipped', reason: 'the benchmark has no prompt text: semantic parts (embed, index, semantic clusters and predictors) are skipped' };
  const { figures, leftOut } = buildFigures({ report: base, family: familyInputs(inp) });
  const report: Report = jsonSafe({
    ...base,
    // The page's per-model tables show a selection: every model is in the CSV.
    ...(manyModels(base) ? { files: { modelsCsv: MODELS_CSV } } : {}),
    verdict: buildVerdict(base),
    figures: figures.map(({ file, title, caption }) => ({ file, title, caption })),
    figuresLeftOut: leftOut.map(({ file, title, reason }) => ({ file, title, reason })),
    methods: buildMethods(base, inp.stageOptions),
  });
  const check = ReportSchema.safeParse(report);
  if (!check.success) throw new Error(`internal: report does not match its schema: ${check.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { report, figures };
}

/** The family figure's matrix: the clusters (semantic, else given categories, else performance) × themselves. */
function familyInputs(inp: ReportInputs): FigureInputs['family'] {
  const corr = inp.correlation?.result;
  if (!corr) return { reason: inp.stages.correlate?.status === 'skipped' ? `the correlate stage was skipped: ${inp.stages.correlate.reason ?? ''}`.trim() : 'no performance similarity (the correlate stage has not run)' };
  const cl = inp.clusters?.clusterings;
  const source = cl?.semantic ?? cl?.category ?? cl?.performance ?? null;
  if (!source) return { reason: 'no clusters of prompts (the cluster stage has not run or found none)' };
  const kind = cl?.semantic ? 'semantic cluster' : cl?.category ? 'category' : 'performance cluster';
  const d = inp.dataset;
  // Hundreds of given categories would be a matrix of specks (and k² cells to compute): the largest only.
  const { shown } = clustersShown(source.sizes.map((size, id) => ({ id, size })));
  const kept = new Set(shown.map((c) => c.id));
  const assignments = kept.size < source.sizes.length ? Int32Array.from(source.assignments, (a) => (kept.has(a) ? a : -1)) : source.assignments;
  const matrix = familyMatrix(d.scores, d.models.length, d.items.length, assignments, source.labels, { metric: corr.metric, minCommonModels: corr.minCommonModels, maxPairsPerCell: DEFAULT_MAX_PAIRS_PER_CELL }, createRng(inp.seed).fork('family-figure'));
  if (matrix.clusters.length < 2) return { reason: `only ${matrix.clusters.length === 1 ? 'one' : 'no'} ${kind} with usable prompts: nothing to compare` };
  return { matrix, kind, metric: corr.metric, ...(kept.size < source.sizes.length ? { of: source.sizes.length } : {}) };
}
