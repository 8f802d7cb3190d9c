/**
 * Shape inference for elementwise operators: unary math, binary arithmetic with
 * broadcasting, comparisons, Where, Sum, Pow, Cast, Identity.
 *
 * @module
 */

import { dtypeFromOnnx, DTYPES } from "../../onnx/dtype.ts";
import type { TypeInfo } from "../value.ts";
import { broadcastShapes } from "./broadcast.ts";
import type { InferContext } from "./context.ts";

/** Floating-point dtypes. */
export const FLOATS = ["float32", "float64"] as const;
/** Dtypes arithmetic is defined on. */
export const NUMERIC = ["float32", "float64", "int64"] as const;

/** Same type out as in, for ops on float tensors (Sigmoid, Tanh, Exp, Log, Sqrt, ...). */
export function inferFloatUnary(ctx: InferContext): TypeInfo[] {
  return [ctx.expectDtype(0, FLOATS)];
}

/** Same type out as in, for ops on any numeric tensor (Neg, Relu). */
export function inferNumericUnary(ctx: InferContext): TypeInfo[] {
  return [ctx.expectDtype(0, NUMERIC)];
}

/** Identity: any type passes through. */
export function inferIdentity(ctx: InferContext): TypeInfo[] {
  return [ctx.input(0)];
}

function broadcastOrFail(ctx: InferContext, indices: readonly number[]): TypeInfo["shape"] {
  const shape = broadcastShapes(indices.map((i) => ctx.input(i).shape));
  if (typeof shape === "string") {
    ctx.fail(`${indices.map((i) => ctx.label(i)).join(" and ")}: ${shape}`);
  }
  return shape;
}

/** Add, Sub, Mul, Div: same numeric dtype, broadcast shapes. */
export function inferArithmetic(ctx: InferContext): TypeInfo[] {
  const a = ctx.expectDtype(0, NUMERIC);
  ctx.expectSameDtype(0, 1);
  return [{ dtype: a.dtype, shape: broadcastOrFail(ctx, [0, 1]) }];
}

/** Pow: float base, float or int64 exponent; output has the base's dtype. */
export function inferPow(ctx: InferContext): TypeInfo[] {
  const base = ctx.expectDtype(0, FLOATS);
  ctx.expectDtype(1, NUMERIC);
  return [{ dtype: base.dtype, shape: broadcastOrFail(ctx, [0, 1]) }];
}

/** Equal: same dtype (bool allowed), broadcast, bool out. */
export function inferEqual(ctx: InferContext): TypeInfo[] {
  ctx.input(0);
  ctx.expectSameDtype(0, 1);
  return [{ dtype: "bool", shape: broadcastOrFail(ctx, [0, 1]) }];
}

/** Greater: same numeric dtype, broadcast, bool out. */
export function inferOrderCompare(ctx: InferContext): TypeInfo[] {
  ctx.expectDtype(0, NUMERIC);
  ctx.expectSameDtype(0, 1);
  return [{ dtype: "bool", shape: broadcastOrFail(ctx, [0, 1]) }];
}

/** Where(condition, X, Y): bool condition, X and Y of one dtype, all three broadcast. */
export function inferWhere(ctx: InferContext): TypeInfo[] {
  ctx.expectDtype(0, ["bool"]);
  const x = ctx.input(1);
  ctx.expectSameDtype(1, 2);
  return [{ dtype: x.dtype, shape: broadcastOrFail(ctx, [0, 1, 2]) }];
}

/** Sum of one or more same-dtype tensors, broadcast. */
export function inferSum(ctx: InferContext): TypeInfo[] {
  if (ctx.inputs.length < 1) ctx.fail("needs at least one input");
  const first = ctx.expectDtype(0, NUMERIC);
  const all = ctx.inputs.map((_, i) => i);
  for (const i of all.slice(1)) ctx.expectSameDtype(0, i);
  return [{ dtype: first.dtype, shape: broadcastOrFail(ctx, all) }];
}

/** Cast: the shape stays, the dtype becomes attribute `to`. */
export function inferCast(ctx: InferContext): TypeInfo[] {
  const x = ctx.input(0);
  const to = ctx.int("to");
  try {
    return [{ dtype: dtypeFromOnnx(to, `attribute "to"`), shape: x.shape }];
  } catch {
    return ctx.fail(`attribute "to" must name one of ${DTYPES.join(", ")}: got ONNX type ${to}`);
  }
}
