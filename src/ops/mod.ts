/**
 * Typed builders for every supported ONNX operator, named after the ops (`matMul` builds
 * `MatMul`). Inputs are positional in spec order; attributes are one options object.
 *
 * @module
 */

export * from "./constant.ts";
export * from "./elementwise.ts";
export * from "./erf.ts";
export * from "./linalg.ts";
export * from "./indexing.ts";
export * from "./shape.ts";
export * from "./reduce.ts";
export * from "./control.ts";
