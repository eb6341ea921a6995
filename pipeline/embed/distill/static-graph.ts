/**
 * The ONNX graph of a static (model2vec-style) sentence embedder:
 *
 *   input_ids [batch, seq] int64, attention_mask [batch, seq] int64
 *   → Gather(embeddings [vocab, dims], input_ids)              [batch, seq, dims]
 *   → × mask, ReduceSum over seq, ÷ max(#tokens, 1)             masked mean [batch, dims]
 *   → ÷ max(‖·‖₂, 1e-12)                                        L2-normalised
 *   → sentence_embedding [batch, dims] float32
 *
 * Pooling and normalisation live inside the graph, so inference is one session call with no
 * per-row JavaScript work. Token weights (SIF / Zipf) are baked into the embedding rows.
 */
import { AttrType, DataType, encodeOnnxModel, float32Bytes, int64Bytes, type ModelSpec } from './onnx-proto.ts';

export const STATIC_OUTPUT = 'sentence_embedding';
/** Opset 13: ReduceSum takes axes as an input, ReduceL2 / Unsqueeze as in 13. */
const OPSET = 13;

export interface StaticGraphOptions {
  /** vocab × dims, row-major. */
  embeddings: Float32Array;
  vocabSize: number;
  dims: number;
  producerVersion: string;
  metadata?: Record<string, string>;
}

export function buildStaticEmbeddingModel(o: StaticGraphOptions): Uint8Array {
  if (o.embeddings.length !== o.vocabSize * o.dims) {
    throw new Error(`embedding table has ${o.embeddings.length} values, expected ${o.vocabSize} × ${o.dims}`);
  }
  const scalar = (name: string, v: number) => ({ name, dataType: DataType.FLOAT, dims: [], rawData: float32Bytes(new Float32Array([v])) });
  const spec: ModelSpec = {
    graphName: 'covary_static_embedding',
    opset: OPSET,
    producerName: 'covary',
    producerVersion: o.producerVersion,
    docString: 'Static token embeddings distilled from a sentence encoder; masked mean pooling and L2 normalisation in-graph.',
    initializers: [
      { name: 'embeddings', dataType: DataType.FLOAT, dims: [o.vocabSize, o.dims], rawData: float32Bytes(o.embeddings) },
      { name: 'axis_seq', dataType: DataType.INT64, dims: [1], rawData: int64Bytes([1]) },
      { name: 'axis_last', dataType: DataType.INT64, dims: [1], rawData: int64Bytes([2]) },
      scalar('one', 1),
      scalar('eps', 1e-12),
    ],
    inputs: [
      { name: 'input_ids', elemType: DataType.INT64, shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', elemType: DataType.INT64, shape: ['batch_size', 'sequence_length'] },
    ],
    outputs: [{ name: STATIC_OUTPUT, elemType: DataType.FLOAT, shape: ['batch_size', o.dims] }],
    nodes: [
      { opType: 'Gather', inputs: ['embeddings', 'input_ids'], outputs: ['token_vectors'], attributes: [{ name: 'axis', type: AttrType.INT, i: 0 }] },
      { opType: 'Cast', inputs: ['attention_mask'], outputs: ['mask_f'], attributes: [{ name: 'to', type: AttrType.INT, i: DataType.FLOAT }] },
      { opType: 'Unsqueeze', inputs: ['mask_f', 'axis_last'], outputs: ['mask_3d'] },
      { opType: 'Mul', inputs: ['token_vectors', 'mask_3d'], outputs: ['masked'] },
      { opType: 'ReduceSum', inputs: ['masked', 'axis_seq'], outputs: ['summed'], attributes: [{ name: 'keepdims', type: AttrType.INT, i: 0 }] },
      { opType: 'ReduceSum', inputs: ['mask_f', 'axis_seq'], outputs: ['counts'], attributes: [{ name: 'keepdims', type: AttrType.INT, i: 1 }] },
      { opType: 'Max', inputs: ['counts', 'one'], outputs: ['counts_safe'] },
      { opType: 'Div', inputs: ['summed', 'counts_safe'], outputs: ['mean'] },
      { opType: 'ReduceL2', inputs: ['mean'], outputs: ['norm'], attributes: [{ name: 'axes', type: AttrType.INTS, ints: [1] }, { name: 'keepdims', type: AttrType.INT, i: 1 }] },
      { opType: 'Max', inputs: ['norm', 'eps'], outputs: ['norm_safe'] },
      { opType: 'Div', inputs: ['mean', 'norm_safe'], outputs: [STATIC_OUTPUT] },
    ],
    metadata: o.metadata,
  };
  return encodeOnnxModel(spec);
}
