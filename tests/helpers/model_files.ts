/**
 * A tiny exported model and its sidecar, for tests of the model list and the server.
 *
 * @module
 */

import { findModel } from "../../models/registry.ts";
import { exportModel } from "../../src/export/export_model.ts";

/** A real export: LMModel5 with one token, hidden 64, 2 layers (state h), and its sidecar. */
function tinyExport(): { readonly onnx: Uint8Array; readonly sidecar: Record<string, unknown> } {
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
  const sidecar = JSON.parse(new TextDecoder().decode(files.get("lm2.json")!));
  return { onnx: files.get("lm2.onnx")!, sidecar };
}

const TINY = tinyExport();

/** The export's sidecar (its export id included), for `file` given per model. */
export const SIDECAR: Readonly<Record<string, unknown>> = TINY.sidecar;

/**
 * The export's `.onnx` bytes, which `SIDECAR` describes.
 *
 * @returns The bytes.
 */
export function exportBytes(): Uint8Array {
  return TINY.onnx;
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
