/**
 * ModelData → ONNX bytes. Deterministic: the same model always encodes to the same bytes
 * (attributes are written sorted by name; everything else keeps its given order).
 *
 * @module
 */

import { BYTES_PER_ELEMENT, ONNX_DATA_TYPE } from "./dtype.ts";
import type { AttributeValue, Dim, GraphData, ModelData, NodeData, ValueInfo } from "./model.ts";
import { ModelProtoType } from "./schema.ts";
import type { Tensor } from "./tensor.ts";

/** `AttributeProto.AttributeType` codes (facts from the ONNX spec). */
const ATTRIBUTE_TYPE: Readonly<Record<AttributeValue["type"], number>> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
};

const utf8 = new TextEncoder();

/**
 * Encodes a model as ONNX protobuf bytes.
 *
 * @param model The model.
 * @returns The bytes of an `.onnx` file.
 */
export function encodeModel(model: ModelData): Uint8Array {
  const message = {
    ir_version: model.irVersion,
    opset_import: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    ...(model.docString ? { doc_string: model.docString } : {}),
    graph: graphMessage(model.graph),
    metadata_props: model.metadata.map(([key, value]) => ({ key, value })),
  };
  return ModelProtoType.encode(message).finish();
}

function graphMessage(graph: GraphData): Record<string, unknown> {
  return {
    node: graph.nodes.map(nodeMessage),
    name: graph.name,
    initializer: graph.initializers.map((init) => tensorMessage(init.tensor, init.name)),
    ...(graph.docString ? { doc_string: graph.docString } : {}),
    input: graph.inputs.map(valueInfoMessage),
    output: graph.outputs.map(valueInfoMessage),
    value_info: graph.valueInfo.map(valueInfoMessage),
  };
}

function nodeMessage(node: NodeData): Record<string, unknown> {
  const names = Object.keys(node.attributes).sort();
  return {
    input: [...node.inputs],
    output: [...node.outputs],
    name: node.name,
    op_type: node.opType,
    ...(node.domain ? { domain: node.domain } : {}),
    attribute: names.map((name) => attributeMessage(name, node.attributes[name])),
  };
}

function attributeMessage(name: string, attr: AttributeValue): Record<string, unknown> {
  const base = { name, type: ATTRIBUTE_TYPE[attr.type] };
  switch (attr.type) {
    case "float":
      return { ...base, f: attr.value };
    case "int":
      return { ...base, i: attr.value };
    case "string":
      return { ...base, s: utf8.encode(attr.value) };
    case "tensor":
      return { ...base, t: tensorMessage(attr.value) };
    case "floats":
      return { ...base, floats: [...attr.value] };
    case "ints":
      return { ...base, ints: [...attr.value] };
    case "strings":
      return { ...base, strings: attr.value.map((s) => utf8.encode(s)) };
    case "graph":
      return { ...base, g: graphMessage(attr.value) };
  }
}

function valueInfoMessage(info: ValueInfo): Record<string, unknown> {
  return {
    name: info.name,
    type: {
      tensor_type: {
        elem_type: ONNX_DATA_TYPE[info.dtype],
        shape: { dim: info.shape.map(dimMessage) },
      },
    },
  };
}

function dimMessage(dim: Dim): Record<string, unknown> {
  if (typeof dim === "number") return { dim_value: dim };
  if (typeof dim === "string") return { dim_param: dim };
  return {};
}

/**
 * TensorProto with `raw_data`. ONNX stores raw data little-endian, which is the byte order of
 * typed arrays on every platform onnxruntime supports, so the bytes are copied as they are.
 */
function tensorMessage(t: Tensor, name?: string): Record<string, unknown> {
  const bytes = new Uint8Array(
    t.data.buffer,
    t.data.byteOffset,
    t.data.length * BYTES_PER_ELEMENT[t.dtype],
  );
  return {
    dims: [...t.dims],
    data_type: ONNX_DATA_TYPE[t.dtype],
    ...(name === undefined ? {} : { name }),
    raw_data: bytes.slice(),
  };
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("onnx-lm needs a little-endian platform: ONNX raw_data is little-endian");
}
