/**
 * What PyTorch's `nn.RNN`, `nn.LSTM` and `nn.GRU` share: their parameters, and running a
 * stack of layers over a sequence time-major (see `recurrent.ts`). Each layer differs only in
 * its input projection and its per-step cell.
 *
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
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

/** One layer's computation in a graph. */
export interface LayerCell {
  /** The input projection of every time step at once: `[T*B, in]` → `[T*B, gates*H]`. */
  project(rows: Value): Value;
  /** One time step: projected input `[B, gates*H]` and state → new state (output first). */
  step(projected: Value, state: readonly Value[]): Value[];
}

/** A stack of recurrent layers with PyTorch's parameters (`weight_ih_l0`, ...). */
export abstract class StackedRecurrent extends Module {
  /** Each layer's parameters. */
  protected readonly layers: RecurrentLayerParams[];

  /**
   * The parameters of `numLayers` stacked layers, named as PyTorch names them.
   *
   * @param kind Layer name for messages (`LSTM`).
   * @param gates Gates per layer (1 RNN, 3 GRU, 4 LSTM).
   * @param inputSize Features of the input.
   * @param hiddenSize Features of the state.
   * @param numLayers Stacked layers.
   */
  constructor(
    private readonly kind: string,
    gates: number,
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly numLayers: number,
  ) {
    super();
    this.layers = recurrentParameters(this, gates, inputSize, hiddenSize, numLayers);
  }

  /** The cell of one layer, with its parameters bound in graph `g`. */
  protected abstract cell(p: RecurrentLayerParams, g: Graph): LayerCell;

  /**
   * Runs the layers over a sequence.
   *
   * @param x `[B, T, inputSize]`.
   * @param states The state tensors (`h`, and `c` for LSTMs), each `[numLayers, B, hiddenSize]`.
   * @param names Their names, for messages.
   * @returns The last layer's outputs `[B, T, hiddenSize]` and the final states.
   */
  protected run(x: Value, states: readonly Value[], names: readonly string[]): [Value, Value[]] {
    const steps = staticSteps(this.kind, x);
    states.forEach((s, i) => checkState(this.kind, names[i], s, this.numLayers, this.hiddenSize));
    const initial = states.map(splitLayers); // [state][layer]
    const finals: Value[][] = states.map(() => []);
    let rows = toTimeMajorRows(x);
    this.layers.forEach((p, l) => {
      const cell = this.cell(p, x.graph);
      let state = initial.map((s) => s[l]);
      const outputs: Value[] = [];
      for (const projected of splitSteps(cell.project(rows), steps)) {
        state = cell.step(projected, state);
        outputs.push(state[0]);
      }
      rows = joinSteps(outputs);
      state.forEach((s, i) => finals[i].push(s));
    });
    return [fromTimeMajorRows(rows, steps), finals.map(stackLayers)];
  }
}
