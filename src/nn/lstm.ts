/**
 * `nn.LSTM` (batch first): gates in PyTorch's order i, f, g, o;
 * `c' = f*c + i*g`, `h' = o*tanh(c')`.
 *
 * @module
 */

import type { Value } from "../graph/value.ts";
import { add, mul, sigmoid, tanh } from "../ops/elementwise.ts";
import { gemm } from "../ops/linalg.ts";
import { split } from "../ops/shape.ts";
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

/** PyTorch's `nn.LSTM(inputSize, hiddenSize, numLayers, batch_first=True)`. */
export class LSTM extends Module {
  private readonly layers: RecurrentLayerParams[];

  /**
   * @param inputSize Features of the input.
   * @param hiddenSize Features of h and c.
   * @param numLayers Stacked layers.
   */
  constructor(readonly inputSize: number, readonly hiddenSize: number, readonly numLayers: number) {
    super();
    this.layers = recurrentParameters(this, 4, inputSize, hiddenSize, numLayers);
  }

  /**
   * Runs the layers over a sequence.
   *
   * @param x `[B, T, inputSize]`.
   * @param state `[h, c]`, each `[numLayers, B, hiddenSize]`.
   * @returns The last layer's outputs `[B, T, hiddenSize]` and the final `[h, c]`.
   */
  forward(x: Value, state: readonly [Value, Value]): [Value, [Value, Value]] {
    const g = x.graph;
    const steps = staticSteps("LSTM", x);
    checkState("LSTM", "h", state[0], this.numLayers, this.hiddenSize);
    checkState("LSTM", "c", state[1], this.numLayers, this.hiddenSize);
    const h0 = splitLayers(state[0]);
    const c0 = splitLayers(state[1]);
    let rows = toTimeMajorRows(x);
    const hN: Value[] = [];
    const cN: Value[] = [];
    this.layers.forEach((p, l) => {
      // The input projection of every time step at once, with both biases folded in.
      const bias = add(p.biasIh.in(g), p.biasHh.in(g));
      const projected = splitSteps(gemm(rows, p.weightIh.in(g), bias, { transB: true }), steps);
      const whh = p.weightHh.in(g);
      let [h, c] = [h0[l], c0[l]];
      const outputs: Value[] = [];
      for (const xw of projected) {
        const [i, f, gg, o] = split(gemm(h, whh, xw, { transB: true }), 4, 1);
        c = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(gg)));
        h = mul(sigmoid(o), tanh(c));
        outputs.push(h);
      }
      rows = joinSteps(outputs);
      hN.push(h);
      cN.push(c);
    });
    return [fromTimeMajorRows(rows, steps), [stackLayers(hN), stackLayers(cN)]];
  }
}
