/**
 * Shape inference for Loop: its outputs are the body's, the loop-carried values as the body
 * returns them and each scan output stacked over the iterations.
 *
 * @module
 */

import type { GraphData } from "../../onnx/model.ts";
import type { InferContext } from "./context.ts";
import type { Dim, TypeInfo } from "../value.ts";
import { formatType, shapesCompatible } from "../value.ts";

/**
 * Loop (opset 16+): inputs `M` (int64 trip count, or empty), `cond` (bool, or empty) and
 * the carried values' start; the body reads `(iteration, cond, carried...)` and returns
 * `(cond, carried..., scan outputs...)`.
 */
export function inferLoop(ctx: InferContext): TypeInfo[] {
  const a = ctx.attributes.body;
  if (a?.type !== "graph") ctx.fail(`attribute "body" must be a graph`);
  const body = (a as { value: GraphData }).value;
  const carried = ctx.inputs.length - 2;
  if (carried < 0) ctx.fail(`needs inputs "M" and "cond" (either may be empty)`);
  if (ctx.has(0)) ctx.expectDtype(0, ["int64"]);
  if (ctx.has(1)) ctx.expectDtype(1, ["bool"]);
  if (body.inputs.length !== carried + 2) {
    ctx.fail(
      `the body must take the iteration, the condition and ${carried} carried value(s): it ` +
        `takes ${body.inputs.length} input(s)`,
    );
  }
  const [iteration, cond] = body.inputs;
  if (iteration.dtype !== "int64" || iteration.shape.length !== 0) {
    ctx.fail(
      `the body's first input (the iteration) must be int64[]: got ${formatType(iteration)}`,
    );
  }
  if (cond.dtype !== "bool" || cond.shape.length !== 0) {
    ctx.fail(`the body's second input (the condition) must be bool[]: got ${formatType(cond)}`);
  }
  const scans = body.outputs.length - 1 - carried;
  if (scans < 0) {
    ctx.fail(
      `the body must return the condition and ${carried} carried value(s): it returns ` +
        `${body.outputs.length}`,
    );
  }
  if (body.outputs[0].dtype !== "bool" || body.outputs[0].shape.length !== 0) {
    ctx.fail(
      `the body's first output (the condition) must be bool[]: got ${formatType(body.outputs[0])}`,
    );
  }
  if (ctx.nOutputs !== carried + scans) {
    ctx.fail(`the body gives ${carried + scans} output(s): the node declares ${ctx.nOutputs}`);
  }
  for (let i = 0; i < carried; i++) {
    const start = ctx.input(i + 2);
    const [inside, out] = [body.inputs[i + 2], body.outputs[i + 1]];
    for (const t of [inside, out]) {
      if (t.dtype !== start.dtype || !shapesCompatible(t.shape, start.shape)) {
        ctx.fail(
          `carried value ${i} starts as ${formatType(start)} but the body has ${formatType(t)}`,
        );
      }
    }
  }
  const trips = ctx.has(0) ? ctx.known(0)?.[0] ?? null : null;
  return [
    ...body.outputs.slice(1, 1 + carried).map((t) => ({ dtype: t.dtype, shape: [...t.shape] })),
    ...body.outputs.slice(1 + carried).map((t): TypeInfo => ({
      dtype: t.dtype,
      shape: [trips as Dim, ...t.shape],
    })),
  ];
}
