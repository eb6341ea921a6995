/**
 * Which embedder `--model` names: the default Universal Sentence Encoder lite (id "use-lite"),
 * or any other id / path → a local ONNX folder through transformers.js.
 */
import { join } from 'node:path';
import type { Embedder } from '../embedder.ts';
import { PROJECT_ROOT } from '../../core/version.ts';
import { USE_LITE_ID, USE_LITE_DIMS, createUseLiteEmbedder, describeUseLite, useLiteModelHash, type ModelDescription } from './use-lite.ts';

export type { ModelDescription } from './use-lite.ts';

export const DEFAULT_MODEL_ID = USE_LITE_ID;
/** Default token limit (as sentence-transformers' MiniLM models use). */
export const DEFAULT_MAX_TOKENS = 256;
export const DEFAULT_MODELS_DIR = join(PROJECT_ROOT, 'models');

export interface EmbedderChoice {
  /** "use-lite" (default), a models/<id> folder name, or a path. */
  model: string;
  /** Cut each text to this many tokens (0 = none). */
  maxTokens: number;
  /** Worker threads for backends that use them (USE lite); 0/1 = in-process. */
  workers: number;
  allowDownload: boolean;
  modelsDir: string;
}

export function isDefaultModel(model: string): boolean {
  return model === USE_LITE_ID;
}

/** The default model, for `covary models ls`. */
export function describeDefaultModel(): ModelDescription {
  return describeUseLite();
}

/**
 * Identity of the chosen model without loading it, when that is cheap (the default encoder): lets
 * the stage find a fresh result without starting workers. Null for backends that must load first.
 */
export async function peekModelIdentity(choice: EmbedderChoice): Promise<{ id: string; modelHash: string; dims: number } | null> {
  if (isDefaultModel(choice.model)) return { id: USE_LITE_ID, modelHash: await useLiteModelHash(), dims: USE_LITE_DIMS };
  return null;
}

export async function createEmbedder(choice: EmbedderChoice): Promise<Embedder> {
  if (isDefaultModel(choice.model)) return createUseLiteEmbedder({ maxTokens: choice.maxTokens, workers: choice.workers });
  const { createOnnxEmbedder } = await import('./onnx.ts');
  return createOnnxEmbedder({ model: choice.model, modelsDir: choice.modelsDir, allowDownload: choice.allowDownload, maxTokens: choice.maxTokens });
}
