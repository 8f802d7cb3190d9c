/**
 * Reduction builders (ReduceSum, ReduceMean, ReduceMax, ArgMax) and Softmax/LogSoftmax.
 *
 * @module
 */

import { attrs, boolAttr, intAttr, intsAttr } from "../graph/attributes.ts";
import { op } from "../graph/op.ts";
import type { Value } from "../graph/graph.ts";
import { int64s } from "./constant.ts";

/** Options shared by the reductions. */
export interface ReduceOptions {
  /** Keep reduced axes as size 1 (true, as in the spec). */
  keepdims?: boolean;
}

/**
 * Sums over axes (all axes when `axes` is empty).
 *
 * @param x The tensor.
 * @param axes Axes to reduce.
 * @param options keepdims (true).
 * @returns The sums.
 */
export function reduceSum(
  x: Value,
  axes: readonly number[] = [],
  options: ReduceOptions = {},
): Value {
  const axesValue = axes.length ? int64s(x.graph, axes) : null;
  const attributes = attrs({ keepdims: boolAttr(options.keepdims, true) });
  return op(x.graph, "ReduceSum", [x, axesValue], attributes)[0];
}

function reduceWithAttr(opType: "ReduceMean" | "ReduceMax") {
  return (x: Value, axes: readonly number[] = [], options: ReduceOptions = {}): Value => {
    const attributes = attrs({
      axes: intsAttr(axes, []),
      keepdims: boolAttr(options.keepdims, true),
    });
    return op(x.graph, opType, [x], attributes)[0];
  };
}

/** Mean over axes (all axes when `axes` is empty); opset 17 takes axes as an attribute. */
export const reduceMean: (x: Value, axes?: readonly number[], options?: ReduceOptions) => Value =
  reduceWithAttr("ReduceMean");

/** Maximum over axes (all axes when `axes` is empty). */
export const reduceMax: (x: Value, axes?: readonly number[], options?: ReduceOptions) => Value =
  reduceWithAttr("ReduceMax");

/**
 * Index of the largest element along an axis (the first one on ties).
 *
 * @param x The tensor.
 * @param axis The axis (0).
 * @param options keepdims (true).
 * @returns int64 indices.
 */
export function argMax(x: Value, axis = 0, options: ReduceOptions = {}): Value {
  const attributes = attrs({ axis: intAttr(axis, 0), keepdims: boolAttr(options.keepdims, true) });
  return op(x.graph, "ArgMax", [x], attributes)[0];
}

/**
 * Softmax along an axis (the last by default).
 *
 * @param x Float tensor.
 * @param axis The axis (-1).
 * @returns Probabilities.
 */
export function softmax(x: Value, axis = -1): Value {
  // Written even at the default -1: before opset 13 the default was 1, so an explicit axis
  // means the same to every reader.
  return op(x.graph, "Softmax", [x], attrs({ axis: intAttr(axis) }))[0];
}

/**
 * Log of softmax along an axis, computed stably.
 *
 * @param x Float tensor.
 * @param axis The axis (-1).
 * @returns Log-probabilities.
 */
export function logSoftmax(x: Value, axis = -1): Value {
  // Written even at the default, as in softmax.
  return op(x.graph, "LogSoftmax", [x], attrs({ axis: intAttr(axis) }))[0];
}
