/**
 * `nn.RNN` (tanh, batch first): `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`.
 *
 * @module
 */

import type { Value } from "../graph/value.ts";
import { add, tanh } from "../ops/elementwise.ts";
import { gemm } from "../ops/linalg.ts";
import { Module } from "./module.ts";
import {
  checkState,
  fromTimeMajorRows,
  joinSteps,
  type RecurrentLayerParams,
  recurrentParameters,
  splitLayers,
  splitSteps,
  stackLayers,
  staticSteps,
  toTimeMajorRows,
} from "./recurrent.ts";

/** PyTorch's `nn.RNN(inputSize, hiddenSize, numLayers, batch_first=True)` with tanh. */
export class RNN extends Module {
  private readonly layers: RecurrentLayerParams[];

  /**
   * @param inputSize Features of the input.
   * @param hiddenSize Features of h.
   * @param numLayers Stacked layers.
   */
  constructor(readonly inputSize: number, readonly hiddenSize: number, readonly numLayers: number) {
    super();
    this.layers = recurrentParameters(this, 1, inputSize, hiddenSize, numLayers);
  }

  /**
   * Runs the layers over a sequence.
   *
   * @param x `[B, T, inputSize]`.
   * @param h `[numLayers, B, hiddenSize]`.
   * @returns The last layer's outputs `[B, T, hiddenSize]` and the final h.
   */
  forward(x: Value, h: Value): [Value, Value] {
    const g = x.graph;
    const steps = staticSteps("RNN", x);
    checkState("RNN", "h", h, this.numLayers, this.hiddenSize);
    const h0 = splitLayers(h);
    let rows = toTimeMajorRows(x);
    const hN: Value[] = [];
    this.layers.forEach((p, l) => {
      // The input projection of every time step at once, with both biases folded in.
      const bias = add(p.biasIh.in(g), p.biasHh.in(g));
      const projected = splitSteps(gemm(rows, p.weightIh.in(g), bias, { transB: true }), steps);
      const whh = p.weightHh.in(g);
      let state = h0[l];
      const outputs: Value[] = [];
      for (const xw of projected) {
        state = tanh(gemm(state, whh, xw, { transB: true }));
        outputs.push(state);
      }
      rows = joinSteps(outputs);
      hN.push(state);
    });
    return [fromTimeMajorRows(rows, steps), stackLayers(hN)];
  }
}
