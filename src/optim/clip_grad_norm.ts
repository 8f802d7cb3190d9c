/**
 * Gradient clipping by the global norm, PyTorch's `clip_grad_norm_` (nanoGPT clips at 1.0): every
 * gradient is scaled by `min(1, maxNorm / (norm + 1e-6))`, `norm` the Euclidean norm of all the
 * gradients together, so the step keeps its direction and no more than that length.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { constantScalar } from "../ops/constant.ts";
import { add, div, greater, mul, sqrt, where } from "../ops/elementwise.ts";
import { reduceSum } from "../ops/reduce.ts";

/** The clipped gradients and the norm they had. */
export interface ClippedGradients {
  /** Each gradient scaled by the common factor. */
  readonly grads: Value[];
  /** The global norm before clipping (a scalar), for the log. */
  readonly norm: Value;
}

/**
 * Scales `grads` together so that their global norm is at most `maxNorm`.
 *
 * @param grads Gradients of one graph and dtype (at least one).
 * @param maxNorm The largest norm, > 0.
 * @returns The scaled gradients and the norm before scaling.
 * @throws RangeError for a `maxNorm` that is not a positive finite number, or no gradients.
 */
export function clipGradNorm(grads: readonly Value[], maxNorm: number): ClippedGradients {
  if (!(Number.isFinite(maxNorm) && maxNorm > 0)) {
    throw new RangeError(`clipGradNorm needs a positive finite maxNorm: got ${maxNorm}`);
  }
  if (grads.length === 0) throw new RangeError(`clipGradNorm needs at least one gradient`);
  const squares = grads.map((d) => reduceSum(mul(d, d), [], { keepdims: false }));
  // Added pairwise, not by one Sum node: onnxruntime's WebGPU EP has no Sum kernel.
  const norm = sqrt(squares.reduce((total, s) => add(total, s)));
  const c = (v: number) => constantScalar(norm.graph, norm.dtype, v);
  const factor = div(c(maxNorm), add(norm, c(1e-6)));
  // min(factor, 1): gradients under the limit are left as they are.
  const scale = where(greater(factor, c(1)), c(1), factor);
  return { grads: grads.map((d) => mul(d, scale)), norm };
}
