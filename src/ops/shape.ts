/**
 * Builders for operators that rearrange data: Concat, Split, Slice, Squeeze, Unsqueeze,
 * Reshape, Transpose, Expand, Shape.
 *
 * @module
 */

import { attrs, intAttr, intsAttr } from "../graph/attributes.ts";
import { GraphBuildError } from "../graph/errors.ts";
import { op } from "../graph/op.ts";
import type { Value } from "../graph/graph.ts";
import { normAxis } from "../graph/value.ts";
import { type IntsLike, intsValue } from "./constant.ts";

/**
 * Joins tensors along an axis.
 *
 * @param xs Tensors of equal rank and dtype (at least one).
 * @param axis The axis they are joined on.
 * @returns The joined tensor.
 */
export function concat(xs: readonly Value[], axis: number): Value {
  if (xs.length === 0) {
    throw new GraphBuildError(`Cannot build "Concat": needs at least one input: got none`);
  }
  // Past the graph's buffer limit (WebGPU's), join groups first, then the groups: the same
  // bytes, in pieces a WebGPU shader can bind.
  const most = xs[0].graph.maxNodeTensors - 1;
  if (xs.length > most) {
    const groups: Value[] = [];
    for (let i = 0; i < xs.length; i += most) {
      const group = xs.slice(i, i + most);
      groups.push(group.length === 1 ? group[0] : concat(group, axis));
    }
    return concat(groups, axis);
  }
  return op(xs[0].graph, "Concat", xs, attrs({ axis: intAttr(axis) }))[0];
}

/**
 * Splits a tensor along an axis into pieces of the given sizes, or `parts` equal pieces.
 *
 * @param x The tensor.
 * @param sizesOrParts Sizes of the pieces, or how many equal pieces.
 * @param axis The axis (0).
 * @returns The pieces.
 */
export function split(x: Value, sizesOrParts: readonly number[] | number, axis = 0): Value[] {
  const rank = x.shape.length;
  // Checked here, not only by inference: a split past the node limit reads the axis first.
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new GraphBuildError(
      `Cannot build "Split": attribute "axis" must be in [${-rank}, ${rank - 1}]: got ${axis}`,
    );
  }
  const n = typeof sizesOrParts === "number" ? sizesOrParts : sizesOrParts.length;
  const limit = x.graph.maxNodeTensors;
  if (typeof sizesOrParts === "number" && n > limit - 1) {
    // Equal pieces, no sizes input: the data and at most limit - 1 outputs. A symbolic axis
    // (a symbolic batch) splits by factors: 16 = 4 x 4 groups of equal pieces.
    let f: number | undefined;
    for (let k = limit - 1; k >= 2 && f === undefined; k--) if (n % k === 0) f = k;
    const dim = x.shape[normAxis(axis, rank)];
    if (f !== undefined && typeof dim !== "number") {
      return split(x, f, axis).flatMap((group) => split(group, n / f, axis));
    }
  }
  // The sizes input counts too (the data, the sizes and every output): at most limit - 2.
  const most = limit - 2;
  if (n > most) return splitInGroups(x, sizesOrParts, axis, most);
  const sizes = typeof sizesOrParts === "number" ? null : intsValue(x.graph, sizesOrParts);
  return op(x.graph, "Split", [x, sizes], attrs({ axis: intAttr(axis, 0) }), n);
}

/** `split` past the buffer limit: into groups of at most `most` pieces, then each group. */
function splitInGroups(
  x: Value,
  sizesOrParts: readonly number[] | number,
  axis: number,
  most: number,
): Value[] {
  let sizes: readonly number[];
  if (typeof sizesOrParts === "number") {
    const dim = x.shape[normAxis(axis, x.shape.length)];
    if (typeof dim !== "number" || dim % sizesOrParts !== 0) {
      throw new GraphBuildError(
        `Cannot build "Split": ${sizesOrParts} equal pieces (over ${most}, the graph's limit per ` +
          `node) need a static axis ${axis} divisible by ${sizesOrParts}, or a count with a ` +
          `factor of at most ${most + 1}: got axis ${String(dim)}`,
      );
    }
    sizes = new Array<number>(sizesOrParts).fill(dim / sizesOrParts);
  } else sizes = sizesOrParts;
  const groups: number[][] = [];
  for (let i = 0; i < sizes.length; i += most) groups.push(sizes.slice(i, i + most));
  const pieces = split(x, groups.map((g) => g.reduce((a, b) => a + b, 0)), axis);
  return pieces.flatMap((piece, i) =>
    groups[i].length === 1 ? [piece] : split(piece, groups[i], axis)
  );
}

