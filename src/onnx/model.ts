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
  readonly name: string;
  readonly dtype: DType;
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
  | { readonly type: "strings"; readonly value: readonly string[] };

/** Attributes of a node by name. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** One operator application (NodeProto). `""` in `inputs` marks an omitted optional input. */
export interface NodeData {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
  /** Operator domain; `""` (the default ONNX domain) when omitted. */
  readonly domain?: string;
}

/** A named constant stored in the file (an initializer). */
export interface Initializer {
  readonly name: string;
  readonly tensor: Tensor;
}

/** GraphProto as plain data. */
export interface GraphData {
  readonly name: string;
  readonly nodes: readonly NodeData[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: readonly Initializer[];
  readonly valueInfo: readonly ValueInfo[];
  readonly docString?: string;
}

/** An operator set the model imports. */
export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

/** ModelProto as plain data. */
export interface ModelData {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly graph: GraphData;
  /** `metadata_props` in file order. */
  readonly metadata: readonly (readonly [string, string])[];
}
