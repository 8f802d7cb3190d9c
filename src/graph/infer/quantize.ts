/**
 * Shape inference for DequantizeLinear: int8 weights back to float32, with one scale per
 * tensor or per slice along `axis` (ONNX opset 13+).
 *
 * @module
 */

import type { TypeInfo } from "../value.ts";
import type { InferContext } from "./context.ts";

/** DequantizeLinear(x, scale, zero_point?): y = (x - zero_point) * scale, float32, x's shape. */
export function inferDequantizeLinear(ctx: InferContext): TypeInfo[] {
  const x = ctx.expectDtype(0, ["int8"]);
  const scale = ctx.expectDtype(1, ["float32"]);
  if (scale.shape.length > 1) {
    ctx.fail(`input "x_scale" must be a scalar or 1-D: got rank ${scale.shape.length}`);
  }
  if (scale.shape.length === 1) {
    const axis = ctx.axis(ctx.int("axis", 1), x.shape.length, `attribute "axis"`);
    const [n, want] = [scale.shape[0], x.shape[axis]];
    if (typeof n === "number" && typeof want === "number" && n !== want) {
      ctx.fail(`input "x_scale" must hold one scale per slice of axis ${axis} (${want}): got ${n}`);
    }
  }
  if (ctx.has(2)) {
    const zero = ctx.expectDtype(2, ["int8"]);
    if (zero.shape.length !== scale.shape.length || zero.shape[0] !== scale.shape[0]) {
      ctx.fail(`input "x_zero_point" must have the shape of "x_scale"`);
    }
  }
  return [{ dtype: "float32", shape: x.shape }];
}
