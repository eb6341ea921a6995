/** Shared helpers of the embed tests: tiny datasets and deterministic synthetic texts. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import type { Dataset } from '../../pipeline/core/dataset.ts';
import { silentReporter } from '../../pipeline/core/progress.ts';
import type { StageContext } from '../../pipeline/core/stage.ts';

export async function tempStore(prefix = 'covary-embed-'): Promise<ArtifactStore> {
  return new ArtifactStore(await mkdtemp(join(tmpdir(), prefix)));
}

export async function saveTexts(store: ArtifactStore, name: string, texts: Array<string | null>): Promise<void> {
  const n = texts.length;
  const dataset: Dataset = {
    name,
    models: ['m1', 'm2'],
    items: texts.map((text, i) => ({ id: String(i), text, metadata: {}, tags: [] })),
    scores: Float64Array.from({ length: 2 * n }, (_, k) => k % 2),
    answers: null,
  };
  const withText = texts.filter((t) => t !== null && t.trim() !== '').length;
  await store.saveDataset(dataset, {
    format: 'test',
    counts: { models: 2, items: n, cells: 2 * n, missingCells: 0, itemsWithText: withText, binary: true, hasAnswers: false },
    sources: [],
    dropped: [],
    coverage: {},
    options: {},
  });
}

export function context(store: ArtifactStore, force = false): StageContext {
  return { store, reportsDir: join(store.dataDir, 'reports'), seed: 1, reporter: silentReporter, force, commandLine: 'test' };
}

const SUBJECTS = ['the farmer', 'a student', 'the baker', 'my neighbour', 'the pilot', 'a nurse', 'the engineer', 'our teacher'];
const VERBS = ['buys', 'sells', 'counts', 'paints', 'repairs', 'delivers', 'collects', 'measures'];
const OBJECTS = ['apples', 'bicycles', 'letters', 'windows', 'bottles', 'tickets', 'stones', 'chairs'];

/** `n` distinct short word-problem-like sentences, deterministic. */
export function syntheticTexts(n: number, offset = 0): string[] {
  const out: string[] = [];
  for (let k = offset; k < offset + n; k++) {
    const s = SUBJECTS[k % 8];
    const v = VERBS[Math.floor(k / 8) % 8];
    const o = OBJECTS[Math.floor(k / 64) % 8];
    out.push(`Problem ${k}: ${s} ${v} ${(k % 17) + 2} ${o} every day for ${(k % 11) + 3} days. How many ${o} is that in total?`);
  }
  return out;
}
