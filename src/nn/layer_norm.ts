/**
 * `nn.LayerNorm` over the last axis, as a composition of standard ops (ReduceMean, Sub, Mul,
 * Add, Sqrt, Div), so every backend runs it and `backward()` differentiates it with the rules it
 * has: `y = (x - mean) / sqrt(var + eps) * weight + bias`, the variance biased (divided by the
 * feature count), as PyTorch's.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { constantScalar } from "../ops/constant.ts";
import { add, div, mul, sqrt, sub } from "../ops/elementwise.ts";
import { reduceMean } from "../ops/reduce.ts";
import type { BuildContext } from "./build_context.ts";
import { constantInit } from "./init.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

/** Options of `LayerNorm`. */
export interface LayerNormOptions {
  /** A learned bias (true; nanoGPT's `bias=False` leaves it out). */
  readonly bias?: boolean;
  /** Added to the variance before the square root (1e-5, PyTorch's). */
  readonly eps?: number;
}

/**
 * Layer normalization over `features`: weight (ones) and bias (zeros), neither decayed
 * (nanoGPT decays only matrices).
 */
export class LayerNorm extends Module {
  /** `[features]`, starting at 1. */
  readonly weight: Parameter;
  /** `[features]`, starting at 0, or undefined without bias. */
  readonly bias: Parameter | undefined;
  /** Added to the variance. */
  readonly eps: number;

  /**
   * A layer norm over the last axis.
   *
   * @param features Size of the last axis.
   * @param options Bias flag and eps.
   */
  constructor(readonly features: number, options: LayerNormOptions = {}) {
    super();
    this.weight = new Parameter([features], constantInit(1), { decay: false });
    this.bias = options.bias === false
      ? undefined
      : new Parameter([features], constantInit(0), { decay: false });
    this.eps = options.eps ?? 1e-5;
  }

  /**
   * Normalizes the last axis.
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[..., features]`.
   * @returns `[..., features]`.
   */
  forward(ctx: BuildContext, x: Value): Value {
    const last = x.shape[x.shape.length - 1];
    if (last !== this.features) {
      throw new Error(
        `LayerNorm(${this.features}) needs an input whose last axis is ${this.features}: got ` +
          `[${x.shape.join(", ")}]`,
      );
    }
    const centered = sub(x, reduceMean(x, [-1], { keepdims: true }));
    const variance = reduceMean(mul(centered, centered), [-1], { keepdims: true });
    const scale = sqrt(add(variance, constantScalar(x.graph, x.dtype, this.eps)));
    const normalized = mul(div(centered, scale), ctx.value(this.weight));
    return this.bias ? add(normalized, ctx.value(this.bias)) : normalized;
  }
}
