/** `covary index`: kNN graph + near-duplicates (+ HNSW index) of a benchmark's prompt embeddings. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageContext, StageModule, StageOutcome } from '../core/stage.ts';
import { CovaryError } from '../core/errors.ts';
import { createRng } from '../core/rng.ts';
import type { TypedArray } from '../core/store.ts';
import { loadEmbeddings } from '../embed/index.ts';
import { DEFAULT_HNSW } from './hnsw.ts';
import { EXACT_MAX, computeKnn, validateKnnOptions, type IndexMethod, type KnnOptions } from './knn.ts';
import { duplicateGroups, duplicateRecords, round6 } from './duplicates.ts';
import type { IndexResult } from './index.ts';

export const DEFAULT_NEIGHBORS = 10;
/**
 * Measured with USE lite on GSM8K: the same problem reworded scores 0.97–0.98, the same template with
 * other numbers 0.93–0.94, unrelated problems 0.2–0.4. 0.95 therefore lists rewordings and
 * copies, not mere templates. The distilled static model's cosines run higher (mean nearest-neighbour
 * cosine 0.82 on MMLU-Pro): with it, 0.98 is the comparable threshold.
 */
export const DEFAULT_DUP_THRESHOLD = 0.95;
const DUP_LIST_LIMIT = 2000;
const DEFAULT_RECALL_SAMPLE = 1000;

function num(argv: Record<string, unknown>, key: string, fallback: number): number {
  const v = argv[key];
  return v === undefined || v === null ? fallback : Number(v);
}

export function parseIndexOptions(argv: Record<string, unknown>): KnnOptions {
  const o: KnnOptions = {
    k: num(argv, 'neighbors', DEFAULT_NEIGHBORS),
    method: String(argv.method ?? 'auto') as IndexMethod,
    dupThreshold: num(argv, 'dupThreshold', DEFAULT_DUP_THRESHOLD),
    hnsw: {
      M: num(argv, 'hnswM', DEFAULT_HNSW.M),
      efConstruction: num(argv, 'hnswEfConstruction', DEFAULT_HNSW.efConstruction),
      efSearch: num(argv, 'hnswEfSearch', DEFAULT_HNSW.efSearch),
    },
    recallSample: num(argv, 'recallSample', DEFAULT_RECALL_SAMPLE),
  };
  validateKnnOptions(o);
  return o;
}

function meanColumn(sims: Float32Array, n: number, k: number, col: number): number | null {
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = sims[i * k + col];
    if (v === v) {
      s += v;
      c++;
    }
  }
  return c ? round6(s / c) : null;
}

