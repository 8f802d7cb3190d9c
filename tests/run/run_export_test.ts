import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { checkpointWeights } from "../../src/run/run_export.ts";

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
