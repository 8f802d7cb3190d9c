import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { checkpointWeights, runExport } from "../../src/run/run_export.ts";
import { humanNumbersCorpus } from "../../src/run/corpus.ts";
import { planRun } from "../../src/run/start_run.ts";
import type { Recipe } from "../../src/train/recipe.ts";

Deno.test("checkpointWeights() refuses a diverged checkpoint, counting its NaN/Inf values", () => {
  const model = findModel("lm3").create();
  const tensors = new Map<string, Tensor>();
  for (const [name, p] of model.namedParameters()) {
    tensors.set(name, { dtype: "float32", dims: p.shape, data: new Float32Array(p.size) });
  }
  assert.equal(checkpointWeights(tensors, model, "ckpt", "Cannot export r").size, tensors.size);
  const [name, t] = [...tensors].at(-1)!;
  const data = t.data as Float32Array;
  data[0] = NaN;
  data[data.length - 1] = -Infinity;
  assert.throws(
    () => checkpointWeights(tensors, model, "runs/r/checkpoint.safetensors", "Cannot export r"),
    new Error(
      `Cannot export r: runs/r/checkpoint.safetensors: tensor "${name}" holds 2 NaN/Inf values ` +
        `of ${data.length.toLocaleString("en")}: the run diverged; nothing is exported (train ` +
        `again with a lower --lr)`,
    ),
  );
});

Deno.test("runExport() states the run's own epochs and lr, also for a run that recorded the book's", () => {
  const entry = findModel("lm3");
  const model = entry.create();
  const tensors = new Map<string, Tensor>();
  for (const [name, p] of model.namedParameters()) {
    tensors.set(name, { dtype: "float32", dims: p.shape, data: new Float32Array(p.size) });
  }
  const plan = planRun({
    entry,
    corpus: humanNumbersCorpus(),
    epochs: 3,
    lrMax: 0.002,
    seed: 1,
    device: "cpu",
  });
  const state = { epoch: 3, step: 0, smooth: { val: 0, count: 0 }, history: [] };
  const meta = { ...plan.info.meta, learner: state };
  assert.equal(meta.recipe.epochs, 3); // a new run records its own schedule
  assert.equal(meta.recipe.lrMax, 0.002);
  // A run recorded before that carries the registry's recipe: the export still says 3.
  const old = { ...meta, recipe: entry.recipe };
  assert.notEqual(entry.recipe.epochs, 3);
  for (const m of [meta, old]) {
    const recipe = runExport(m, tensors, entry, "ckpt", "Cannot export r").info.recipe as Recipe;
    assert.equal(recipe.epochs, 3);
    assert.equal(recipe.lrMax, 0.002);
    assert.equal(recipe.wd, entry.recipe.wd); // the rest is the recorded recipe
  }
});
