/**
 * What a gradient rule is: a pure function from a node and the gradients of its outputs to
 * the gradients of its inputs, built with the same op builders as forward code.
 *
 * @module
 */

import type { Node, Value } from "../graph/graph.ts";
import type { OpType } from "../graph/op_type.ts";

/** A node seen by its gradient rule: its input and output values, and its attributes. */
export interface GradNode {
  /** The node whose gradient failed. */
  readonly node: Node;
  /** Input values aligned with `node.inputs` (`null` for omitted optional inputs). */
  readonly inputs: readonly (Value | null)[];
  /** Output values aligned with `node.outputs`. */
  readonly outputs: readonly Value[];
}

/**
 * `(node, dOutputs) => dInputs`: gradients aligned with `node.inputs`, `null` meaning none
 * (integer inputs, constants, or inputs the op's output does not depend on smoothly).
 */
export type GradRule = (n: GradNode, dOutputs: readonly (Value | null)[]) => (Value | null)[];

/** Every operator has a rule or is marked as having no gradient; a missing entry fails to compile. */
export type GradRuleTable = Readonly<Record<OpType, GradRule | "nondiff">>;

/**
 * The input value at `index`, which the rule requires to be present.
 *
 * @param n The node.
 * @param index Input position.
 * @returns The value.
 */
export function input(n: GradNode, index: number): Value {
  const v = n.inputs[index];
  if (!v) throw new Error(`Gradient of "${n.node.name}" needs input ${index}, which is omitted`);
  return v;
}
