/**
 * Matrix product builders.
 *
 * @module
 */

import { attrs, boolAttr, floatAttr } from "../graph/attributes.ts";
import { op } from "../graph/op.ts";
import type { Value } from "../graph/graph.ts";

/**
 * Numpy-style matrix product (batched over leading axes, broadcast).
 *
 * @param a Left operand `[..., M, K]` (or `[K]`).
 * @param b Right operand `[..., K, N]` (or `[K]`).
 * @returns `[..., M, N]`.
 */
export function matMul(a: Value, b: Value): Value {
  return op(a.graph, "MatMul", [a, b])[0];
}

/** Gemm attributes, with the spec's names and defaults. */
export interface GemmOptions {
  /** Scales A·B (1). */
  alpha?: number;
  /** Scales C (1). */
  beta?: number;
  /** Transpose A first (false). */
  transA?: boolean;
  /** Transpose B first (false). */
  transB?: boolean;
}

/**
 * General matrix multiply: `alpha * A' B' + beta * C`, where `'` is an optional transpose.
 * `gemm(x, weight, bias, { transB: true })` is PyTorch's `Linear`.
 *
 * @param a `[M, K]` (or `[K, M]` with transA).
 * @param b `[K, N]` (or `[N, K]` with transB).
 * @param c Optional addend broadcastable to `[M, N]`.
 * @param options alpha (1), beta (1), transA (false), transB (false).
 * @returns `[M, N]`.
 */
export function gemm(a: Value, b: Value, c?: Value | null, options: GemmOptions = {}): Value {
  const attributes = attrs({
    alpha: floatAttr(options.alpha, 1),
    beta: floatAttr(options.beta, 1),
    transA: boolAttr(options.transA, false),
    transB: boolAttr(options.transB, false),
  });
  return op(a.graph, "Gemm", [a, b, c ?? null], attributes)[0];
}
