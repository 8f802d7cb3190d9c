/**
 * `nn.Linear`: `y = x W^T + b`.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import type { BuildContext } from "./build_context.ts";
import type { DecoderHead } from "./language_model.ts";
import { isStaticShape } from "../graph/value.ts";
import { int64s } from "../ops/constant.ts";
import { gemm } from "../ops/linalg.ts";
import { concat, reshape, shape } from "../ops/shape.ts";
import { uniformInit } from "./init.ts";
import { Module } from "./module.ts";
import { type Init, Parameter } from "./parameter.ts";

/** Options of `Linear`. */
export interface LinearOptions {
  /** Whether to add a bias (true). */
  readonly bias?: boolean;
  /** Use this `[outFeatures, inFeatures]` parameter as the weight (weight tying). */
  readonly weight?: Parameter;
  /** How the weight and bias are drawn (PyTorch's U(-1/sqrt(in), 1/sqrt(in)) by default). */
  readonly init?: { readonly weight?: Init; readonly bias?: Init };
}

/**
 * PyTorch's `nn.Linear(inFeatures, outFeatures)`: weight and bias U(-1/sqrt(in), 1/sqrt(in)).
 * The bias is excluded from weight decay, as fastai does for Linear biases.
 */
export class Linear extends Module {
  /** `[outFeatures, inFeatures]` (possibly shared with another module). */
  readonly weight: Parameter;
  /** `[outFeatures]`, or undefined without bias. */
  readonly bias: Parameter | undefined;

  /**
   * A linear layer.
   *
   * @param inFeatures Input size.
   * @param outFeatures Output size.
   * @param options Bias flag and a tied weight.
   */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    const tied = options.weight;
    if (tied && (tied.shape[0] !== outFeatures || tied.shape[1] !== inFeatures)) {
      throw new Error(
        `Linear(${inFeatures}, ${outFeatures}): a tied weight must have shape ` +
          `[${outFeatures}, ${inFeatures}]: got [${tied.shape.join(", ")}]`,
      );
    }
    const init = options.init ?? {};
    this.weight = tied ??
      new Parameter([outFeatures, inFeatures], init.weight ?? uniformInit(bound));
    this.bias = options.bias === false
      ? undefined
      : new Parameter([outFeatures], init.bias ?? uniformInit(bound), { decay: false });
  }

  /**
   * The layer's operands for `x`, without applying it (a chunked loss applies it piece by
   * piece).
   *
   * @param ctx The graph being built and the parameters' values.
   * @param x `[..., inFeatures]`.
   * @returns Input, weight and bias.
   */
  head(ctx: BuildContext, x: Value): DecoderHead {
    return {
      input: x,
      weight: ctx.value(this.weight),
      bias: this.bias ? ctx.value(this.bias) : null,
    };
  }

  /**
   * Applies the layer to the last axis.
   *
   * @param x `[..., inFeatures]`.
   * @returns `[..., outFeatures]`.
   */
  forward(ctx: BuildContext, x: Value): Value {
    const w = ctx.value(this.weight);
    const b = this.bias ? ctx.value(this.bias) : null;
    if (x.shape.length === 2) return gemm(x, w, b, { transB: true });
    if (x.shape.length < 2) {
      throw new Error(`Linear needs an input of rank >= 2: got [${x.shape.join(", ")}]`);
    }
    // Fold leading axes into rows: one Gemm forward, and one per weight in the gradient
    // (a batched MatMul would give one small product per batch row instead).
    const rows = gemm(reshape(x, [-1, this.inFeatures]), w, b, { transB: true });
    const lead = x.shape.slice(0, -1);
    const target = isStaticShape(lead)
      ? [...lead, this.outFeatures]
      : concat([shape(x, { end: -1 }), int64s(ctx.graph, [this.outFeatures])], 0);
    return reshape(rows, target);
  }
}
