/**
 * Splitting a batch of sequences into time steps and joining per-step values back, for the
 * models that loop over tokens themselves (LMModel1-4).
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { fromTimeMajorRows, joinSteps, splitSteps, toTimeMajorRows } from "./recurrent.ts";

/**
 * The time steps of `[B, T, F]` activations: T values `[B, F]` (the book's `x[:, i]`).
 *
 * @param x Batch-major activations.
 * @returns One value per step.
 */
export function timeSteps(x: Value): Value[] {
  const steps = x.shape[1];
  if (typeof steps !== "number") {
    throw new Error(`timeSteps() needs a static length: got ${String(steps)}`);
  }
  return splitSteps(toTimeMajorRows(x), steps);
}

/**
 * Applies `f` to the T per-step values `[B, F]` as one `[T*B, F]` batch, and returns
 * `[B, T, G]` (the book's `torch.stack([f(h) for h in hs], dim=1)` with one Gemm).
 *
 * @param steps One value per time step.
 * @param f A row-wise function (e.g. a Linear layer).
 * @returns Batch-major results.
 */
export function stackSteps(steps: readonly Value[], f: (rows: Value) => Value): Value {
  return fromTimeMajorRows(f(joinSteps(steps)), steps.length);
}
