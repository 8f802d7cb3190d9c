/**
 * The state of an exported model with attention caches (a GPT's, sidecar kind `cached`): per
 * layer, a key and a value cache `[batch, heads, past, head size]`, named `past_keys_<i>` and
 * `past_values_<i>` (updated: `<name>_out`), whose `past` axis grows by the tokens of each call;
 * and the state every step graph starts from.
 * Browser-compatible.
 *
 * @module
 */

import type { Dim } from "../onnx/model.ts";
import type { KvCacheSpec } from "../nn/language_model.ts";
import { type Tensor, tensor } from "../onnx/tensor.ts";

/** The symbolic axis of the cached positions. */
export const PAST_DIM = "past";

/**
 * The cache inputs of a step graph, in order: layer 0's keys and values, then layer 1's, ...
 *
 * @param spec Layers, heads and head size.
 * @returns Name and shape of each.
 */
export function kvCacheState(spec: KvCacheSpec): { name: string; shape: Dim[] }[] {
  return Array.from({ length: spec.layers }, (_, i) => [
    { name: `past_keys_${i}`, shape: ["batch", spec.heads, PAST_DIM, spec.headSize] as Dim[] },
    { name: `past_values_${i}`, shape: ["batch", spec.heads, PAST_DIM, spec.headSize] as Dim[] },
  ]).flat();
}

/**
 * The state a step graph starts from, as its sidecar lists it: zeros for a recurrent model's
 * `[layers, batch, hidden]`, empty caches (no positions) for a cached model's.
 *
 * @param state The sidecar's state inputs.
 * @param rows The batch.
 * @returns A tensor per state input.
 */
export function initialState(
  state: readonly { readonly name: string; readonly shape: readonly Dim[] }[],
  rows: number,
): Record<string, Tensor> {
  return Object.fromEntries(state.map((s) => {
    const dims = s.shape.map((d) => typeof d === "number" ? d : d === PAST_DIM ? 0 : rows);
    return [s.name, tensor("float32", dims, new Float32Array(dims.reduce((a, b) => a * b, 1)))];
  }));
}
