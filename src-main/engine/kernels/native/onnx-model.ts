// A minimal ONNX model writer: one small graph per kernel shape, in protobuf's wire
// format, so the project needs no protobuf or onnx package for a dozen fields.
// Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, ...).

export interface OnnxAttribute {
  name: string;
  ints?: number[];
  int?: number;
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

export type NamedShape = [name: string, shape: number[]];

const FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;
/** The operator set graphs are written against unless they ask for another. */
export const DEFAULT_OPSET = 17;
const IR_VERSION = 8;

class ProtoWriter {
  readonly bytes: number[] = [];

  varint(value: number): this {
    let rest = value;
    while (rest > 0x7f) {
      this.bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    this.bytes.push(rest);
    return this;
  }

  int(field: number, value: number): this {
    if (value < 0 || !Number.isInteger(value)) throw new Error(`onnx-model: ${value} is not a non-negative integer`);
    return this.varint(field << 3).varint(value);
  }

  bytesField(field: number, data: ArrayLike<number>): this {
    this.varint((field << 3) | 2).varint(data.length);
    for (let i = 0; i < data.length; i++) this.bytes.push(data[i]);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytesField(field, inner.bytes);
  }
}

function attribute(attr: OnnxAttribute): ProtoWriter {
  const writer = new ProtoWriter().string(1, attr.name);
  if (attr.ints) {
    for (const value of attr.ints) writer.int(8, value);
    return writer.int(20, ATTRIBUTE_INTS);
  }
  return writer.int(3, attr.int ?? 0).int(20, ATTRIBUTE_INT);
}

function floatTensorInfo([name, shape]: NamedShape): ProtoWriter {
  const dims = new ProtoWriter();
  for (const size of shape) dims.message(1, new ProtoWriter().int(1, size));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** A serialised ModelProto of `nodes` with float32 inputs and outputs of fixed shapes. */
export function onnxModel(
  nodes: OnnxNode[],
  inputs: NamedShape[],
  outputs: NamedShape[],
  opsetVersion = DEFAULT_OPSET,
): Uint8Array {
  const graph = new ProtoWriter();
  nodes.forEach((node, index) => {
    const writer = new ProtoWriter();
    for (const input of node.inputs) writer.string(1, input);
    for (const output of node.outputs) writer.string(2, output);
    writer.string(3, `node${index}`).string(4, node.op);
    for (const attr of node.attributes ?? []) writer.message(5, attribute(attr));
    graph.message(1, writer);
  });
  graph.string(2, 'kernel');
  for (const input of inputs) graph.message(11, floatTensorInfo(input));
  for (const output of outputs) graph.message(12, floatTensorInfo(output));
  const opset = new ProtoWriter().string(1, '').int(2, opsetVersion);
  const model = new ProtoWriter().int(1, IR_VERSION).string(2, 'cgan-studio').message(7, graph).message(8, opset);
  return new Uint8Array(model.bytes);
}
