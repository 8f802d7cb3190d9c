/**
 * How a decoder input `[B, T, H]` and its targets split into chunks of time steps for a Loop
 * over them: the layout `chunked_loss.ts` and `chunked_adaptive_loss.ts` share.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { GraphBuildError } from "../graph/errors.ts";
import type { Dim } from "../graph/value.ts";
import { tensor } from "../onnx/tensor.ts";
import type { LoopBody } from "../ops/control.ts";
import { constant, constantScalar } from "../ops/constant.ts";
import { add, mul } from "../ops/elementwise.ts";
import { gather } from "../ops/indexing.ts";
import { reshape } from "../ops/shape.ts";

/** A decoder input's chunks (`chunkLayout`). */
export interface ChunkLayout {
  /** Rows per batch (B). */
  readonly batch: Dim;
  /** Time steps per row (T). */
  readonly seqLen: number;
  /** Features (H). */
  readonly hidden: number;
  /** The input's element type. */
  readonly dtype: "float32" | "float64";
  /** Iterations: T / steps. */
  readonly trips: number;
  /**
   * The iteration's chunk, read in a Loop body.
   *
   * @param body The Loop body.
   * @returns The chunk's input rows `[B·steps, H]` and targets `[B·steps]`.
   */
  chunkOf(body: LoopBody): { readonly rows: Value; readonly targets: Value };
}

/**
 * How a decoder input `[B, T, H]` and its targets `[B, T]` split into chunks of `steps` time
 * steps, and each iteration's chunk: the input as rows `[B·steps, H]` and the targets
 * `[B·steps]`.
 *
 * @param input The decoder's input `[B, T, H]` (T and H static).
 * @param targets int64 `[B, T]`.
 * @param steps Time steps per chunk (dividing T).
 * @param what The decoder's shape in words, for the message of a bad input.
 * @returns The sizes, the iteration count, and the iteration's chunk.
 * @throws GraphBuildError for an input without static steps and features, or steps that do
 *   not divide T.
 */
export function chunkLayout(
  input: Value,
  targets: Value,
  steps: number,
  what = "",
): ChunkLayout {
  const [batch, seqLen, hidden] = input.shape;
  if (input.shape.length !== 3 || typeof seqLen !== "number" || typeof hidden !== "number") {
    throw new GraphBuildError(
      `A chunked loss needs a decoder input [batch, steps, hidden] with static steps and ` +
        `hidden: got input [${input.shape.join(", ")}]${what}`,
    );
  }
  if (!Number.isInteger(steps) || steps < 1 || seqLen % steps !== 0) {
    throw new GraphBuildError(
      `A chunked loss needs steps per chunk that divide the sequence length ${seqLen}: got ` +
        `${steps}`,
    );
  }
  const dtype = input.dtype as "float32" | "float64";
  /** The iteration's chunk of the decoder input (as rows) and of the targets. */
  const chunkOf = (body: LoopBody) => {
    const g = body.graph;
    const first = mul(body.iteration, constantScalar(g, "int64", steps));
    const offsets = constant(
      g,
      tensor("int64", [steps], BigInt64Array.from({ length: steps }, (_, i) => BigInt(i))),
    );
    const index = add(offsets, first);
    return {
      rows: reshape(gather(body.outer(input), index, { axis: 1 }), [-1, hidden]),
      targets: reshape(gather(body.outer(targets), index, { axis: 1 }), [-1]),
    };
  };
  return { batch: batch as Dim, seqLen, hidden, dtype, trips: seqLen / steps, chunkOf };
}
