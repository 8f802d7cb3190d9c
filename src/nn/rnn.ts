/**
 * `nn.RNN` (tanh, batch first): `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.
 *
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
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
  forward(x: Value, h: Value): [Value, Value] {
    const [out, [hN]] = this.run(x, [h], ["h"]);
    return [out, hN];
  }

  protected cell(p: RecurrentLayerParams, g: Graph): LayerCell {
    const whh = p.weightHh.in(g);
    return {
      // Both biases fold into the one projection of all time steps.
      project: (rows) =>
        gemm(rows, p.weightIh.in(g), add(p.biasIh.in(g), p.biasHh.in(g)), { transB: true }),
      step: (xw, [h]) => [tanh(gemm(h, whh, xw, { transB: true }))],
    };
  }
}
