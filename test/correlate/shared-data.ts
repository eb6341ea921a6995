/**
 * A small loader for the shared real-data matrices (wide CSV: `model`, then one column per item;
 * empty cell = missing), used by the correlate tests and bench until ingest is available.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export const SHARED = fileURLToPath(new URL('../../../shared/data', import.meta.url));

export const SHARED_MATRICES: Record<string, string> = {
  gsm8k: 'zeroeval/gsm_correct_matrix.csv',
  'math-l5': 'zeroeval/math-l5_correct_matrix.csv',
  crux: 'zeroeval/crux_correct_matrix.csv',
  'mmlu-pro': 'mmlu-pro/correct_matrix.csv',
  toxicity: 'textclass/toxicity_EN_correct_matrix.csv',
  policy: 'textclass/policy_EN_correct_matrix.csv',
};

export interface LoadedMatrix {
  name: string;
  models: string[];
  items: string[];
  scores: Float64Array;
  m: number;
  n: number;
}

export function hasShared(): boolean {
  return existsSync(SHARED);
}

export function loadSharedMatrix(name: string): LoadedMatrix {
  const rel = SHARED_MATRICES[name];
  if (!rel) throw new Error(`unknown shared matrix ${name}`);
  const rows = parse(readFileSync(join(SHARED, rel), 'utf8'), { relax_column_count: false }) as string[][];
  const header = rows[0];
  const items = header.slice(1);
  const models = rows.slice(1).map((r) => r[0]);
  const m = models.length;
  const n = items.length;
  const scores = new Float64Array(m * n);
  for (let k = 0; k < m; k++) {
    const r = rows[k + 1];
    for (let i = 0; i < n; i++) {
      const cell = r[i + 1].trim();
      scores[k * n + i] = cell === '' ? NaN : Number(cell);
    }
  }
  return { name, models, items, scores, m, n };
}
