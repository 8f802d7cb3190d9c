/**
 * Summing the gradient contributions of a value used several times (fan-out).
 *
 * A weight used at every time step of a recurrence gets one `A_t^T B_t` product per step.
 * Their sum is one product of the stacked factors, `[A_1; ...; A_T]^T [B_1; ...; B_T]`: one
 * big Gemm instead of T small ones and a Sum (the book's "one big matrix multiplication"),
 * which is how the training graphs stay fast.
 *
 * @module
 */

import { readFloat, readInt } from "../graph/attributes.ts";
import type { Graph, Node, Value } from "../graph/graph.ts";
import { add } from "../ops/elementwise.ts";
import { gemm } from "../ops/linalg.ts";
import { concat } from "../ops/shape.ts";

/** Whether a node is `Gemm(A, B)` with transA=1, transB=0, no C. */
function isOuterProduct(node: Node | undefined): node is Node {
  return node !== undefined && node.opType === "Gemm" && node.inputs.length === 2 &&
    readInt(node.attributes, "transA", 0) === 1 && readInt(node.attributes, "transB", 0) === 0 &&
    readFloat(node.attributes, "beta", 1) === 1;
}

/** A Gemm's alpha (1 by the spec). */
const alphaOf = (node: Node): number => readFloat(node.attributes, "alpha", 1);

/**
 * The sum of `parts` (at least one), fusing sums of `A_t^T B_t` Gemms into one Gemm.
 *
 * @param g The graph.
 * @param parts Gradient contributions of one value, each of its shape, in the order the reverse
 *   walk made them.
 * @returns Their sum.
 */
export function accumulate(g: Graph, parts: readonly Value[]): Value {
  if (parts.length === 1) return parts[0];
  const nodes = parts.map((p) => g.producer(p.name));
  if (nodes.every(isOuterProduct)) {
    const alpha = alphaOf(nodes[0]);
    if (nodes.every((n) => alphaOf(n) === alpha)) {
      // The reverse walk meets the uses last to first; stacked in forward order, the factors
      // of a recurrence's weight are the rows of its steps in time order, the same Concat as
      // the gradient of the split that made them (see `splitSteps`).
      const forwardOrder = [...nodes].reverse();
      const as = forwardOrder.map((n) => g.value(n.inputs[0]));
      const bs = forwardOrder.map((n) => g.value(n.inputs[1]));
      return gemm(concat(as, 0), concat(bs, 0), null, { transA: true, alpha });
    }
  }
  // A chain of Adds, not one Sum: onnxruntime's WebGPU EP has no Sum kernel, and a left fold
  // adds in the order Sum does, so the CPU's bits stay the same.
  return parts.slice(1).reduce((total, part) => add(total, part), parts[0]);
}
