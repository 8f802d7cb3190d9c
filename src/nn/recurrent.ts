/**
 * Layout helpers shared by the recurrent layers.
 *
 * Recurrent layers work time-major inside: a sequence is one `[T*B, F]` matrix whose rows
 * are time step 0's batch, then step 1's, ... That makes the input projection of all steps
 * one Gemm (the book's "one big matrix multiplication"), a step's rows one Split output, and
 * the layer's output the Concat of its steps, ready for the next layer's Gemm.
 *
 * @module
 */

import type { Value } from "../graph/graph.ts";
import { concat, reshape, split, squeeze, transpose, unsqueeze } from "../ops/shape.ts";
import { uniformInit } from "./init.ts";
import { Parameter } from "./parameter.ts";

/**
 * `[B, T, F]` → `[T*B, F]` (time-major rows).
 *
 * @param x Batch-major sequence.
 * @returns Time-major rows.
 */
export function toTimeMajorRows(x: Value): Value {
  const f = x.shape[2];
  if (typeof f !== "number") {
    throw new Error(`Recurrent input features must be static: got ${String(f)}`);
  }
  return reshape(transpose(x, [1, 0, 2]), [-1, f]);
}

/**
 * `[T*B, F]` time-major rows → `[B, T, F]`.
 *
 * @param rows Time-major rows.
 * @param steps T.
 * @returns Batch-major sequence.
 */
export function fromTimeMajorRows(rows: Value, steps: number): Value {
  const f = rows.shape[1] as number;
  return transpose(reshape(rows, [steps, -1, f]), [1, 0, 2]);
}

/**
 * The rows of each time step: `[T*B, F]` → T values `[B, F]`.
 *
 * @param rows Time-major rows.
 * @param steps T.
 * @returns One value per step.
 */
export function splitSteps(rows: Value, steps: number): Value[] {
  if (steps === 1) return [rows];
  // A static batch splits the rows themselves: the pieces' gradient is then the Concat of the
  // steps' gradients, the very node `accumulate` builds for a weight's stacked gradient, so
  // onnxruntime computes it once. A symbolic batch splits along a static time axis ([T, B, F]),
  // so a long sequence can still be split in groups of pieces (see `split`).
  if (typeof rows.shape[0] === "number") return split(rows, steps, 0);
  const f = rows.shape[1] as number;
  return split(reshape(rows, [steps, -1, f]), steps, 0).map((step) => squeeze(step, [0]));
}

/**
 * The inverse of `splitSteps`.
 *
 * @param steps One `[B, F]` value per time step.
 * @returns `[T*B, F]`.
 */
export function joinSteps(steps: readonly Value[]): Value {
  return steps.length === 1 ? steps[0] : concat(steps, 0);
}

/**
 * A `[L, B, H]` state → L values `[B, H]`.
 *
 * @param state Stacked state.
 * @returns One value per layer.
 */
export function splitLayers(state: Value): Value[] {
  const layers = state.shape[0] as number;
  const parts = layers === 1 ? [state] : split(state, layers, 0);
  return parts.map((p) => squeeze(p, [0]));
}

/**
 * L values `[B, H]` → a `[L, B, H]` state.
 *
 * @param layers One value per layer.
 * @returns Stacked state.
 */
export function stackLayers(layers: readonly Value[]): Value {
  const parts = layers.map((h) => unsqueeze(h, [0]));
  return parts.length === 1 ? parts[0] : concat(parts, 0);
}

/** One layer's weights of a PyTorch recurrent module. */
export interface RecurrentLayerParams {
  /** `weight_ih_l<k>`: `[gates*H, in]`. */
  readonly weightIh: Parameter;
  /** `weight_hh_l<k>`: `[gates*H, H]`. */
  readonly weightHh: Parameter;
  /** `bias_ih_l<k>`: `[gates*H]`. */
  readonly biasIh: Parameter;
  /** `bias_hh_l<k>`: `[gates*H]`. */
  readonly biasHh: Parameter;
}

/**
 * Creates the parameters of a PyTorch `nn.RNN`/`nn.LSTM`/`nn.GRU` and assigns them to
 * `owner`'s fields under PyTorch's `state_dict` names, in PyTorch's order, all
 * U(-1/sqrt(H), 1/sqrt(H)) and weight-decayed (fastai decays recurrent biases).
 *
 * @param owner The module (fields `weight_ih_l0`, ... are added to it).
 * @param gates Gates per layer (1 RNN, 3 GRU, 4 LSTM).
 * @param inputSize Features of the first layer's input.
 * @param hiddenSize H.
 * @param numLayers Stacked layers.
 * @returns Each layer's parameters.
 */
export function recurrentParameters(
  owner: object,
  gates: number,
  inputSize: number,
  hiddenSize: number,
  numLayers: number,
): RecurrentLayerParams[] {
  const init = uniformInit(1 / Math.sqrt(hiddenSize));
  const fields = owner as Record<string, Parameter>;
  const layers: RecurrentLayerParams[] = [];
  for (let l = 0; l < numLayers; l++) {
    const inSize = l === 0 ? inputSize : hiddenSize;
    const layer = {
      weightIh: new Parameter([gates * hiddenSize, inSize], init),
      weightHh: new Parameter([gates * hiddenSize, hiddenSize], init),
      biasIh: new Parameter([gates * hiddenSize], init),
      biasHh: new Parameter([gates * hiddenSize], init),
    };
    fields[`weight_ih_l${l}`] = layer.weightIh;
    fields[`weight_hh_l${l}`] = layer.weightHh;
    fields[`bias_ih_l${l}`] = layer.biasIh;
    fields[`bias_hh_l${l}`] = layer.biasHh;
    layers.push(layer);
  }
  return layers;
}

/**
 * Checks a `[layers, batch, hidden]` state value and names it in the error.
 *
 * @param layer Layer name for messages (`LSTM`).
 * @param name State name (`h`).
 * @param state The value.
 * @param numLayers Expected layers.
 * @param hiddenSize Expected hidden size.
 */
export function checkState(
  layer: string,
  name: string,
  state: Value,
  numLayers: number,
  hiddenSize: number,
): void {
  const s = state.shape;
  if (s.length !== 3 || s[0] !== numLayers || s[2] !== hiddenSize) {
    throw new Error(
      `${layer} state ${name} must be [${numLayers}, batch, ${hiddenSize}]: got [${s.join(", ")}]`,
    );
  }
}

/**
 * The static sequence length of a `[B, T, F]` input, or a clear error.
 *
 * @param layer Layer name for messages.
 * @param x The input.
 * @returns T.
 */
export function staticSteps(layer: string, x: Value): number {
  const steps = x.shape[1];
  if (typeof steps !== "number") {
    throw new Error(`${layer} needs a static sequence length: got ${String(steps)}`);
  }
  return steps;
}
