/**
 * `nn.RNN` (tanh, batch first): `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import type { BuildContext } from "./build_context.ts";
import { add, tanh } from "../ops/elementwise.ts";
import { gemm } from "../ops/linalg.ts";
import type { RecurrentLayerParams } from "./recurrent.ts";
import { type LayerCell, StackedRecurrent } from "./stacked_recurrent.ts";

/** PyTorch's `nn.RNN(inputSize, hiddenSize, numLayers, batch_first=True)` with tanh. */
export class RNN extends StackedRecurrent {
  /**
   * @param inputSize Features of the input.
   * @param hiddenSize Features of h.
   * @param numLayers Stacked layers.
   */
  constructor(inputSize: number, hiddenSize: number, numLayers: number) {
    super("RNN", 1, inputSize, hiddenSize, numLayers);
  }

  /**
   * Runs the layers over a sequence.
   *
   * @param x `[B, T, inputSize]`.
   * @param h `[numLayers, B, hiddenSize]`.
   * @returns The last layer's outputs `[B, T, hiddenSize]` and the final h.
   */
  forward(ctx: BuildContext, x: Value, h: Value): [Value, Value] {
    const [out, [hN]] = this.run(ctx, x, [h], ["h"]);
    return [out, hN];
  }

  protected cell(p: RecurrentLayerParams, ctx: BuildContext): LayerCell {
    const whh = ctx.value(p.weightHh);
    return {
      // Both biases fold into the one projection of all time steps.
      project: (rows) =>
        gemm(rows, ctx.value(p.weightIh), add(ctx.value(p.biasIh), ctx.value(p.biasHh)), {
          transB: true,
        }),
      step: (xw, [h]) => [tanh(gemm(h, whh, xw, { transB: true }))],
    };
  }
}
