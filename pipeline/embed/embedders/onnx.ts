import type { Embedder } from '../embedder.ts';
import { NotBuiltError } from '../../core/errors.ts';

export interface OnnxEmbedderOptions {
  /** models/<id> folder name or a path to a Hugging Face layout folder. */
  model: string;
  /** Where local model folders live (default <project>/models). */
  modelsDir: string;
  /** Let transformers.js fetch the model from the Hugging Face hub into modelsDir (explicit opt-in). */
  allowDownload: boolean;
  /** Truncate inputs to this many tokens (0 = no truncation). */
  maxTokens: number;
}

/** A sentence-transformer (or distilled static) ONNX model through transformers.js + onnxruntime-node. */
export async function createOnnxEmbedder(_opts: OnnxEmbedderOptions): Promise<Embedder> {
  throw new NotBuiltError('the ONNX / transformers.js embedder (issue #3)');
}
