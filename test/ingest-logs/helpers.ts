import { recordsOf } from '../../pipeline/ingest/cells.ts';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IngestParts } from '../../pipeline/ingest/types.ts';

/** Real harness logs (never copied into the repo); tests skip when absent. */
export const SHARED = fileURLToPath(new URL('../../../shared/fixtures', import.meta.url));
export const HAS_SHARED = existsSync(SHARED);
if (!HAS_SHARED) console.warn(`skipping fixture tests: ${SHARED} is absent`);
/** Tiny hand-made edge cases committed in the repo. */
export const LOCAL = fileURLToPath(new URL('../fixtures/logs', import.meta.url));

/** Every file under a folder (what the ingest command's path expansion hands a reader). */
export function filesUnder(...dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

/** score of (model, item), asserting there is exactly one record. */
export function scoreOf(parts: IngestParts, model: string, item: string): number {
  const hits = recordsOf(parts).filter((r) => r.model === model && r.item === item);
  if (hits.length !== 1) throw new Error(`expected 1 record for ${model} × ${item}, found ${hits.length}`);
  return hits[0].score;
}

export function models(parts: IngestParts): string[] {
  return [...new Set(recordsOf(parts).map((r) => r.model))].sort();
}

export function itemIds(parts: IngestParts): string[] {
  return [...new Set(recordsOf(parts).map((r) => r.item))].sort();
}
