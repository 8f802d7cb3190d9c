/**
 * The state of an exported model with attention caches (a GPT's, sidecar kind `cached`): per
 * layer, a key and a value cache `[batch, heads, past, head size]`, named `past_keys_<i>` and
 * `past_values_<i>` (updated: `<name>_out`), whose `past` axis grows by the tokens of each call.
 * Browser-compatible.
 *
 * @module
 */

import type { Dim } from "../onnx/model.ts";
import type { KvCacheSpec } from "../nn/language_model.ts";

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
