/**
 * Undoing numpy broadcasting in gradients: a value that was stretched to a bigger shape gets
 * the sum of the gradient over the stretched axes.
 *
 * @module
 */

import { GradError } from "./rule.ts";
import type { Dim } from "../graph/value.ts";
import type { Value } from "../graph/graph.ts";
import { formatShape } from "../graph/value.ts";
import { reduceSum } from "../ops/reduce.ts";
import { squeeze } from "../ops/shape.ts";

/**
 * Sums `grad` down to `shape`, the shape of an operand that broadcasting stretched.
 *
 * @param grad Gradient with the broadcast (output) shape.
 * @param shape The operand's shape.
 * @returns A gradient of the operand's shape (`grad` itself when nothing was broadcast).
 */
export function unbroadcast(grad: Value, shape: readonly Dim[]): Value {
  const lead = grad.shape.length - shape.length;
  if (lead < 0) {
    throw new GradError(
      `Cannot unbroadcast a gradient of shape ${formatShape(grad.shape)} to the larger rank of ${
        formatShape(shape)
      }`,
    );
  }
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  shape.forEach((d, i) => {
    if (d === 1 && grad.shape[lead + i] !== 1) axes.push(lead + i);
  });
  if (axes.length === 0) return grad;
  const summed = reduceSum(grad, axes);
  return lead === 0 ? summed : squeeze(summed, axes.slice(0, lead));
}
