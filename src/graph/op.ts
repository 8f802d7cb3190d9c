/**
 * `op()`: the one place where nodes enter a graph. It checks the inputs, runs the operator's
 * shape inference, names the outputs and records the node.
 *
 * @module
 */

import type { Attributes } from "../onnx/model.ts";
import type { Graph, Node, Value } from "./graph.ts";
import { InferContext } from "./infer/context.ts";
import { OP_SCHEMAS } from "./op_schemas.ts";
import type { OpType } from "./op_type.ts";
import type { Dim, TypeInfo } from "./value.ts";

/**
 * Adds a node to `graph` and returns its outputs with inferred types.
 *
 * @param graph The graph to add to (every input must belong to it).
 * @param opType The ONNX operator.
 * @param inputs Inputs in spec order; `null` for an omitted optional input.
 * @param attributes Attributes by spec name.
 * @param nOutputs Number of outputs (more than 1 only for Split).
 * @returns The output values.
 * @throws GraphBuildError naming the op, the input and expected vs actual when they do not fit.
 */
export function op(
  graph: Graph,
  opType: OpType,
  inputs: readonly (Value | null)[],
  attributes: Attributes = {},
  nOutputs = 1,
): Value[] {
  inputs.forEach((v, i) => v && graph.expectOwn(v, `input ${i} of ${opType}`));
  const names = inputs.map((v) => v?.name ?? "");
  while (names.length > 0 && names[names.length - 1] === "") names.pop();
  const nodeName = graph.freshName(opType);
  const outputs = Array.from(
    { length: nOutputs },
    (_, i) => i === 0 ? nodeName : `${nodeName}_out${i}`,
  );
  const node: Node = { opType, name: nodeName, inputs: names, outputs, attributes };
  const { types, value } = inferNode(graph, node, `Cannot build "${opType}"`);
  const values = types.map((t, i) => graph.define(outputs[i], t.dtype, t.shape));
  graph.addNode(node);
  if (value) graph.known.set(outputs[0], value);
  return values;
}

/**
 * Runs shape inference for one node against the value types recorded in `graph`.
 *
 * @param graph Where the node's inputs are defined.
 * @param node The node.
 * @param prefix Start of error messages.
 * @param known int64 contents known at build time, by value name.
 * @returns The output types and, for shape arithmetic, the known int64 output value.
 */
export function inferNode(
  graph: Graph,
  node: Node,
  prefix: string,
  known: ReadonlyMap<string, readonly Dim[]> = graph.known,
): { types: TypeInfo[]; value: Dim[] | undefined } {
  const schema = OP_SCHEMAS[node.opType];
  const inputs = node.inputs.map((name) => name === "" ? undefined : graph.value(name));
  const ctx = new InferContext(
    node.opType,
    schema.inputs,
    inputs,
    node.attributes,
    node.outputs.length,
    (i) => known.get(node.inputs[i]),
    prefix,
  );
  const types = schema.infer(ctx);
  if (types.length !== node.outputs.length) {
    ctx.fail(`expected ${types.length} output(s), the node declares ${node.outputs.length}`);
  }
  return { types, value: schema.value?.(ctx) };
}
