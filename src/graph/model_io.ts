/**
 * Converting between a Graph and the file-level ModelData (and so to and from bytes).
 *
 * @module
 */

import type { GraphData, ModelData, NodeData, ValueInfo } from "../onnx/model.ts";
import { IR_VERSION, OPSET_VERSION, PRODUCER_NAME, PRODUCER_VERSION } from "../onnx/version.ts";
import { encodeModel } from "../onnx/encode.ts";
import { decodeModel, OnnxFormatError } from "../onnx/decode.ts";
import { Graph } from "./graph.ts";
import { inferNode } from "./op.ts";
import { isOpType } from "./op_type.ts";
import { outerReadsOf } from "./subgraph.ts";
import type { Value } from "./graph.ts";
import { formatType, shapesCompatible } from "./value.ts";

/** What goes into a model file besides the graph. */
export interface ModelOptions {
  /** `metadata_props`, written in the given order. */
  metadata?: readonly (readonly [string, string])[];
  /** `doc_string` of the model. */
  docString?: string;
}

const info = (v: Value): ValueInfo => ({ name: v.name, dtype: v.dtype, shape: v.shape });

/**
 * The model file content for a graph, with onnx-lm's pinned IR version and opset.
 *
 * @param g The graph.
 * @param options Metadata and doc string.
 * @returns The model.
 */
export function graphToModel(g: Graph, options: ModelOptions = {}): ModelData {
  return {
    irVersion: IR_VERSION,
    opsetImports: [{ domain: "", version: OPSET_VERSION }],
    producerName: PRODUCER_NAME,
    producerVersion: PRODUCER_VERSION,
    ...(options.docString ? { docString: options.docString } : {}),
    graph: graphData(g),
    metadata: options.metadata ?? [],
  };
}

/**
 * Serializes a graph to `.onnx` bytes (deterministic: same graph, same bytes).
 *
 * @param g The graph.
 * @param options Metadata and doc string.
 * @returns The bytes.
 */
export function saveGraph(g: Graph, options: ModelOptions = {}): Uint8Array {
  return encodeModel(graphToModel(g, options));
}

/**
 * Rebuilds a Graph from model content, re-running shape inference on every node and checking
 * the declared output types against it.
 *
 * @param model A decoded model.
 * @param source Where it came from, for error messages.
 * @returns The graph.
 * @throws OnnxFormatError when the model uses another opset, an unsupported operator, or
 *   types that disagree with inference.
 */
export function modelToGraph(model: ModelData, source = "ONNX model"): Graph {
  const fail = (message: string): never => {
    throw new OnnxFormatError(`Cannot load ${source}: ${message}`);
  };
  const opset = model.opsetImports.find((o) => o.domain === "" || o.domain === "ai.onnx");
  if (!opset || opset.version !== OPSET_VERSION) {
    fail(`expected default-domain opset ${OPSET_VERSION}, got ${opset?.version ?? "none"}`);
  }
  const gd = model.graph;
  const g = new Graph(gd.name || "main");
  try {
    for (const v of gd.inputs) g.input(v.name, v.dtype, v.shape);
    for (const { name, tensor } of gd.initializers) {
      // IR >= 4 lets an initializer give a default to a graph input of the same name.
      if (g.values.has(name)) g.initializers.set(name, tensor);
      else g.initializer(name, tensor);
    }
  } catch (error) {
    fail((error as Error).message);
  }
  addNodes(g, gd.nodes, fail);
  for (const declared of gd.outputs) {
    const v = g.values.get(declared.name);
    if (!v) return fail(`graph output "${declared.name}" is never computed`);
    if (v.dtype !== declared.dtype || !shapesCompatible(v.shape, declared.shape)) {
      fail(
        `graph output "${declared.name}" is declared ${formatType(declared)} but computes ${
          formatType(v)
        }`,
      );
    }
    g.outputs.push(v);
  }
  return g;
}

/** Adds decoded nodes to `g`, inferring and defining their outputs. */
function addNodes(
  g: Graph,
  nodes: readonly NodeData[],
  fail: (message: string) => never,
): void {
  for (const node of nodes) {
    const opType = node.opType;
    if ((node.domain ?? "") !== "" || !isOpType(opType)) {
      fail(
        `node "${node.name}" uses operator "${
          node.domain ? `${node.domain}.` : ""
        }${opType}", which onnx-lm does not support`,
      );
    }
    const typed = { ...node, opType: opType as never };
    try {
      const { types, value } = inferNode(g, typed, `Node "${node.name}" (${opType})`);
      types.forEach((t, i) => g.define(node.outputs[i], t.dtype, t.shape));
      if (value) g.known.set(node.outputs[0], value);
      g.addNode(typed);
    } catch (error) {
      fail((error as Error).message);
    }
  }
}

/**
 * A graph held by a node (a Loop's body) as a Graph, its outer reads captured from `outer`,
 * so that its values have types (to count its FLOPs, say).
 *
 * @param data The subgraph.
 * @param outer The graph around it.
 * @returns The graph.
 * @throws OnnxFormatError when the subgraph reads a value `outer` lacks, or its types do not
 *   infer.
 */
export function subgraphToGraph(data: GraphData, outer: Graph): Graph {
  const fail = (message: string): never => {
    throw new OnnxFormatError(`Cannot read subgraph "${data.name}": ${message}`);
  };
  const g = new Graph(data.name || "body", { maxNodeTensors: outer.maxNodeTensors });
  try {
    for (const name of outerReadsOf(data)) g.capture(outer.value(name));
    for (const v of data.inputs) g.input(v.name, v.dtype, v.shape);
    for (const { name, tensor } of data.initializers) g.initializer(name, tensor);
  } catch (error) {
    fail((error as Error).message);
  }
  addNodes(g, data.nodes, fail);
  for (const declared of data.outputs) {
    g.outputs.push(
      g.values.get(declared.name) ?? fail(
        `output "${declared.name}" is never computed`,
      ),
    );
  }
  return g;
}

/**
 * The GraphProto content of a graph (a model's, or a Loop body's: its captured values are
 * read from the graph around it, and declared nowhere).
 *
 * @param g The graph.
 * @returns Its plain data.
 */
export function graphData(g: Graph): GraphData {
  return {
    name: g.name,
    nodes: g.nodes,
    inputs: g.inputs.map(info),
    outputs: g.outputs.map(info),
    initializers: [...g.initializers].map(([name, tensor]) => ({ name, tensor })),
    valueInfo: [],
  };
}

/**
 * Decodes `.onnx` bytes into a checked Graph.
 *
 * @param bytes File contents.
 * @param source Where they came from (a path), for error messages.
 * @returns The graph.
 */
export function loadGraph(bytes: Uint8Array, source = "ONNX model"): Graph {
  return modelToGraph(decodeModel(bytes, source), source);
}
