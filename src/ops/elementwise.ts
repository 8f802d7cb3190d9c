/**
 * Elementwise operator builders: arithmetic with numpy broadcasting, math functions,
 * comparisons, Where, Sum, Cast and Identity.
 *
 * @module
 */

import { type DType, ONNX_DATA_TYPE } from "../onnx/dtype.ts";
import { GraphBuildError } from "../graph/errors.ts";
import { attrs, intAttr } from "../graph/attributes.ts";
import { op } from "../graph/op.ts";
import type { OpType } from "../graph/op_type.ts";
import type { Value } from "../graph/graph.ts";
import type { AttributeValue } from "../onnx/model.ts";

const unary = (opType: OpType) => (x: Value): Value => op(x.graph, opType, [x])[0];
const binary = (opType: OpType) => (a: Value, b: Value): Value => op(a.graph, opType, [a, b])[0];

/** `a + b` with broadcasting. */
export const add: (a: Value, b: Value) => Value = binary("Add");
/** `a - b` with broadcasting. */
export const sub: (a: Value, b: Value) => Value = binary("Sub");
/** `a * b` with broadcasting. */
export const mul: (a: Value, b: Value) => Value = binary("Mul");
/** `a / b` with broadcasting. */
export const div: (a: Value, b: Value) => Value = binary("Div");
/** `x ** y` with broadcasting (float base; float or int64 exponent). */
export const pow: (x: Value, y: Value) => Value = binary("Pow");
/** `a == b` elementwise, as bool. */
export const equal: (a: Value, b: Value) => Value = binary("Equal");
/** `a > b` elementwise, as bool. */
export const greater: (a: Value, b: Value) => Value = binary("Greater");

/** `-x`. */
export const neg: (x: Value) => Value = unary("Neg");
/** `max(x, 0)`. */
export const relu: (x: Value) => Value = unary("Relu");
/** `1 / (1 + exp(-x))`. */
export const sigmoid: (x: Value) => Value = unary("Sigmoid");
/** Hyperbolic tangent. */
export const tanh: (x: Value) => Value = unary("Tanh");
/** `e ** x`. */
export const exp: (x: Value) => Value = unary("Exp");
/** Natural logarithm. */
export const log: (x: Value) => Value = unary("Log");
/** Square root. */
export const sqrt: (x: Value) => Value = unary("Sqrt");
/** `1 / x`. */
export const reciprocal: (x: Value) => Value = unary("Reciprocal");
/** The same tensor under a new name. */
export const identity: (x: Value) => Value = unary("Identity");

/**
 * Elementwise sum of one or more tensors, with broadcasting.
 *
 * @param xs The tensors (at least one).
 * @returns Their sum.
 */
export function sum(...xs: Value[]): Value {
  if (xs.length === 0) {
    throw new GraphBuildError(`Cannot build "Sum": needs at least one input: got none`);
  }
  return op(xs[0].graph, "Sum", xs)[0];
}

/**
 * `condition ? x : y` elementwise, with broadcasting.
 *
 * @param condition A bool tensor.
 * @param x Chosen where the condition holds.
 * @param y Chosen elsewhere.
 * @returns The selection.
 */
export function where(condition: Value, x: Value, y: Value): Value {
  return op(condition.graph, "Where", [condition, x, y])[0];
}

/**
 * Converts the element type.
 *
 * @param x The tensor.
 * @param to Target dtype.
 * @returns The converted tensor.
 */
export function cast(x: Value, to: DType): Value {
  // An untyped caller's unknown dtype leaves `to` out, and inference names the missing attribute.
  return op(x.graph, "Cast", [x], attrs({ to: intAttr(ONNX_DATA_TYPE[to]) }))[0];
}

/**
 * int8 values back to float32: `(x - zeroPoint) * scale`, with one scale for the tensor or one
 * per slice along `axis` (ONNX DequantizeLinear, opset 13+).
 *
 * @param x The int8 tensor.
 * @param scale A float32 scalar, or 1-D with one scale per slice of `axis`.
 * @param zeroPoint Optional int8 zero point(s), shaped like `scale` (0 when null).
 * @param options `axis` (1 by default, as in ONNX).
 * @returns The float32 tensor.
 */
export function dequantizeLinear(
  x: Value,
  scale: Value,
  zeroPoint: Value | null = null,
  options: { axis?: number } = {},
): Value {
  const attrs: Record<string, AttributeValue> = options.axis === undefined
    ? {}
    : { axis: { type: "int", value: options.axis } };
  return op(x.graph, "DequantizeLinear", zeroPoint ? [x, scale, zeroPoint] : [x, scale], attrs)[0];
}
