/**
 * Constants as `Constant` nodes. Initializers are kept for parameters, so a deployed file's
 * initializers are exactly its weights.
 *
 * @module
 */

import type { DType } from "../onnx/dtype.ts";
import { scalar, type Tensor, tensor } from "../onnx/tensor.ts";
import type { Graph, Value } from "../graph/graph.ts";
import { attrs, tensorAttr } from "../graph/attributes.ts";
import { op } from "../graph/op.ts";

/**
 * A `Constant` node holding a tensor.
 *
 * @param g The graph.
 * @param value The tensor.
 * @returns Its output.
 */
export function constant(g: Graph, value: Tensor): Value {
  return op(g, "Constant", [], attrs({ value: tensorAttr(value) }))[0];
}

/**
 * A scalar constant.
 *
 * @param g The graph.
 * @param dtype Element type.
 * @param value The number.
 * @returns A rank-0 value.
 */
export function constantScalar(g: Graph, dtype: DType, value: number): Value {
  // Gradient rules ask for the same few scalars (0, 1, 2) over and over: share one node.
  const key = `${dtype}:${Object.is(value, -0) ? "-0" : String(value)}`;
  let cache = scalarCache.get(g);
  if (!cache) scalarCache.set(g, cache = new Map());
  const cached = cache.get(key);
  if (cached && g.values.get(cached.name) === cached) return cached;
  const v = constant(g, scalar(dtype, dtype === "int64" ? BigInt(value) : value));
  cache.set(key, v);
  return v;
}

const scalarCache = new WeakMap<Graph, Map<string, Value>>();

/**
 * A 1-D int64 constant, as used for axes, shapes, starts and ends.
 *
 * @param g The graph.
 * @param values The integers.
 * @returns A `[values.length]` int64 value.
 */
export function int64s(g: Graph, values: readonly number[]): Value {
  return constant(g, tensor("int64", [values.length], values.map((v) => BigInt(v))));
}

/** Integers given either as a list (made a constant) or as an int64 value of the graph. */
export type IntsLike = readonly number[] | Value;

/**
 * The value for an `IntsLike`.
 *
 * @param g The graph.
 * @param ints A list of integers or an existing value.
 * @returns The value.
 */
export function intsValue(g: Graph, ints: IntsLike): Value {
  return Array.isArray(ints) ? int64s(g, ints as readonly number[]) : ints as Value;
}
