/**
 * Tensors filled with one number, shaped like a value (static or symbolic).
 *
 * @module
 */

import { GradError } from "./rule.ts";
import { type Dim, isStaticShape } from "../graph/value.ts";
import type { Graph, Value } from "../graph/graph.ts";
import type { DType } from "../onnx/dtype.ts";
import { constantScalar, int64s } from "../ops/constant.ts";
import { expand, shape } from "../ops/shape.ts";

/**
 * A tensor of `dims` filled with `value`: an Expand of a scalar, so files stay small.
 *
 * @param g The graph.
 * @param dtype Element type.
 * @param dims Static dims, or a value whose shape to copy (symbolic dims allowed).
 * @param value The fill value.
 * @returns The filled tensor.
 */
export function full(g: Graph, dtype: DType, dims: readonly Dim[] | Value, value: number): Value {
  const s = constantScalar(g, dtype, value);
  if (Array.isArray(dims)) {
    const staticDims = dims as readonly Dim[];
    if (staticDims.length === 0) return s;
    if (isStaticShape(staticDims)) {
      return expand(s, int64s(g, staticDims));
    }
    throw new GradError(
      `full(): dims ${JSON.stringify(dims)} are not static; pass a value to copy its shape`,
    );
  }
  return expand(s, shape(dims as Value));
}

/**
 * Zeros shaped like `v`.
 *
 * @param v The value.
 * @returns Zeros of v's dtype and shape.
 */
export function zerosLike(v: Value): Value {
  const dims = isStaticShape(v.shape) ? v.shape : v;
  return full(v.graph, v.dtype, dims, 0);
}

/**
 * Ones shaped like `v`.
 *
 * @param v The value.
 * @returns Ones of v's dtype and shape.
 */
export function onesLike(v: Value): Value {
  const dims = isStaticShape(v.shape) ? v.shape : v;
  return full(v.graph, v.dtype, dims, 1);
}
