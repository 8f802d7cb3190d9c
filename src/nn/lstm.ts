/**
 * `nn.LSTM` (batch first): gates in PyTorch's order i, f, g, o;
 * `c' = f*c + i*g`, `h' = o*tanh(c')`.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import type { BuildContext } from "./build_context.ts";
import { add, mul, sigmoid, tanh } from "../ops/elementwise.ts";
import { gemm } from "../ops/linalg.ts";
import { split } from "../ops/shape.ts";
import type { RecurrentLayerParams } from "./recurrent.ts";
import { type LayerCell, StackedRecurrent } from "./stacked_recurrent.ts";

/** PyTorch's `nn.LSTM(inputSize, hiddenSize, numLayers, batch_first=True)`. */
export class LSTM extends StackedRecurrent {
  /**
   * A stacked LSTM (PyTorch `nn.LSTM` semantics).
   *
   * @param inputSize Features of the input.
   * @param hiddenSize Features of h and c.
   * @param numLayers Stacked layers.
   */
  constructor(inputSize: number, hiddenSize: number, numLayers: number) {
    super("LSTM", 4, inputSize, hiddenSize, numLayers);
  }

  /**
   * Runs the layers over a sequence.
   *
   * @param x `[B, T, inputSize]`.
   * @param state `[h, c]`, each `[numLayers, B, hiddenSize]`.
   * @returns The last layer's outputs `[B, T, hiddenSize]` and the final `[h, c]`.
   */
  forward(ctx: BuildContext, x: Value, state: readonly [Value, Value]): [Value, [Value, Value]] {
    const [out, [h, c]] = this.run(ctx, x, state, ["h", "c"]);
    return [out, [h, c]];
  }

  /**
   * One LSTM layer's step: the input projection of all steps, then the gates per step.
   *
   * @param p The layer's weights.
   * @param ctx The graph being built, with the weights' values.
   * @returns The layer's cell.
   */
  protected cell(p: RecurrentLayerParams, ctx: BuildContext): LayerCell {
    const whh = ctx.value(p.weightHh);
    return {
      // Both biases fold into the one projection of all time steps.
      project: (rows) =>
        gemm(rows, ctx.value(p.weightIh), add(ctx.value(p.biasIh), ctx.value(p.biasHh)), {
          transB: true,
        }),
      step: (xw, [h, c]) => {
        const [i, f, gg, o] = split(gemm(h, whh, xw, { transB: true }), 4, 1);
        const cNext = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(gg)));
        return [mul(sigmoid(o), tanh(cNext)), cNext];
      },
    };
  }
}
