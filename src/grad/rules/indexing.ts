/**
 * Gradient rules of Gather, GatherElements and ScatterElements: gathers scatter-add their
 * gradient back; scatters gather it.
 *
 * @module
 */

import { readInt, readString } from "../../graph/attributes.ts";
import type { Value } from "../../graph/graph.ts";
import { type Dim, isStaticShape, normAxis } from "../../graph/value.ts";
import { tensor } from "../../onnx/tensor.ts";
import { constant, constantScalar } from "../../ops/constant.ts";
import { add, cast, equal, greater, mul } from "../../ops/elementwise.ts";
import { gatherElements, scatterElements } from "../../ops/indexing.ts";
import { gemm } from "../../ops/linalg.ts";
import { expand, reshape, shape, unsqueeze } from "../../ops/shape.ts";
import { zerosLike } from "../fill.ts";
import { GradError, type GradRule, input, single } from "../rule.ts";
import { reshapeLike } from "./shape_util.ts";

/** Largest table for which an embedding's gradient is a one-hot product instead of a scatter. */
const ONE_HOT_MAX_ROWS = 4096;

// y = gather(table, idx) on a [V, D] table (an embedding): dtable = onehot(idx)^T @ dy, one Gemm
// over all lookups (onnxruntime's ScatterElements is an order of magnitude slower for this).
function embeddingGrad(table: Value, idx: Value, dy: Value): Value {
  const g = table.graph;
  const [rows, cols] = table.shape as number[];
  // The one-hot is computed on indices cast to dy's float type: exact for any table that fits
  // (fewer than 2^24 rows), and on a GPU, where onnxruntime's WebGPU EP leaves int64
  // arithmetic to the CPU, it stays on the device.
  const dt = dy.dtype as "float32" | "float64";
  const flat = cast(reshape(idx, [-1]), dt);
  // Gather accepts negative indices (counted from the end): map them to 0..V-1 first.
  const negative = cast(greater(constantScalar(g, dt, 0), flat), dt);
  const wrapped = add(flat, mul(negative, constantScalar(g, dt, rows)));
  const range = constant(g, tensor(dt, [rows], Array.from({ length: rows }, (_, i) => i)));
  const oneHot = cast(equal(unsqueeze(wrapped, [1]), range), dy.dtype); // [N, V]
  return gemm(oneHot, reshape(dy, [-1, cols]), null, { transA: true });
}

// y = gather(data, idx, axis): ddata[.., idx[j], ..] += dy[.., j, ..], as one ScatterElements
// (reduction "add", so repeated indices accumulate) over data viewed as [pre, V, post].
export const gatherGrad: GradRule = single((n, dy) => {
  const [data, idx] = [input(n, 0), input(n, 1)];
  const rank = data.shape.length;
  const axis = normAxis(readInt(n.node.attributes, "axis", 0), rank);
  const [rows, cols] = data.shape;
  if (
    axis === 0 && rank === 2 && typeof rows === "number" && typeof cols === "number" &&
    rows <= ONE_HOT_MAX_ROWS
  ) {
    return [embeddingGrad(data, idx, dy), null];
  }
  const sizes = (dims: readonly Dim[]) => {
    if (!isStaticShape(dims)) {
      throw new GradError(
        `Gradient of Gather "${n.node.name}" needs static dims of "data" around axis ${axis}`,
      );
    }
    return dims.reduce((p, d) => p * d, 1);
  };
  const pre = sizes(data.shape.slice(0, axis));
  const post = sizes(data.shape.slice(axis + 1));
  const dy3 = reshape(dy, [pre, -1, post]);
  const idx3 = expand(reshape(idx, [1, -1, 1]), shape(dy3));
  const zeros = zerosLike(reshape(data, [pre, -1, post]));
  const scattered = scatterElements(zeros, idx3, dy3, { axis: 1, reduction: "add" });
  return [reshapeLike(scattered, data), null];
});

// y = gatherElements(data, idx, axis): ddata = zeros with dy scatter-added at idx
export const gatherElementsGrad: GradRule = single((n, dy) => {
  const [data, idx] = [input(n, 0), input(n, 1)];
  const axis = readInt(n.node.attributes, "axis", 0);
  return [scatterElements(zerosLike(data), idx, dy, { axis, reduction: "add" }), null];
});

// y = scatterElements(data, idx, updates): dupdates = dy at idx; ddata = dy, zeroed where
// overwritten (reduction "none") or whole (reduction "add").
export const scatterElementsGrad: GradRule = single((n, dy) => {
  const [idx, updates] = [input(n, 1), input(n, 2)];
  const axis = readInt(n.node.attributes, "axis", 0);
  const mode = readString(n.node.attributes, "reduction", "none");
  if (mode !== "none" && mode !== "add") {
    throw new GradError(
      `Gradient of ScatterElements "${n.node.name}" with reduction "${mode}" is not supported`,
    );
  }
  const dUpdates = gatherElements(dy, idx, { axis });
  const dData = mode === "add" ? dy : scatterElements(dy, idx, zerosLike(updates), { axis });
  return [dData, null, dUpdates];
});
