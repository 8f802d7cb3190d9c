/**
 * The error function, `erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt`, which the
 * exact GELU needs (`0.5 x (1 + erf(x / sqrt 2))`, PyTorch's `nn.GELU()`).
 *
 * A float32 or float16 value gets one `Erf` node. onnxruntime's CPU EP has no float64 `Erf`
 * kernel, and float64 graphs are the ones gradient checks run, so a float64 value gets the
 * series `erf(x) = 2/sqrt(pi) x exp(-x^2) sum_n (2x^2)^n / (1 * 3 * ... * (2n+1))`, whose terms
 * are all positive (no cancellation), summed by Horner's rule over 110 terms for `|x|` clamped
 * to 6 (where `1 - erf` is 2e-17): within 3e-16 of the true value, and differentiable by the
 * ops it is made of.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { op } from "../graph/op.ts";
import { constantScalar } from "./constant.ts";
import { add, exp, greater, mul, neg, where } from "./elementwise.ts";

/** Terms of the float64 series: enough for `|x| <= 6` to float64 precision. */
const TERMS = 110;
/** Past this, `erf(x)` is `sign(x)` in float64. */
const CLAMP = 6;

/**
 * The error function, elementwise.
 *
 * @param x A float tensor.
 * @returns `erf(x)`, of `x`'s type and shape.
 */
export function erf(x: Value): Value {
  if (x.dtype !== "float64") return op(x.graph, "Erf", [x])[0];
  const c = (v: number) => constantScalar(x.graph, "float64", v);
  const clamped = where(greater(x, c(CLAMP)), c(CLAMP), where(greater(c(-CLAMP), x), c(-CLAMP), x));
  const x2 = mul(clamped, clamped);
  // t = 1 + (2x^2/3)(1 + (2x^2/5)(1 + ...)), innermost term first.
  let t = c(1);
  for (let k = TERMS; k >= 1; k--) t = add(c(1), mul(x2, mul(c(2 / (2 * k + 1)), t)));
  return mul(mul(c(2 / Math.sqrt(Math.PI)), clamped), mul(exp(neg(x2)), t));
}
