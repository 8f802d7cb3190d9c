/**
 * `nn.GRU` (batch first), gates in PyTorch's order r, z, n:
 * `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, `z = σ(W_iz x + b_iz + W_hz h + b_hz)`,
 * `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, `h' = (1 - z) * n + z * h`.
 *
 * @module
 */

import type { Value } from "../graph/value.ts";
import { add, mul, sigmoid, sub, tanh } from "../ops/elementwise.ts";
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

/** PyTorch's `nn.GRU(inputSize, hiddenSize, numLayers, batch_first=True)`. */
export class GRU extends Module {
  private readonly layers: RecurrentLayerParams[];

  /**
   * @param inputSize Features of the input.
   * @param hiddenSize Features of h.
   * @param numLayers Stacked layers.
   */
  constructor(readonly inputSize: number, readonly hiddenSize: number, readonly numLayers: number) {
    super();
    this.layers = recurrentParameters(this, 3, inputSize, hiddenSize, numLayers);
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
    const steps = staticSteps("GRU", x);
    checkState("GRU", "h", h, this.numLayers, this.hiddenSize);
    const hs = this.hiddenSize;
    const h0 = splitLayers(h);
    let rows = toTimeMajorRows(x);
    const hN: Value[] = [];
    this.layers.forEach((p, l) => {
      // b_hh stays inside the recurrent term: n's hidden part is scaled by r with its bias.
      const xwAll = gemm(rows, p.weightIh.in(g), p.biasIh.in(g), { transB: true });
      const projected = splitSteps(xwAll, steps);
      const [whh, bhh] = [p.weightHh.in(g), p.biasHh.in(g)];
      let state = h0[l];
      const outputs: Value[] = [];
      for (const xw of projected) {
        const hw = gemm(state, whh, bhh, { transB: true });
        const [xRz, xn] = split(xw, [2 * hs, hs], 1);
        const [hRz, hn] = split(hw, [2 * hs, hs], 1);
        const [r, z] = split(sigmoid(add(xRz, hRz)), 2, 1);
        const n = tanh(add(xn, mul(r, hn)));
        state = add(n, mul(z, sub(state, n))); // (1 - z) * n + z * h
        outputs.push(state);
      }
      rows = joinSteps(outputs);
      hN.push(state);
    });
    return [fromTimeMajorRows(rows, steps), stackLayers(hN)];
  }
}
