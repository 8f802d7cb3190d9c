/**
 * Indexing builders: Gather (embedding lookup), GatherElements (pick one entry per row),
 * ScatterElements (its adjoint), ArgMax.
 *
 * @module
 */

import { attrs, intAttr, stringAttr } from "../graph/attributes.ts";
import { op } from "../graph/op.ts";
import type { Value } from "../graph/graph.ts";

/**
 * Takes slices of `data` along `axis` at `indices` (an embedding lookup for axis 0).
 *
 * @param data The table.
 * @param indices int64 indices, any shape.
 * @param options axis (0).
 * @returns `data.shape[:axis] ++ indices.shape ++ data.shape[axis+1:]`.
 */
export function gather(data: Value, indices: Value, options: { axis?: number } = {}): Value {
  return op(data.graph, "Gather", [data, indices], attrs({ axis: intAttr(options.axis, 0) }))[0];
}

/**
 * `out[i][j] = data[i][indices[i][j]]` for axis 1 (and likewise for other axes).
 *
 * @param data The tensor.
 * @param indices int64, the same rank as data.
 * @param options axis (0).
 * @returns A tensor shaped like indices.
 */
export function gatherElements(
  data: Value,
  indices: Value,
  options: { axis?: number } = {},
): Value {
  const attributes = attrs({ axis: intAttr(options.axis, 0) });
  return op(data.graph, "GatherElements", [data, indices], attributes)[0];
}

/** ScatterElements attributes. */
export interface ScatterElementsOptions {
  /** The axis indexed (0). */
  axis?: number;
  /** How repeated indices combine ("none"). */
  reduction?: "none" | "add" | "mul";
}

/**
 * A copy of `data` with `updates` written (or added, or multiplied) at `indices` along `axis`.
 *
 * @param data The base tensor.
 * @param indices int64, the same rank as data.
 * @param updates Shaped like indices.
 * @param options axis (0), reduction ("none").
 * @returns A tensor shaped like data.
 */
export function scatterElements(
  data: Value,
  indices: Value,
  updates: Value,
  options: ScatterElementsOptions = {},
): Value {
  const attributes = attrs({
    axis: intAttr(options.axis, 0),
    reduction: stringAttr(options.reduction, "none"),
  });
  return op(data.graph, "ScatterElements", [data, indices, updates], attributes)[0];
}
