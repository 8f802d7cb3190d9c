/**
 * GELU in its exact form, `0.5 x (1 + erf(x / sqrt 2))`: PyTorch's `nn.GELU()` (nanoGPT's MLP),
 * not the tanh approximation.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { constantScalar } from "../ops/constant.ts";
import { add, mul } from "../ops/elementwise.ts";
import { erf } from "../ops/erf.ts";

/**
 * The Gaussian error linear unit, elementwise.
 *
 * @param x A float tensor.
 * @returns `x * Phi(x)`, `Phi` the standard normal's distribution function.
 */
export function gelu(x: Value): Value {
  const c = (v: number) => constantScalar(x.graph, x.dtype, v);
  return mul(mul(c(0.5), x), add(c(1), erf(mul(x, c(Math.SQRT1_2)))));
}
