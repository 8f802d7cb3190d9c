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
import { uniformInit } from "./init.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import {
  fromTimeMajorRows,
  joinSteps,
  splitLayers,
  splitSteps,
  stackLayers,
  toTimeMajorRows,
} from "./recurrent.ts";

/** One layer's weights, named like PyTorch's (`weight_ih_l0`, ...) by `LSTM`. */
interface LstmLayerParams {
  readonly weightIh: Parameter;
  readonly weightHh: Parameter;
  readonly biasIh: Parameter;
  readonly biasHh: Parameter;
}

/** PyTorch's `nn.LSTM(inputSize, hiddenSize, numLayers, batch_first=True)`. */
export class LSTM extends Module {
  private readonly layers: LstmLayerParams[] = [];

  /**
   * @param inputSize Features of the input.
   * @param hiddenSize Features of h and c.
   * @param numLayers Stacked layers.
   */
  constructor(readonly inputSize: number, readonly hiddenSize: number, readonly numLayers: number) {
    super();
    const init = uniformInit(1 / Math.sqrt(hiddenSize));
    const self = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < numLayers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize;
      const layer = {
        weightIh: new Parameter([4 * hiddenSize, inSize], init),
        weightHh: new Parameter([4 * hiddenSize, hiddenSize], init),
        biasIh: new Parameter([4 * hiddenSize], init),
        biasHh: new Parameter([4 * hiddenSize], init),
      };
      // Fields named as PyTorch's state_dict keys, in its order.
      self[`weight_ih_l${l}`] = layer.weightIh;
      self[`weight_hh_l${l}`] = layer.weightHh;
      self[`bias_ih_l${l}`] = layer.biasIh;
      self[`bias_hh_l${l}`] = layer.biasHh;
      this.layers.push(layer);
    }
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
    const steps = x.shape[1];
    if (typeof steps !== "number") {
      throw new Error(`LSTM needs a static sequence length: got ${String(steps)}`);
    }
    for (const [i, s] of state.entries()) {
      if (s.shape.length !== 3 || s.shape[0] !== this.numLayers || s.shape[2] !== this.hiddenSize) {
        throw new Error(
          `LSTM state ${
            i === 0 ? "h" : "c"
          } must be [${this.numLayers}, batch, ${this.hiddenSize}]: ` +
            `got [${s.shape.join(", ")}]`,
        );
      }
    }
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
