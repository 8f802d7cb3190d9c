/**
 * A tiny exported model and its sidecar, for tests of the model list and the server.
 *
 * @module
 */

import { findModel } from "../../models/registry.ts";
import { exportModel } from "../../src/export/export_model.ts";

/** A complete version-1 sidecar (a Human Numbers export), for `file` given per model. */
export const SIDECAR = {
  format: "onnx-lm-export",
  version: 1,
  model: "lm6",
  file: "lm2.onnx",
  kind: "recurrent",
  context: 1,
  vocab: ["a"],
  state: [{ name: "h", shape: [2, "batch", 64] }],
  metrics: { accuracy: 0.5, valid_loss: 1, epochs: 1 },
  recipe: {},
  seed: 42,
  opset: 17,
  ir_version: 8,
} as const;

/**
 * A real export matching `SIDECAR`: LMModel5 with one token, hidden 64, 2 layers (state h).
 *
 * @returns The `.onnx` bytes.
 */
export function exportBytes(): Uint8Array {
  const model = findModel("lm5").create({ ...findModel("lm5").arch, vocabSize: 1 });
  const { files } = exportModel(model, model.initParameters(1), {
    name: "lm2",
    description: "",
    vocab: ["a"],
    metrics: { accuracy: 0.5, valid_loss: 1, epochs: 1 },
    recipe: {},
    seed: 1,
    context: 1,
  });
  return files.get("lm2.onnx")!;
}

/**
 * Writes a sidecar naming `<name>.onnx`, and the model unless `onnx` is null.
 *
 * @param dir The models folder.
 * @param name The model's name.
 * @param onnx The `.onnx` bytes (null: none).
 * @param fields Sidecar fields to override.
 */
export async function writeModel(
  dir: string,
  name: string,
  onnx: Uint8Array | null,
  fields: Record<string, unknown> = {},
): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/${name}.json`,
    JSON.stringify({ ...SIDECAR, file: `${name}.onnx`, ...fields }),
  );
  if (onnx) await Deno.writeFile(`${dir}/${name}.onnx`, onnx);
}