export const stage: StageModule = {
  name: 'index',
  describe: 'Nearest-neighbour graph of prompt embeddings (exact or HNSW, recall reported) and near-duplicate prompts',
  built: true,
  validate: (argv) => void parseIndexOptions(argv),
  options: {
    neighbors: { type: 'number', default: DEFAULT_NEIGHBORS, describe: 'Neighbours kept per prompt in the kNN graph (self excluded)' },
    method: { type: 'string', choices: ['auto', 'exact', 'hnsw'], default: 'auto', describe: `kNN search: exact all-pairs, HNSW, or auto (exact up to ${EXACT_MAX} prompts)` },
    'dup-threshold': { type: 'number', default: DEFAULT_DUP_THRESHOLD, describe: 'Cosine at or above which two prompts are listed as near-duplicates' },
    'hnsw-m': { type: 'number', default: DEFAULT_HNSW.M, describe: 'HNSW: links per node (M)' },
    'hnsw-ef-construction': { type: 'number', default: DEFAULT_HNSW.efConstruction, describe: 'HNSW: candidate list size while building' },
    'hnsw-ef-search': { type: 'number', default: DEFAULT_HNSW.efSearch, describe: 'HNSW: candidate list size while searching' },
    'recall-sample': { type: 'number', default: DEFAULT_RECALL_SAMPLE, describe: 'HNSW: prompts whose neighbours are also found exactly, for recall@k' },
  },
  async run(ctx: StageContext, bench: string, argv: Record<string, unknown>): Promise<StageOutcome> {
    const o = parseIndexOptions(argv);
    const { store } = ctx;
    const manifest = await store.readManifest(bench);
    const embedHash = await store.stageHash(bench, 'embed');
    if (!embedHash) throw new CovaryError(`benchmark "${bench}" has no embeddings`, { file: store.stagePath(bench, 'embed') }, `run \`covary embed --name ${bench}\` first`);
    const inputs = { dataset: manifest.contentHash, embed: embedHash };
    const options: Record<string, unknown> = { ...o, hnsw: { ...o.hnsw }, seed: ctx.seed };
    const path = store.stagePath(bench, 'index');
    if (!ctx.force && (await store.isFresh(bench, 'index', inputs, options))) {
      return { stage: 'index', status: 'cached', message: 'up to date (use --force to recompute)', path };
    }
    const emb = await loadEmbeddings(store, bench);
    if (!emb) {
      const reason = 'the embed stage was skipped (the benchmark has no prompt text), so there is nothing to index';
      await store.writeStage(bench, 'index', { inputs, options, result: null, status: 'skipped', skipReason: reason });
      return { stage: 'index', status: 'skipped', message: reason, path };
    }
    const { dataset } = await store.loadDataset(bench);
    const { n, dims } = emb;
    if (n !== dataset.items.length || emb.vectors.length !== n * dims) {
      throw new CovaryError(`embeddings hold ${n} × ${dims} values but the benchmark has ${dataset.items.length} prompts`, { file: store.stagePath(bench, 'embed') }, `re-run \`covary embed --name ${bench} --force\``);
    }
    const started = Date.now();
    const rng = createRng(ctx.seed).fork('index');
    const out = await computeKnn(emb.vectors, n, dims, o, rng, ctx.reporter);
    const k = o.k;
    const ids = dataset.items.map((it) => it.id);
    const texts = dataset.items.map((it) => it.text);
    const withText = texts.filter((t) => t !== null && t.trim() !== '').length;
    const groups = duplicateGroups(out.duplicates, n);
    const inPairs = new Set<number>();
    for (const p of out.duplicates) inPairs.add(p.a).add(p.b);
    const result: IndexResult = {
      n,
      dims,
      k,
      withText,
      modelId: emb.modelId,
      method: out.method,
      exactMax: EXACT_MAX,
      hnsw: out.hnsw
        ? {
            space: 'cosine',
            ...out.hnsw.params,
            recallAtK: Number.isFinite(out.hnsw.recallAtK) ? round6(out.hnsw.recallAtK) : null,
            recallSample: out.hnsw.recallSample,
          }
        : null,
      meanNearestCosine: meanColumn(out.graph.similarities, n, k, 0),
      meanKthCosine: meanColumn(out.graph.similarities, n, k, k - 1),
      duplicates: {
        threshold: o.dupThreshold,
        scope: out.duplicateScope,
        pairs: out.duplicates.length,
        prompts: inPairs.size,
        groups: groups.length,
        largestGroup: groups[0]?.length ?? 0,
        topGroups: groups.slice(0, 20).map((g) => g.slice(0, 50).map((i) => ids[i])),
        list: duplicateRecords(out.duplicates, ids, texts, DUP_LIST_LIMIT),
        listLimit: DUP_LIST_LIMIT,
      },
    };
    const m = out.duplicates.length;
    const pairs = new Uint32Array(m * 2);
    const cosines = new Float32Array(m);
    out.duplicates.forEach((p, i) => {
      pairs[2 * i] = p.a;
      pairs[2 * i + 1] = p.b;
      cosines[i] = p.cosine;
    });
    const binaries: Record<string, { data: TypedArray; shape: number[] }> = {
      neighbors: { data: out.graph.neighbors, shape: [n, k] },
      similarities: { data: out.graph.similarities, shape: [n, k] },
      'duplicate-pairs': { data: pairs, shape: [m, 2] },
      'duplicate-cosines': { data: cosines, shape: [m] },
    };
    if (out.hnsw) {
      const tmp = await mkdtemp(join(tmpdir(), 'covary-hnsw-'));
      try {
        await out.hnsw.index.writeIndex(join(tmp, 'hnsw.bin'));
        const bytes = new Uint8Array(await readFile(join(tmp, 'hnsw.bin')));
        binaries.hnsw = { data: bytes, shape: [bytes.length] };
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    await store.writeStage(bench, 'index', { inputs, options, result }, binaries);
    const seconds = (Date.now() - started) / 1000;
    await store.appendLog(bench, `index: ${out.method} k=${k} n=${n} in ${seconds.toFixed(2)} s${out.hnsw ? `, recall@${k} ${out.hnsw.recallAtK.toFixed(4)}` : ''}, ${m} near-duplicate pairs`);
    const recall = result.hnsw ? `, HNSW recall@${k} ${result.hnsw.recallAtK ?? 'n/a'} on ${result.hnsw.recallSample} prompts` : '';
    const message = `${withText < n ? `${withText} of ${n} prompts (those with text)` : `${n} prompts`}, ${k} neighbours each (${out.method}${recall}); ${m} near-duplicate pair${m === 1 ? '' : 's'} at cosine ≥ ${o.dupThreshold}${m ? ` in ${groups.length} group${groups.length === 1 ? '' : 's'}` : ''} (${seconds.toFixed(1)} s)`;
    ctx.reporter.info(`index: ${message}`);
    return { stage: 'index', status: 'computed', message, path };
  },
};
