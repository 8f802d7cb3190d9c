/**
 * Inverted dropout whose mask is a graph input: the learner draws a fresh mask every step
 * from the run's seeded generator and feeds it, so training is reproducible bit for bit and
 * the gradient uses exactly the forward's mask (it is the same tensor).
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { isStaticShape } from "../graph/value.ts";
import { mul } from "../ops/elementwise.ts";
import { Module } from "./module.ts";
import type { Random } from "./random.ts";
import type { BuildContext } from "./build_context.ts";

/** PyTorch's `nn.Dropout(p)`: in training, zero each element with probability p and scale the rest by 1/(1-p). */
export class Dropout extends Module {
  /**
   * Dropout with probability `p`.
   *
   * @param p Drop probability in [0, 1).
   */
  constructor(readonly p: number) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout p must be in [0, 1): got ${p}`);
  }

  /**
   * Applies dropout in training graphs (declaring the mask input `<path>.mask`, or
   * `dropout.mask` for a module the context does not name), identity otherwise.
   *
   * @param ctx The graph being built and whether it trains.
   * @param x Activations.
   * @returns `x * mask` in training, `x` in evaluation.
   */
  forward(ctx: BuildContext, x: Value): Value {
    if (!ctx.training || this.p === 0) return x;
    if (!isStaticShape(x.shape)) {
      throw new Error(`Dropout in training needs static shapes: got [${x.shape.join(", ")}]`);
    }
    const path = ctx.nameOf(this);
    return mul(x, ctx.graph.input(maskName(path ?? "dropout"), x.dtype, x.shape));
  }

  /**
   * Draws a mask for this layer (`dropoutMask` with its `p`).
   *
   * @param rng The run's dropout stream.
   * @param size Number of elements.
   * @param dtype Element type of the mask (that of the activations).
   * @returns The mask values.
   */
  sampleMask<D extends "float32" | "float64" = "float32">(
    rng: Random,
    size: number,
    dtype?: D,
  ): D extends "float64" ? Float64Array : Float32Array {
    return dropoutMask(rng, size, this.p, dtype);
  }
}

/**
 * The name of the mask input of the dropout module at `path`.
 *
 * @param path The module's path in its model (`drop`).
 * @returns `<path>.mask`.
 */
export function maskName(path: string): string {
  return `${path}.mask`;
}

/**
 * Draws a dropout mask: 0 with probability p, else 1/(1-p). A pure function of the stream, the
 * size and p, so a mask is plain data the training loop can draw from a run's recorded spec.
 *
 * @param rng The run's dropout stream.
 * @param size Number of elements.
 * @param p Drop probability.
 * @param dtype Element type of the mask (that of the activations).
 * @returns The mask values.
 */
export function dropoutMask<D extends "float32" | "float64" = "float32">(
  rng: Random,
  size: number,
  p: number,
  dtype?: D,
): D extends "float64" ? Float64Array : Float32Array {
  const keep = 1 / (1 - p);
  const mask = dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) mask[i] = rng.next() < p ? 0 : keep;
  return mask as D extends "float64" ? Float64Array : Float32Array;
}
