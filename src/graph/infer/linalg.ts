/**
 * Shape inference for MatMul (numpy matmul semantics) and Gemm.
 *
 * @module
 */

import type { Dim, TypeInfo } from "../value.ts";
import { dimsCompatible, formatShape } from "../value.ts";
import { broadcastShapes, broadcastsTo } from "./broadcast.ts";
import type { InferContext } from "./context.ts";
import { FLOATS, NUMERIC } from "./elementwise.ts";

/**
 * MatMul(A, B): matrices in the last two axes, leading axes broadcast; a 1-D A is a row
 * vector and a 1-D B a column vector, their extra axis removed from the result.
 */
export function inferMatMul(ctx: InferContext): TypeInfo[] {
  const a = ctx.expectDtype(0, NUMERIC);
  const b = ctx.input(1);
  ctx.expectSameDtype(0, 1);
  if (a.shape.length === 0 || b.shape.length === 0) {
    ctx.fail(`inputs must have rank >= 1: got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const aShape: Dim[] = a.shape.length === 1 ? [1, a.shape[0]] : [...a.shape];
  const bShape: Dim[] = b.shape.length === 1 ? [b.shape[0], 1] : [...b.shape];
  const k1 = aShape[aShape.length - 1];
  const k2 = bShape[bShape.length - 2];
  if (!dimsCompatible(k1, k2)) {
    ctx.fail(
      `inner dimensions differ: input "A" ${formatShape(a.shape)} has ${String(k1)} columns, ` +
        `input "B" ${formatShape(b.shape)} has ${String(k2)} rows`,
    );
  }
  const batch = broadcastShapes([aShape.slice(0, -2), bShape.slice(0, -2)]);
  if (typeof batch === "string") ctx.fail(`batch dimensions: ${batch}`);
  const out: Dim[] = [...batch];
  if (a.shape.length > 1) out.push(aShape[aShape.length - 2]);
  if (b.shape.length > 1) out.push(bShape[bShape.length - 1]);
  return [{ dtype: a.dtype, shape: out }];
}

/** Gemm(A, B, C?): Y = alpha * A' * B' + beta * C with A', B' optionally transposed. */
export function inferGemm(ctx: InferContext): TypeInfo[] {
  const a = ctx.expectDtype(0, FLOATS);
  ctx.expectRank(0, 2);
  ctx.expectRank(1, 2);
  ctx.expectSameDtype(0, 1);
  const b = ctx.input(1);
  const [m, k1] = ctx.int("transA", 0) ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = ctx.int("transB", 0) ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (!dimsCompatible(k1, k2)) {
    ctx.fail(
      `inner dimensions differ: A' has ${String(k1)} columns, B' has ${String(k2)} rows ` +
        `(A ${formatShape(a.shape)}, B ${formatShape(b.shape)})`,
    );
  }
  const out: Dim[] = [m, n];
  if (ctx.has(2)) {
    ctx.expectSameDtype(0, 2);
    const c = ctx.input(2);
    if (!broadcastsTo(c.shape, out)) {
      ctx.fail(`input "C" ${formatShape(c.shape)} must broadcast to ${formatShape(out)}`);
    }
  }
  return [{ dtype: a.dtype, shape: out }];
}
