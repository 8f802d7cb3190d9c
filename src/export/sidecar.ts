/**
 * The JSON sidecar of an exported model: everything a runtime needs to use the `.onnx` file
 * (vocabulary, kind, state shapes) and what it was (model, recipe, metrics, producer).
 * The same facts are also written into the file's `metadata_props`.
 *
 * @module
 */

import type { Dim } from "../onnx/model.ts";
import { IR_VERSION, OPSET_VERSION, PRODUCER_NAME, PRODUCER_VERSION } from "../onnx/version.ts";

/** Final figures of the training run. */
export interface ExportMetrics {
  readonly accuracy: number;
  readonly valid_loss: number;
  readonly epochs: number;
}

/** The sidecar `<name>.json`. */
export interface Sidecar {
  readonly format: "onnx-lm-export";
  readonly version: 1;
  readonly model: string;
  readonly description: string;
  /** The one-step (recurrent) or fixed-context graph. */
  readonly file: string;
  /** `recurrent`: tokens `[batch, 1]` plus state; `fixed`: tokens `[batch, context]`. */
  readonly kind: "recurrent" | "fixed";
  /** Tokens per call of `file`. */
  readonly context: number;
  /** Token strings by id. */
  readonly vocab: readonly string[];
  /** State inputs of recurrent graphs (outputs are `<name>_out`). */
  readonly state: readonly { readonly name: string; readonly shape: readonly Dim[] }[];
  readonly metrics: ExportMetrics;
  readonly recipe: unknown;
  readonly seed: number;
  readonly producer: string;
  readonly opset: number;
  readonly ir_version: number;
  /** The fixed-length graph written by `--seq N`, when there is one. */
  readonly seq?: { readonly file: string; readonly length: number };
}

/**
 * The sidecar fields that also go into `metadata_props` (values as strings; JSON for
 * structured ones).
 *
 * @param sidecar The sidecar.
 * @returns Key/value pairs in a fixed order.
 */
export function metadataProps(sidecar: Sidecar): [string, string][] {
  return [
    ["onnx_lm.model", sidecar.model],
    ["onnx_lm.kind", sidecar.kind],
    ["onnx_lm.context", String(sidecar.context)],
    ["onnx_lm.vocab", JSON.stringify(sidecar.vocab)],
    ["onnx_lm.state", JSON.stringify(sidecar.state)],
    ["onnx_lm.metrics", JSON.stringify(sidecar.metrics)],
    ["onnx_lm.recipe", JSON.stringify(sidecar.recipe)],
    ["onnx_lm.seed", String(sidecar.seed)],
    ["onnx_lm.producer", sidecar.producer],
    ["onnx_lm.opset", String(sidecar.opset)],
  ];
}

/** Producer and versions every sidecar carries. */
export const SIDECAR_VERSIONS = {
  producer: `${PRODUCER_NAME} ${PRODUCER_VERSION}`,
  opset: OPSET_VERSION,
  ir_version: IR_VERSION,
} as const;
