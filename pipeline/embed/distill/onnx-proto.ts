/**
 * A minimal inline subset of onnx.proto (field numbers as in github.com/onnx/onnx/blob/main/onnx/onnx.proto),
 * enough to write a graph of standard operators with float / int64 initializers. Written with
 * protobufjs so we need neither the onnx Python package nor a generated module.
 */
import { createRequire } from 'node:module';
import type Protobuf from 'protobufjs';

// protobufjs loads on first encode, so commands that never build an ONNX graph start fast.
const require = createRequire(import.meta.url);

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: { fields: { tensorType: { type: 'TypeProtoTensor', id: 1 } } },
        TypeProtoTensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } },
        },
      },
    },
  },
};

let modelProtoType: Protobuf.Type | null = null;
const modelProto = (): Protobuf.Type => (modelProtoType ??= (require('protobufjs') as typeof Protobuf).Root.fromJSON(descriptor).lookupType('onnx.ModelProto'));

/** onnx TensorProto.DataType values we use. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
/** onnx AttributeProto.AttributeType values we use. */
export const AttrType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

export interface TensorInit {
  name: string;
  dataType: number;
  dims: number[];
  /** Little-endian bytes (float32 / int64). */
  rawData: Uint8Array;
}

export interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: { name: string; type: number; i?: number; f?: number; ints?: number[] }[];
}

export interface ValueInfo {
  name: string;
  elemType: number;
  /** Numbers are fixed sizes, strings are symbolic (dynamic) dimensions. */
  shape: (number | string)[];
}

export interface ModelSpec {
  graphName: string;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  nodes: NodeSpec[];
  initializers: TensorInit[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  metadata?: Record<string, string>;
}

const valueInfo = (v: ValueInfo) => ({
  name: v.name,
  type: {
    tensorType: {
      elemType: v.elemType,
      shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

/** Serialise a model to ONNX protobuf bytes (IR version 8). Deterministic for equal specs. */
export function encodeOnnxModel(spec: ModelSpec): Uint8Array {
  const msg = modelProto().fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: spec.opset }],
    producerName: spec.producerName,
    producerVersion: spec.producerVersion,
    docString: spec.docString ?? '',
    graph: {
      name: spec.graphName,
      node: spec.nodes.map((n, i) => ({
        input: n.inputs,
        output: n.outputs,
        name: n.name ?? `${n.opType}_${i}`,
        opType: n.opType,
        attribute: (n.attributes ?? []).map((a) => ({ ...a })),
      })),
      initializer: spec.initializers.map((t) => ({ name: t.name, dataType: t.dataType, dims: t.dims, rawData: t.rawData })),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
    metadataProps: Object.keys(spec.metadata ?? {})
      .sort()
      .map((key) => ({ key, value: spec.metadata![key] })),
  });
  return modelProto().encode(msg).finish();
}

/** Decode (for tests and `models ls`): graph input/output names and initializer shapes. */
export function describeOnnxModel(bytes: Uint8Array): { inputs: string[]; outputs: string[]; initializers: { name: string; dims: number[] }[]; opset: number; metadata: Record<string, string> } {
  const m = modelProto().toObject(modelProto().decode(bytes), { longs: Number }) as {
    opsetImport?: { version?: number }[];
    graph?: { input?: { name: string }[]; output?: { name: string }[]; initializer?: { name: string; dims?: number[] }[] };
    metadataProps?: { key: string; value: string }[];
  };
  const metadata: Record<string, string> = {};
  for (const p of m.metadataProps ?? []) metadata[p.key] = p.value;
  return {
    opset: m.opsetImport?.[0]?.version ?? 0,
    inputs: (m.graph?.input ?? []).map((v) => v.name),
    outputs: (m.graph?.output ?? []).map((v) => v.name),
    initializers: (m.graph?.initializer ?? []).map((t) => ({ name: t.name, dims: t.dims ?? [] })),
    metadata,
  };
}

/** Little-endian int64 bytes of small integers. */
export function int64Bytes(values: number[]): Uint8Array {
  const b = new BigInt64Array(values.map((v) => BigInt(v)));
  return new Uint8Array(b.buffer);
}

export function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
