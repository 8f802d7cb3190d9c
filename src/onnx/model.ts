/**
 * The ONNX file's content as plain TypeScript data: what `encodeModel` writes and
 * `decodeModel` returns. Field meanings follow ModelProto/GraphProto/NodeProto.
 *
 * @module
 */

import type { DType } from "./dtype.ts";
import type { Tensor } from "./tensor.ts";

/** A dimension: a static size, a named symbol such as `"batch"`, or `null` when unknown. */
export type Dim = number | string | null;

/** The declared dtype and shape of a graph input, output or intermediate value. */
export interface ValueInfo {
  /** Its name, unique in the graph. */
  readonly name: string;
  /** Element type. */
  readonly dtype: DType;
  /** Shape; a string is a symbolic dimension. */
  readonly shape: readonly Dim[];
}

/** One attribute value, tagged with its ONNX `AttributeType`. */
export type AttributeValue =
  | { readonly type: "float"; readonly value: number }
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "tensor"; readonly value: Tensor }
  | { readonly type: "floats"; readonly value: readonly number[] }
  | { readonly type: "ints"; readonly value: readonly number[] }
  | { readonly type: "strings"; readonly value: readonly string[] }
  | { readonly type: "graph"; readonly value: GraphData };

/** Attributes of a node by name. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** One operator application (NodeProto). `""` in `inputs` marks an omitted optional input. */
export interface NodeData {
  /** Operator name in ONNX spelling (`MatMul`). */
  readonly opType: string;
  /** Its name, unique in the graph. */
  readonly name: string;
  /** Input value names, in the operator's order. */
  readonly inputs: readonly string[];
  /** Output value names. */
  readonly outputs: readonly string[];
  /** Attributes by name. */
  readonly attributes: Attributes;
  /** Operator domain; `""` (the default ONNX domain) when omitted. */
  readonly domain?: string;
}

/** A named constant stored in the file (an initializer). */
export interface Initializer {
  /** Its name, unique in the graph. */
  readonly name: string;
  /** Its value. */
  readonly tensor: Tensor;
}

/** GraphProto as plain data. */
export interface GraphData {
  /** Its name, unique in the graph. */
  readonly name: string;
  /** Nodes in topological order. */
  readonly nodes: readonly NodeData[];
  /** Graph inputs (initializers may also appear here, with defaults). */
  readonly inputs: readonly ValueInfo[];
  /** Graph outputs. */
  readonly outputs: readonly ValueInfo[];
  /** Weights stored in the file. */
  readonly initializers: readonly Initializer[];
  /** Types of intermediate values. */
  readonly valueInfo: readonly ValueInfo[];
  /** Free text describing it. */
  readonly docString?: string;
}

/** An operator set the model imports. */
export interface OpsetImport {
  /** Operator set domain (`""` is the default ONNX domain). */
  readonly domain: string;
  /** Operator set version. */
  readonly version: number;
}

/** ModelProto as plain data. */
export interface ModelData {
  /** ONNX IR version. */
  readonly irVersion: number;
  /** Operator sets the graph uses. */
  readonly opsetImports: readonly OpsetImport[];
  /** The tool that wrote the file. */
  readonly producerName: string;
  /** That tool's version. */
  readonly producerVersion: string;
  /** Free text describing it. */
  readonly docString?: string;
  /** The graph. */
  readonly graph: GraphData;
  /** `metadata_props` in file order. */
  readonly metadata: readonly (readonly [string, string])[];
}
