/**
 * Gradient rules of reductions and Softmax/LogSoftmax.
 *
 * @module
 */

import { readInt, readInts } from "../../graph/attributes.ts";
import type { Value } from "../../graph/graph.ts";
import { formatShape, isStaticShape, normAxis } from "../../graph/value.ts";
import { constantScalar } from "../../ops/constant.ts";
import { cast, div, equal, exp, mul, sub } from "../../ops/elementwise.ts";
import { reduceSum } from "../../ops/reduce.ts";
import { expand, shape, unsqueeze } from "../../ops/shape.ts";
import { GradError, type GradNode, type GradRule, input, single } from "../rule.ts";

/** The reduced axes of a reduction node, non-negative and sorted ([] = all axes). */
function reducedAxes(n: GradNode, rank: number): number[] {
  let axes: readonly number[] | undefined;
  if (n.node.opType === "ReduceSum") {
    const v = n.inputs[1];
    axes = v ? (v.graph.known.get(v.name) as number[] | undefined) : [];
    if (!axes) throw new GradError(`Gradient of ReduceSum "${n.node.name}" needs constant axes`);
  } else {
    axes = readInts(n.node.attributes, "axes", []);
  }
  const all = axes.length === 0 ? [...Array(rank).keys()] : axes.map((a) => normAxis(a, rank));
  return [...all].sort((a, b) => a - b);
}

/** dy with the reduced axes restored as size 1, then broadcast to x's shape. */
function spread(n: GradNode, dy: Value, x: Value, axes: number[]): Value {
  const kept = readInt(n.node.attributes, "keepdims", 1) !== 0 ? dy : unsqueeze(dy, axes);
  return isStaticShape(x.shape) ? expand(kept, x.shape) : expand(kept, shape(x));
}

// y = sum(x, axes): dx = dy broadcast back over the reduced axes
export const reduceSumGrad: GradRule = single((n, dy) => {
  const x = input(n, 0);
  const noop = readInt(n.node.attributes, "noop_with_empty_axes", 0) !== 0 && !n.inputs[1];
  return [noop ? dy : spread(n, dy, x, reducedAxes(n, x.shape.length)), null];
});

// y = mean(x, axes): dx = dy broadcast back, divided by the number of reduced elements
export const reduceMeanGrad: GradRule = single((n, dy) => {
  const x = input(n, 0);
  const axes = reducedAxes(n, x.shape.length);
  let count = 1;
  for (const a of axes) {
    const d = x.shape[a];
    if (typeof d !== "number") {
      throw new GradError(
        `Gradient of ReduceMean "${n.node.name}" needs static reduced axes: got ${
          formatShape(x.shape)
        }`,
      );
    }
    count *= d;
  }
  return [div(spread(n, dy, x, axes), constantScalar(dy.graph, dy.dtype, count))];
});

// y = max(x, axes): dx = dy where x is the maximum, shared equally between ties
export const reduceMaxGrad: GradRule = single((n, dy) => {
  const x = input(n, 0);
  const axes = reducedAxes(n, x.shape.length);
  const keep = readInt(n.node.attributes, "keepdims", 1) !== 0;
  const yKeep = keep ? n.outputs[0] : unsqueeze(n.outputs[0], axes);
  const mask = cast(equal(x, yKeep), x.dtype);
  const ties = reduceSum(mask, axes);
  const dyKeep = keep ? dy : unsqueeze(dy, axes);
  return [mul(mask, div(dyKeep, ties))];
});

// y = softmax(x): dx = y * (dy - sum(dy * y))  (sums over the softmax axis)
export const softmaxGrad: GradRule = single((n, dy) => {
  const y = n.outputs[0];
  const axis = readInt(n.node.attributes, "axis", -1);
  return [mul(y, sub(dy, reduceSum(mul(dy, y), [axis])))];
});

// y = logSoftmax(x): dx = dy - exp(y) * sum(dy)  (sums over the softmax axis)
export const logSoftmaxGrad: GradRule = single((n, dy) => {
  const y = n.outputs[0];
  const axis = readInt(n.node.attributes, "axis", -1);
  return [sub(dy, mul(exp(y), reduceSum(dy, [axis])))];
});
