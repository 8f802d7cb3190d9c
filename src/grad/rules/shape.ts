/**
 * Gradient rules of data-movement operators: Concat, Split, Slice, Pad, Squeeze, Unsqueeze,
 * Reshape, Transpose, Expand.
 *
 * @module
 */

import { readInt, readInts } from "../../graph/attributes.ts";
import { formatShape, isStaticShape, normAxis } from "../../graph/value.ts";
import { sub } from "../../ops/elementwise.ts";
import { reduceSum } from "../../ops/reduce.ts";
import { concat, pad, split, transpose } from "../../ops/shape.ts";
import { zerosLike } from "../fill.ts";
import { GradError, type GradNode, type GradRule, input, single } from "../rule.ts";
import { unbroadcast } from "../unbroadcast.ts";
import { reshapeLike } from "./shape_util.ts";

/** The int64 contents of a node's input known at build time. */
function known(n: GradNode, index: number): readonly number[] {
  const v = n.inputs[index];
  const values = v ? v.graph.known.get(v.name) : undefined;
  if (!values || !isStaticShape(values)) {
    throw new GradError(`Gradient of "${n.node.name}" needs input ${index} to be a constant`);
  }
  return values;
}

const axisOf = (n: GradNode, rank: number, fallback: number) =>
  normAxis(readInt(n.node.attributes, "axis", fallback), rank);

// y = concat(x_i, axis): dx_i = the slice of dy that x_i filled
export const concatGrad: GradRule = single((n, dy) => {
  const xs = n.inputs.map((x) => x!);
  const axis = axisOf(n, dy.shape.length, 0);
  const sizes = xs.map((x) => x.shape[axis]);
  if (!isStaticShape(sizes)) {
    throw new GradError(`Gradient of Concat "${n.node.name}" needs static sizes on axis ${axis}`);
  }
  return xs.length === 1 ? [dy] : split(dy, sizes, axis);
});

// ys = split(x, axis): dx = concat(dy_i), zeros where an output has no gradient
export const splitGrad: GradRule = (n, dys) => {
  const parts = dys.map((d, i) => d ?? zerosLike(n.outputs[i]));
  const axis = axisOf(n, input(n, 0).shape.length, 0);
  return [parts.length === 1 ? parts[0] : concat(parts, axis), null];
};

// y = x[starts:ends] (steps of 1): dx = dy padded with zeros back to x's shape
export const sliceGrad: GradRule = single((n, dy) => {
  const x = input(n, 0);
  const rank = x.shape.length;
  const starts = known(n, 1);
  const ends = known(n, 2);
  const axes = n.inputs[3] ? known(n, 3) : starts.map((_, i) => i);
  const steps = n.inputs[4] ? known(n, 4) : starts.map(() => 1);
  const pads = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => {
    const axis = normAxis(a, rank);
    const dim = x.shape[axis];
    if (steps[i] !== 1 || typeof dim !== "number") {
      throw new GradError(
        `Gradient of Slice "${n.node.name}" needs steps of 1 and a static axis: got step ${
          steps[i]
        } on ${formatShape(x.shape)}`,
      );
    }
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    const [s, e] = [clamp(starts[i]), clamp(ends[i])];
    pads[axis] = s;
    pads[axis + rank] = dim - Math.max(s, e);
  });
  return [pad(dy, pads), null, null, null, null];
});

// y = pad(x, pads, value): dx = dy cropped (negative pads); dvalue = sum(dy) - sum(dx)
export const padGrad: GradRule = single((n, dy) => {
  const dx = pad(dy, known(n, 1).map((p) => -p));
  const value = n.inputs[2];
  const dValue = value
    ? sub(reduceSum(dy, [], { keepdims: false }), reduceSum(dx, [], { keepdims: false }))
    : null;
  return [dx, null, dValue];
});

// Reshape, Squeeze, Unsqueeze only relabel elements: dx = dy reshaped to x's shape
export const reshapeGrad: GradRule = single((n, dy) => [reshapeLike(dy, input(n, 0)), null]);

// y = transpose(x, perm): dx = transpose(dy, inverse(perm))
export const transposeGrad: GradRule = single((n, dy) => {
  const rank = dy.shape.length;
  const perm = readInts(n.node.attributes, "perm", dy.shape.map((_, i) => rank - 1 - i));
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => inverse[p] = i);
  return [transpose(dy, inverse)];
});

// y = expand(x, shape): dx = dy summed over the broadcast axes
export const expandGrad: GradRule = single((n, dy) => [unbroadcast(dy, input(n, 0).shape), null]);
