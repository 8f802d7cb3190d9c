/**
 * Reverse-mode automatic differentiation over onnx-lm graphs: `backward()`, the rule table,
 * and the helpers rules share.
 *
 * @module
 */

export { backward, type BackwardOptions, GradError } from "./backward.ts";
export { GRAD_RULES } from "./rules/mod.ts";
export type { GradNode, GradRule, GradRuleTable } from "./rule.ts";
export { unbroadcast } from "./unbroadcast.ts";
export { full, onesLike, zerosLike } from "./fill.ts";
