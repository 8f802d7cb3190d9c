/**
 * ONNX bytes → ModelData, with a clear error for anything that is not a well-formed model
 * within onnx-lm's subset (truncated or corrupt bytes, other files, unsupported types).
 *
 * @module
 */

import { formatList } from "./format.ts";
import { allocate, BYTES_PER_ELEMENT, type DType, dtypeFromOnnx } from "./dtype.ts";
import type {
  AttributeValue,
  Dim,
  GraphData,
  Initializer,
  ModelData,
  NodeData,
  ValueInfo,
} from "./model.ts";
import { ModelProtoType, TO_OBJECT_OPTIONS } from "./schema.ts";
import { sizeOf, type Tensor } from "./tensor.ts";

/** Raised when bytes are not a readable ONNX model. The message says what and where. */
export class OnnxFormatError extends Error {
  /** The error name. */
  override name = "OnnxFormatError";
}

// Shapes of the plain objects protobufjs produces with TO_OBJECT_OPTIONS (int64 as strings).
type Long = string | number;
interface RawTensor {
  dims?: Long[];
  data_type?: number;
  name?: string;
  raw_data?: Uint8Array;
  float_data?: number[];
  double_data?: number[];
  int64_data?: Long[];
  int32_data?: number[];
}
interface RawDim {
  dim_value?: Long;
  dim_param?: string;
}
interface RawValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: RawDim[] } } };
}
interface RawAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: Long;
  s?: Uint8Array;
  t?: RawTensor;
  floats?: number[];
  ints?: Long[];
  strings?: Uint8Array[];
  g?: RawGraph;
}
interface RawNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: RawAttribute[];
}
interface RawGraph {
  node?: RawNode[];
  name?: string;
  initializer?: RawTensor[];
  doc_string?: string;
  input?: RawValueInfo[];
  output?: RawValueInfo[];
  value_info?: RawValueInfo[];
}
interface RawModel {
  ir_version?: Long;
  opset_import?: { domain?: string; version?: Long }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: RawGraph;
  metadata_props?: { key?: string; value?: string }[];
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Decodes the bytes of an `.onnx` file.
 *
 * @param bytes File contents.
 * @param source Where the bytes came from (a path), for error messages.
 * @returns The model as plain data.
 * @throws OnnxFormatError when the bytes are truncated, corrupt, not ONNX, or use element
 *   types or attribute kinds onnx-lm does not read.
 */
export function decodeModel(bytes: Uint8Array, source = "ONNX model"): ModelData {
  let raw: RawModel;
  try {
    raw = ModelProtoType.toObject(ModelProtoType.decode(bytes), TO_OBJECT_OPTIONS) as RawModel;
  } catch (error) {
    throw corruptModel(source, bytes, error);
  }
  const fail = (what: string): never => {
    throw new OnnxFormatError(`Cannot read ${source} (${bytes.length} bytes): ${what}`);
  };
  const ir = raw.ir_version === undefined ? undefined : Number(raw.ir_version);
  checkIrVersion(ir, fail);
  if (!raw.graph) fail("the model has no graph");
  try {
    return {
      irVersion: ir as number,
      opsetImports: (raw.opset_import ?? []).map((o) => ({
        domain: o.domain ?? "",
        version: Number(o.version ?? 0),
      })),
      producerName: raw.producer_name ?? "",
      producerVersion: raw.producer_version ?? "",
      ...(raw.doc_string ? { docString: raw.doc_string } : {}),
      graph: readGraph(raw.graph as RawGraph),
      metadata: (raw.metadata_props ?? []).map((p) => [p.key ?? "", p.value ?? ""] as const),
    };
  } catch (error) {
    return fail((error as Error).message);
  }
}

/**
 * The error for bytes the protobuf reader could not walk.
 *
 * @param source Where they came from.
 * @param bytes The bytes.
 * @param error The reader's error.
 * @returns The error to throw.
 */
export function corruptModel(source: string, bytes: Uint8Array, error: unknown): OnnxFormatError {
  return new OnnxFormatError(
    `Cannot decode ${source} (${bytes.length} bytes): not a valid ONNX protobuf, the file ` +
      `is truncated or corrupt (${(error as Error).message})`,
  );
}

/**
 * Refuses an IR version onnx-lm does not read (a file that is not ONNX reads as none).
 *
 * @param ir The file's `ir_version`.
 * @param fail Throws with the file named.
 */
export function checkIrVersion(ir: number | undefined, fail: (what: string) => never): void {
  if (ir === undefined || !Number.isInteger(ir) || ir < 3 || ir > 11) {
    fail(`expected an ONNX ir_version in 3..11, got ${ir ?? "none"}; is this an .onnx file?`);
  }
}

function readGraph(g: RawGraph): GraphData {
  return {
    name: g.name ?? "",
    nodes: (g.node ?? []).map(readNode),
    inputs: (g.input ?? []).map((v) => readValueInfo(v, "graph input")),
    outputs: (g.output ?? []).map((v) => readValueInfo(v, "graph output")),
    initializers: (g.initializer ?? []).map((t): Initializer => ({
      name: t.name ?? "",
      tensor: readTensor(t, `initializer "${t.name ?? ""}"`),
    })),
    valueInfo: (g.value_info ?? []).map((v) => readValueInfo(v, "value_info")),
    ...(g.doc_string ? { docString: g.doc_string } : {}),
  };
}

function readNode(n: RawNode): NodeData {
  const where = `node "${n.name ?? ""}" (${n.op_type ?? "?"})`;
  if (!n.op_type) throw new Error(`${where} has no op_type`);
  const attributes: Record<string, AttributeValue> = {};
  for (const a of n.attribute ?? []) {
    attributes[a.name ?? ""] = readAttribute(a, `${where}, attribute "${a.name ?? ""}"`);
  }
  return {
    opType: n.op_type,
    name: n.name ?? "",
    inputs: n.input ?? [],
    outputs: n.output ?? [],
    attributes,
    ...(n.domain ? { domain: n.domain } : {}),
  };
}

function readAttribute(a: RawAttribute, where: string): AttributeValue {
  switch (a.type) {
    case 1:
      return { type: "float", value: a.f ?? 0 };
    case 2:
      return { type: "int", value: Number(a.i ?? 0) };
    case 3:
      return { type: "string", value: utf8.decode(a.s ?? new Uint8Array()) };
    case 4:
      if (!a.t) throw new Error(`${where} has type TENSOR but no tensor`);
      return { type: "tensor", value: readTensor(a.t, where) };
    case 5:
      if (!a.g) throw new Error(`${where} has type GRAPH but no graph`);
      return { type: "graph", value: readGraph(a.g) };
    case 6:
      return { type: "floats", value: a.floats ?? [] };
    case 7:
      return { type: "ints", value: (a.ints ?? []).map(Number) };
    case 8:
      return { type: "strings", value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    default:
      throw new Error(
        `${where} has attribute type ${a.type ?? "none"}, which onnx-lm does not read`,
      );
  }
}

function readValueInfo(v: RawValueInfo, role: string): ValueInfo {
  const where = `${role} "${v.name ?? ""}"`;
  const tt = v.type?.tensor_type;
  if (!tt) throw new Error(`${where} is not a tensor`);
  const dims: Dim[] = (tt.shape?.dim ?? []).map((d) => {
    if (d.dim_value !== undefined) return Number(d.dim_value);
    if (d.dim_param !== undefined && d.dim_param !== "") return d.dim_param;
    return null;
  });
  return { name: v.name ?? "", dtype: dtypeFromOnnx(tt.elem_type ?? 0, where), shape: dims };
}

function readTensor(t: RawTensor, where: string): Tensor {
  const dtype = dtypeFromOnnx(t.data_type ?? 0, where);
  const dims = (t.dims ?? []).map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new Error(`${where} has invalid dims ${formatList(dims)}`);
  }
  const n = sizeOf(dims);
  const data = allocate(dtype, n);
  if (t.raw_data && t.raw_data.length > 0) {
    const expected = n * BYTES_PER_ELEMENT[dtype];
    if (t.raw_data.length !== expected) {
      throw new Error(
        `${where} has ${t.raw_data.length} bytes of raw_data, expected ${expected} ` +
          `for ${dtype} ${formatList(dims)}`,
      );
    }
    // Copy into the new (aligned) array: raw_data may sit at any offset of the file buffer.
    new Uint8Array(data.buffer).set(t.raw_data);
    return { dtype, dims, data };
  }
  const typed = typedField(t, dtype);
  if (typed.length !== n) {
    throw new Error(`${where} has ${typed.length} elements, expected ${n} for ${formatList(dims)}`);
  }
  for (let i = 0; i < n; i++) {
    if (dtype === "int64") (data as BigInt64Array)[i] = BigInt(typed[i]);
    else (data as Float32Array)[i] = Number(typed[i]);
  }
  return { dtype, dims, data };
}

function typedField(t: RawTensor, dtype: DType): readonly Long[] {
  switch (dtype) {
    case "float32":
      return t.float_data ?? [];
    case "float64":
      return t.double_data ?? [];
    case "int64":
      return t.int64_data ?? [];
    case "bool":
    case "float16": // the half's bits, as ONNX stores them in int32_data
    case "int8":
      return t.int32_data ?? [];
  }
}
