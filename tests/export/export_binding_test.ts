/**
 * An `.onnx` file and its sidecar are bound by one export id: an export stopped between its
 * two writes leaves a new graph beside an old sidecar, and every reader (the model API, the
 * generate CLI, serve's model list) refuses the pair by name instead of printing wrong words.
 */

import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { humanNumbers } from "../../src/data/pipelines.ts";
import { exportModel } from "../../src/export/export_model.ts";
import { EXPORT_ID } from "../../src/export/export_id.ts";
import { parseSidecar, sidecarMismatch } from "../../src/export/sidecar.ts";
import { loadModel } from "../../src/api/mod.ts";
import { decodeModel } from "../../src/onnx/mod.ts";
import { listModels } from "../../tools/lib/serve/serve_models.ts";

function exported(seed: number, epochs = 1) {
  const entry = findModel("lm6");
  const model = entry.create();
  return exportModel(model, model.initParameters(seed), {
    name: entry.name,
    description: entry.description,
    vocab: humanNumbers().vocab.words,
    metrics: { accuracy: 0.5, valid_loss: 1.5, epochs },
    recipe: entry.recipe,
    seed,
    context: entry.recipe.seqLen,
  });
}

const META_ID = (bytes: Uint8Array) =>
  new Map(decodeModel(bytes, "x.onnx").metadata).get("onnx_lm.export_id");

Deno.test("an export's id is a digest of its facts and weights: same run, same bytes", () => {
  const a = exported(1), again = exported(1), other = exported(2), later = exported(1, 2);
  const id = a.sidecar.export_id!;
  assert.match(id, EXPORT_ID);
  assert.equal(META_ID(a.files.get("lm6.onnx")!), id, "the file records the sidecar's id");
  assert.deepEqual(again.files.get("lm6.onnx"), a.files.get("lm6.onnx"));
  assert.equal(again.sidecar.export_id, id);
  assert.notEqual(other.sidecar.export_id, id, "other weights");
  assert.notEqual(later.sidecar.export_id, id, "the same weights, other facts");
});

Deno.test("a graph beside another export's sidecar is refused by the API, generate and serve", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-binding-" });
  try {
    const old = exported(1), fresh = exported(2);
    await Deno.writeFile(`${dir}/lm6.json`, old.files.get("lm6.json")!);
    // Killed between the writes: the new .onnx is in place, its sidecar is not.
    await Deno.writeFile(`${dir}/lm6.onnx`, fresh.files.get("lm6.onnx")!);
    const why = new RegExp(
      `lm6\\.onnx and its sidecar come from different exports \\(export id ` +
        `${fresh.sidecar.export_id} in the file, ${old.sidecar.export_id} in the sidecar\\)`,
    );
    await assert.rejects(loadModel(`${dir}/lm6.onnx`), why);

    const [entry] = await listModels(dir);
    assert.match(entry.error ?? "", why);

    const generate = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tools/generate.ts", `${dir}/lm6.onnx`, "--prompt", "one two"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(generate.code, 1);
    assert.equal(new TextDecoder().decode(generate.stdout), "", "no words printed");
    assert.match(new TextDecoder().decode(generate.stderr), why);

    // The export finished: the pair loads.
    await Deno.writeFile(`${dir}/lm6.json`, fresh.files.get("lm6.json")!);
    const model = await loadModel(`${dir}/lm6.onnx`);
    await model.release();
    const [fixed] = await listModels(dir);
    assert.equal(fixed.error, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exports from before the id still pair; one side with an id and one without does not", () => {
  const { files, sidecar } = exported(1);
  const model = decodeModel(files.get("lm6.onnx")!, "lm6.onnx");
  const { export_id: _, ...withoutId } = sidecar;
  const oldSidecar = parseSidecar(withoutId, "lm6.json");
  const oldModel = {
    ...model,
    metadata: model.metadata.filter(([k]) => k !== "onnx_lm.export_id"),
  };
  assert.equal(sidecarMismatch(model, sidecar, "lm6.onnx"), undefined);
  assert.equal(sidecarMismatch(oldModel, oldSidecar, "lm6.onnx"), undefined, "both older");
  assert.match(
    sidecarMismatch(model, oldSidecar, "lm6.onnx") ?? "",
    /export id [0-9a-f]{16} in the file, none in the sidecar/,
  );
  assert.match(
    sidecarMismatch(oldModel, sidecar, "lm6.onnx") ?? "",
    /export id none in the file, [0-9a-f]{16} in the sidecar/,
  );
  assert.throws(
    () => parseSidecar({ ...sidecar, export_id: "xyz" }, "lm6.json"),
    /lm6\.json.*export_id.*must be 16 hex digits: got "xyz"/,
  );
});
