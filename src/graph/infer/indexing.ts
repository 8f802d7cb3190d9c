/**
 * Shape inference for Gather, GatherElements and ScatterElements.
 *
 * @module
 */

import type { TypeInfo } from "../value.ts";
import { formatShape, shapesCompatible } from "../value.ts";
import type { InferContext } from "./context.ts";

const INDEX = ["int64"] as const;

/** Gather(data, indices): out = data[:axis] ++ indices.shape ++ data[axis+1:]. */
export function inferGather(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const indices = ctx.expectDtype(1, INDEX);
  if (data.shape.length === 0) ctx.fail(`input "data" must have rank >= 1: got a scalar`);
  const axis = ctx.axis(ctx.int("axis", 0), data.shape.length, `attribute "axis"`);
  return [{
    dtype: data.dtype,
    shape: [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)],
  }];
}

/** GatherElements(data, indices): out has the indices' shape and the data's dtype. */
export function inferGatherElements(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const indices = ctx.expectDtype(1, INDEX);
  if (indices.shape.length !== data.shape.length) {
    ctx.fail(
      `input "indices" must have the rank of input "data" (${data.shape.length}): got ` +
        `rank ${indices.shape.length}`,
    );
  }
  ctx.axis(ctx.int("axis", 0), data.shape.length, `attribute "axis"`);
  return [{ dtype: data.dtype, shape: indices.shape }];
}

/** ScatterElements(data, indices, updates): out is data with updates written (or added). */
export function inferScatterElements(ctx: InferContext): TypeInfo[] {
  const data = ctx.input(0);
  const indices = ctx.expectDtype(1, INDEX);
  const updates = ctx.input(2);
  ctx.expectSameDtype(0, 2);
  if (indices.shape.length !== data.shape.length) {
    ctx.fail(
      `input "indices" must have the rank of input "data" (${data.shape.length}): got ` +
        `rank ${indices.shape.length}`,
    );
  }
  if (!shapesCompatible(indices.shape, updates.shape)) {
    ctx.fail(
      `input "updates" must have the shape of input "indices" ${formatShape(indices.shape)}: ` +
        `got ${formatShape(updates.shape)}`,
    );
  }
  ctx.axis(ctx.int("axis", 0), data.shape.length, `attribute "axis"`);
  const reduction = ctx.string("reduction", "none");
  if (!["none", "add", "mul"].includes(reduction)) {
    ctx.fail(`attribute "reduction" must be "none", "add" or "mul": got "${reduction}"`);
  }
  return [data];
}
