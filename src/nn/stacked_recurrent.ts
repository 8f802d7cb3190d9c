/**
 * What PyTorch's `nn.RNN`, `nn.LSTM` and `nn.GRU` share: their parameters, and running a
 * stack of layers over a sequence time-major (see `recurrent.ts`). Each layer differs only in
 * its input projection and its per-step cell.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import type { BuildContext } from "./build_context.ts";
import { readInt } from "../graph/attributes.ts";
import { gather } from "../ops/indexing.ts";
import { reshape, transpose } from "../ops/shape.ts";
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
  /**
   * The input projection of every time step at once: `[T*B, in]` → `[T*B, gates*H]`. It must
   * treat each row on its own (a Gemm with a bias): the first layer may be given an embedding
   * table's rows instead of the tokens' (see `firstProjection`).
   */
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

  /** The cell of one layer, with its parameters' values from the context. */
  protected abstract cell(p: RecurrentLayerParams, ctx: BuildContext): LayerCell;

  /**
   * Runs the layers over a sequence.
   *
   * @param ctx The graph being built, with the weights' values.
   * @param x `[B, T, inputSize]`.
   * @param states The state tensors (`h`, and `c` for LSTMs), each `[numLayers, B, hiddenSize]`.
   * @param names Their names, for messages.
   * @returns The last layer's outputs `[B, T, hiddenSize]` and the final states.
   */
  protected run(
    ctx: BuildContext,
    x: Value,
    states: readonly Value[],
    names: readonly string[],
  ): [Value, Value[]] {
    const steps = staticSteps(this.kind, x);
    states.forEach((s, i) => checkState(this.kind, names[i], s, this.numLayers, this.hiddenSize));
    const initial = states.map(splitLayers); // [state][layer]
    const finals: Value[][] = states.map(() => []);
    let rows: Value | undefined;
    this.layers.forEach((p, l) => {
      const cell = this.cell(p, ctx);
      let state = initial.map((s) => s[l]);
      const outputs: Value[] = [];
      const all = rows ? cell.project(rows) : firstProjection(cell, p, x);
      for (const projected of splitSteps(all, steps)) {
        state = cell.step(projected, state);
        outputs.push(state[0]);
      }
      rows = joinSteps(outputs);
      state.forEach((s, i) => finals[i].push(s));
    });
    return [fromTimeMajorRows(rows!, steps), finals.map(stackLayers)];
  }
}

/**
 * The first layer's input projection of every step, time-major. When the input is an
 * embedding lookup (a Gather of a table's rows), the table can be projected once and its rows
 * looked up instead: `Gather(E, ids) W^T = Gather(E W^T, ids)`, the same dot products (so the
 * same values), and no transpose of the embeddings. That is cheaper while the table is small
 * beside the batch: see `foldPays`.
 */
function firstProjection(cell: LayerCell, p: RecurrentLayerParams, x: Value): Value {
  const g = x.graph;
  const lookup = g.producer(x.name);
  const [table, ids] = (lookup?.inputs ?? []).map((name) => g.value(name));
  const [batch, steps] = x.shape;
  const [gates, features] = p.weightIh.shape;
  if (
    lookup?.opType === "Gather" && readInt(lookup.attributes, "axis", 0) === 0 &&
    table.shape.length === 2 && ids.shape.length === 2 && typeof table.shape[0] === "number" &&
    typeof batch === "number" && typeof steps === "number" &&
    foldPays(table.shape[0], batch * steps, features, gates)
  ) {
    return gather(cell.project(table), reshape(transpose(ids, [1, 0]), [-1]));
  }
  return cell.project(toTimeMajorRows(x));
}

/**
 * Whether projecting a `rows`-row table beats projecting `tokens` looked-up rows, counting the
 * step's products. Unfolded: the projection, its weight gradient and its input gradient, each
 * `tokens·features·gates`, and the table's gradient from the tokens' (a one-hot product,
 * `rows·tokens·features`). Folded: the same three at `rows` instead of `tokens`, but the
 * table's gradient now comes from the projected rows, `rows·tokens·gates`. At hidden 64 and
 * 1,024 tokens an LSTM's break-even is a table of about 205 rows; Human Numbers has 30.
 */
function foldPays(rows: number, tokens: number, features: number, gates: number): boolean {
  return rows * tokens * (gates - features) < 3 * features * gates * (tokens - rows);
}
