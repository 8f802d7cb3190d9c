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
  /** Name of the mask input this layer declares in training graphs. */
  maskName = "dropout.mask";

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
   * Applies dropout in training graphs (declaring the mask input), identity otherwise.
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
    return mul(x, ctx.graph.input(this.maskName, x.dtype, x.shape));
  }

  /**
   * Draws a mask: 0 with probability p, else 1/(1-p).
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
    const keep = 1 / (1 - this.p);
    const mask = dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
    for (let i = 0; i < size; i++) mask[i] = rng.next() < this.p ? 0 : keep;
    return mask as D extends "float64" ? Float64Array : Float32Array;
  }
}
