/**
 * What a gradient rule is: a pure function from a node and the gradients of its outputs to
 * the gradients of its inputs, built with the same op builders as forward code.
 *
 * @module
 */

import type { Node, Value } from "../graph/graph.ts";
import type { OpType } from "../graph/op_type.ts";

/** Raised when a gradient cannot be built; the message names the op and the path. */
export class GradError extends Error {
  /** The error name. */
  override name = "GradError";
}

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
  if (!v) {
    throw new GradError(`Gradient of "${n.node.name}" needs input ${index}, which is omitted`);
  }
  return v;
}

/**
 * A rule for an op with one output: `rule(n, dy)` runs only when that output has a gradient;
 * without one, every input gets none.
 *
 * @param rule The rule, given the output's gradient.
 * @returns The rule over all outputs' gradients.
 */
export function single(rule: (n: GradNode, dy: Value) => (Value | null)[]): GradRule {
  return (n, [dy]) => dy ? rule(n, dy) : n.inputs.map(() => null);
}
