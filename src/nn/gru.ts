/**
 * `nn.GRU` (batch first), gates in PyTorch's order r, z, n:
 * `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, `z = σ(W_iz x + b_iz + W_hz h + b_hz)`,
 * `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, `h' = (1 - z) * n + z * h`.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import type { BuildContext } from "./build_context.ts";
import { add, mul, sigmoid, sub, tanh } from "../ops/elementwise.ts";
import { gemm } from "../ops/linalg.ts";
import { split } from "../ops/shape.ts";
import type { RecurrentLayerParams } from "./recurrent.ts";
import { type LayerCell, StackedRecurrent } from "./stacked_recurrent.ts";

/** PyTorch's `nn.GRU(inputSize, hiddenSize, numLayers, batch_first=True)`. */
export class GRU extends StackedRecurrent {
  /**
   * @param inputSize Features of the input.
   * @param hiddenSize Features of h.
   * @param numLayers Stacked layers.
   */
  constructor(inputSize: number, hiddenSize: number, numLayers: number) {
    super("GRU", 3, inputSize, hiddenSize, numLayers);
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
    const [whh, bhh] = [ctx.value(p.weightHh), ctx.value(p.biasHh)];
    const hs = this.hiddenSize;
    return {
      // b_hh stays in the recurrent term: n scales the hidden part, bias included, by r.
      project: (rows) => gemm(rows, ctx.value(p.weightIh), ctx.value(p.biasIh), { transB: true }),
      step: (xw, [h]) => {
        const hw = gemm(h, whh, bhh, { transB: true });
        const [xRz, xn] = split(xw, [2 * hs, hs], 1);
        const [hRz, hn] = split(hw, [2 * hs, hs], 1);
        const [r, z] = split(sigmoid(add(xRz, hRz)), 2, 1);
        const n = tanh(add(xn, mul(r, hn)));
        return [add(n, mul(z, sub(h, n)))]; // (1 - z) * n + z * h
      },
    };
  }
}
