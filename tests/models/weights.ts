/**
 * Shared by the model tests: float64 feeds of a model's seeded initial weights, and a
 * plain-loop `nn.Linear` reference.
 *
 * @module
 */

import type { LanguageModel } from "../../src/nn/language_model.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { t64 } from "../helpers/run_graph.ts";

/** Float64 results are compared at this tolerance. */
export const TOL = { rtol: 1e-12, atol: 1e-12 };

/** The chapter's vocabulary and hidden sizes. */
export const [V, H] = [30, 64];

/**
 * Float64 copies of a model's seeded initial weights (PyTorch's default init), as feeds.
 *
 * @param m The model.
 * @param seed Seed of `initParameters`.
 * @returns One feed per parameter name.
 */
export function initFeeds(m: LanguageModel, seed: number): Record<string, Tensor> {
  const shapes = new Map(m.namedParameters().map(([n, p]) => [n, p.shape]));
  return Object.fromEntries(
    [...m.initParameters(seed)].map(([n, v]) => [n, t64(shapes.get(n)!, v)]),
  );
}

/**
 * `x W^T + b` in float64 loops.
 *
 * @param x `[rows, inp]`, row-major.
 * @param w `[out, inp]`.
 * @param b `[out]`.
 * @param inp Input features.
 * @returns `[rows, out]`, row-major.
 */
export function linearRef(
  x: readonly number[],
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  inp: number,
): number[] {
  const out = b.length;
  const y: number[] = [];
  for (let r = 0; r < x.length / inp; r++) {
    for (let o = 0; o < out; o++) {
      let s = b[o];
      for (let k = 0; k < inp; k++) s += x[r * inp + k] * w[o * inp + k];
      y.push(s);
    }
  }
  return y;
}
