/**
 * onnx-lm: build, train and deploy the small language models of fastbook chapter 12 as ONNX
 * graphs, entirely in TypeScript.
 *
 * Every stage is usable alone: build a graph with typed op builders and print it, save it as
 * `.onnx` bytes, and run it with onnxruntime-node.
 *
 * @example Build a one-layer graph, save it, and run it
 * ```ts
 * import { Graph, ops, printGraph, saveGraph, Session, tensor } from "./mod.ts";
 *
 * const g = new Graph("linear");
 * const x = g.input("x", "float32", ["batch", 3]);
 * const w = g.initializer("weight", tensor("float32", [2, 3], [1, 0, 0, 0, 1, 0]));
 * g.output(ops.relu(ops.gemm(x, w, null, { transB: true })), "y");
 * console.log(printGraph(g));
 *
 * const session = await Session.create(saveGraph(g));
 * const { y } = await session.run({ x: tensor("float32", [1, 3], [-1, 2, 3]) });
 * console.log(y.dims, y.data); // [1, 2] Float32Array [0, 2]
 * await session.release();
 * ```
 *
 * @module
 */

export * from "./src/onnx/mod.ts";
export * from "./src/graph/mod.ts";
export * as ops from "./src/ops/mod.ts";
export * from "./src/data/mod.ts";
export * from "./src/grad/mod.ts";
export * from "./src/nn/mod.ts";
export * from "./src/optim/mod.ts";
export * from "./src/train/mod.ts";
export * from "./src/runtime/mod.ts";
export * from "./src/export/mod.ts";
export * from "./src/generate/mod.ts";
export * from "./src/contract/mod.ts";
export * from "./src/run/mod.ts";
export * from "./src/api/mod.ts";