/**
 * `x[starts:ends:steps]` on the given axes (all leading axes by default).
 *
 * @param x The tensor.
 * @param starts First index per axis (negative counts from the end).
 * @param ends End index per axis, exclusive (clamped to the axis size).
 * @param axes Which axes (default `0..starts.length-1`).
 * @param steps Strides (default 1).
 * @returns The slice.
 */
export function slice(
  x: Value,
  starts: IntsLike,
  ends: IntsLike,
  axes?: IntsLike,
  steps?: IntsLike,
): Value {
  const g = x.graph;
  return op(g, "Slice", [
    x,
    intsValue(g, starts),
    intsValue(g, ends),
    axes === undefined ? null : intsValue(g, axes),
    steps === undefined ? null : intsValue(g, steps),
  ])[0];
}

/**
 * Removes size-1 axes (all of them when `axes` is omitted).
 *
 * @param x The tensor.
 * @param axes The axes to remove.
 * @returns The squeezed tensor.
 */
export function squeeze(x: Value, axes?: IntsLike): Value {
  return op(x.graph, "Squeeze", [x, axes === undefined ? null : intsValue(x.graph, axes)])[0];
}

/**
 * Inserts size-1 axes at the given positions of the output.
 *
 * @param x The tensor.
 * @param axes Output positions of the new axes.
 * @returns The unsqueezed tensor.
 */
export function unsqueeze(x: Value, axes: IntsLike): Value {
  return op(x.graph, "Unsqueeze", [x, intsValue(x.graph, axes)])[0];
}

/**
 * Reshapes without moving data; `-1` is inferred and `0` copies the input's dimension.
 *
 * @param x The tensor.
 * @param shape The new shape.
 * @returns The reshaped tensor.
 */
export function reshape(x: Value, shape: IntsLike): Value {
  return op(x.graph, "Reshape", [x, intsValue(x.graph, shape)])[0];
}

/**
 * Permutes axes (reverses them by default).
 *
 * @param x The tensor.
 * @param perm Output axis i is input axis `perm[i]`.
 * @returns The transposed tensor.
 */
export function transpose(x: Value, perm?: readonly number[]): Value {
  return op(x.graph, "Transpose", [x], attrs({ perm: intsAttr(perm) }))[0];
}

/**
 * Broadcasts a tensor to a shape (numpy rules, in both directions).
 *
 * @param x The tensor.
 * @param shape The target shape.
 * @returns The expanded tensor.
 */
export function expand(x: Value, shape: IntsLike): Value {
  return op(x.graph, "Expand", [x, intsValue(x.graph, shape)])[0];
}

/**
 * The dimensions of a tensor as an int64 vector (`start`/`end` select a range of axes).
 *
 * @param x The tensor.
 * @param options start (0), end (rank).
 * @returns `[end - start]` int64.
 */
export function shape(x: Value, options: { start?: number; end?: number } = {}): Value {
  // Written whenever given, a `start` of 0 too, as graphs always had them (the default of
  // `end` is the rank, not a constant a writer could compare with).
  const attributes = attrs({ start: intAttr(options.start), end: intAttr(options.end) });
  return op(x.graph, "Shape", [x], attributes)[0];
}

/**
 * Pads each axis with `value` (constant mode): `pads` is `[begin_0, ..., begin_n, end_0, ...,
 * end_n]`, and negative pads crop.
 *
 * @param x The tensor.
 * @param pads Begin pads for every axis, then end pads.
 * @param value The fill value as a scalar of x's dtype (0 when omitted).
 * @returns The padded tensor.
 */
export function pad(x: Value, pads: IntsLike, value?: Value): Value {
  return op(x.graph, "Pad", [x, intsValue(x.graph, pads), value ?? null])[0];
}
