/**
 * Shape inference for reductions (ReduceSum/Mean/Max, ArgMax) and Softmax/LogSoftmax.
 *
 * @module
 */

import { formatList } from "../../onnx/format.ts";
import type { Dim, TypeInfo } from "../value.ts";
import type { InferContext } from "./context.ts";
import { FLOATS, NUMERIC } from "./elementwise.ts";

function reduceShape(
  ctx: InferContext,
  shape: readonly Dim[],
  axes: readonly number[],
  keepdims: boolean,
): Dim[] {
  const rank = shape.length;
  const all = axes.length === 0;
  const set = new Set(axes.map((a) => ctx.axis(a, rank, "each axis")));
  if (set.size !== axes.length) ctx.fail(`axes must not repeat: got ${formatList(axes)}`);
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (all || set.has(i)) {
      if (keepdims) out.push(1);
    } else {
      out.push(d);
    }
  });
  return out;
}

/** ReduceSum(data, axes?) in opset 13+, where the axes are an input. */
export function inferReduceSum(ctx: InferContext): TypeInfo[] {
  const data = ctx.expectDtype(0, NUMERIC);
  const axes = ctx.has(1) ? ctx.requireStatic(1) : [];
  if (axes.length === 0 && ctx.int("noop_with_empty_axes", 0)) return [data];
  return [{
    dtype: data.dtype,
    shape: reduceShape(ctx, data.shape, axes, ctx.int("keepdims", 1) !== 0),
  }];
}

/** ReduceMean and ReduceMax in opset 13..17, where the axes are an attribute. */
export function inferReduceAttr(ctx: InferContext): TypeInfo[] {
  const data = ctx.expectDtype(0, NUMERIC);
  const axes = ctx.ints("axes") ?? [];
  return [{
    dtype: data.dtype,
    shape: reduceShape(ctx, data.shape, axes, ctx.int("keepdims", 1) !== 0),
  }];
}

/** ArgMax: int64 indices along one axis. */
export function inferArgMax(ctx: InferContext): TypeInfo[] {
  const data = ctx.expectDtype(0, NUMERIC);
  const axis = ctx.int("axis", 0);
  return [{
    dtype: "int64",
    shape: reduceShape(ctx, data.shape, [axis], ctx.int("keepdims", 1) !== 0),
  }];
}

/** Softmax and LogSoftmax (opset 13): same type out, over one axis. */
export function inferSoftmax(ctx: InferContext): TypeInfo[] {
  const x = ctx.expectDtype(0, FLOATS);
  ctx.axis(ctx.int("axis", -1), x.shape.length, `attribute "axis"`);
  return [x];
}
