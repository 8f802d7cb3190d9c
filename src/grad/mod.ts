/**
 * Reverse-mode automatic differentiation over onnx-lm graphs: `backward()`, the rule table,
 * and the helpers rules share.
 *
 * @module
 */

export { backward, type BackwardOptions } from "./backward.ts";
export { GRAD_RULES } from "./rules/mod.ts";
export { GradError, type GradNode, type GradRule, type GradRuleTable } from "./rule.ts";
export { unbroadcast } from "./unbroadcast.ts";
export { full, onesLike, zerosLike } from "./fill.ts";
