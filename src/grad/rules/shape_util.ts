/**
 * Helpers shared by gradient rules that move data: reshaping to another value's shape.
 *
 * @module
 */

import type { Value } from "../../graph/graph.ts";
import { isStaticShape } from "../../graph/value.ts";
import { reshape, shape } from "../../ops/shape.ts";

/**
 * `x` reshaped to the shape of `like` (a static constant when it can be, else Shape(like)).
 *
 * @param x The tensor.
 * @param like The value whose shape to take.
 * @returns The reshaped tensor.
 */
export function reshapeLike(x: Value, like: Value): Value {
  const dims = like.shape;
  if (isStaticShape(dims)) return reshape(x, dims);
  return reshape(x, shape(like));
}
