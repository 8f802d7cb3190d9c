/**
 * Graphs of ONNX nodes with static types: building (`op()`), shape inference, checking,
 * printing, FLOP counting, and conversion to and from model files.
 *
 * @module
 */

export { Graph, type GraphOptions, type Node, type Value } from "./graph.ts";
export { MAX_NODE_TENSORS } from "./limits.ts";
export { inferNode, op } from "./op.ts";
export { isOpType, OP_TYPES, type OpType } from "./op_type.ts";
export { OP_SCHEMAS, type OpSchema } from "./op_schemas.ts";
export { GraphBuildError } from "./errors.ts";
export { InferContext } from "./infer/context.ts";
export { broadcastShapes } from "./infer/broadcast.ts";
export { checkGraph, GraphCheckError } from "./check.ts";
export { printGraph, printNeighbourhood, printNode } from "./print.ts";
export { pruneUnused } from "./prune.ts";
export { countFlops, type FlopCount, FlopCountError } from "./flops.ts";
export { type LiveBytes, liveBytes } from "./live_bytes.ts";
export { graphToModel, loadGraph, type ModelOptions, modelToGraph, saveGraph } from "./model_io.ts";
export * from "./attributes.ts";
export * from "./value.ts";
export { updatedName } from "./updated_name.ts";
