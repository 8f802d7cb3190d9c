/**
 * Types of a graph's values (element type and shape) and the helpers that format and compare
 * them. The `Value` itself, which belongs to a `Graph`, is in `graph.ts`.
 *
 * @module
 */

import type { DType } from "../onnx/dtype.ts";
import { formatList } from "../onnx/format.ts";
import type { Dim } from "../onnx/model.ts";

export type { Dim };

/** A static element type and shape: what shape inference computes for every value. */
export interface TypeInfo {
  /** Element type. */
  readonly dtype: DType;
  /** Shape; a string is a symbolic dimension. */
  readonly shape: readonly Dim[];
}

/**
 * Formats a shape the way error messages and the graph printer show it: `[batch, 3]`.
 *
 * @param shape Dimensions (`null` prints as `?`).
 * @returns The text.
 */
export function formatShape(shape: readonly Dim[]): string {
  return formatList(shape);
}

/**
 * Formats a value type: `float32[batch, 3]`.
 *
 * @param t The type.
 * @returns The text.
 */
export function formatType(t: TypeInfo): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

/**
 * Whether two dimensions may be the same at run time (unknown matches anything).
 *
 * @param a First dimension.
 * @param b Second dimension.
 * @returns True when they agree or either is unknown.
 */
export function dimsCompatible(a: Dim, b: Dim): boolean {
  return a === null || b === null || a === b;
}

/**
 * Whether two shapes have the same rank and compatible dimensions.
 *
 * @param a First shape.
 * @param b Second shape.
 * @returns True when they agree.
 */
export function shapesCompatible(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => dimsCompatible(d, b[i]));
}

/**
 * Whether every dimension of a shape is a static number (no symbol, nothing unknown).
 *
 * @param shape Dimensions.
 * @returns True when the shape is fully static; it then narrows to `readonly number[]`.
 */
export function isStaticShape(shape: readonly Dim[]): shape is readonly number[] {
  return shape.every((d) => typeof d === "number");
}

/**
 * An axis in `[-rank, rank - 1]` made non-negative: `normAxis(-1, 3)` is 2.
 *
 * @param axis The axis; negative counts from the end.
 * @param rank The rank it indexes.
 * @returns The axis in `[0, rank - 1]`.
 * @throws RangeError naming the axis and the rank when it is not an integer in range.
 */
export function normAxis(axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(
      `Axis ${axis} is out of range for rank ${rank}: expected an integer in [${-rank}, ${
        rank - 1
      }]`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}
