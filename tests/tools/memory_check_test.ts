/**
 * Limits known before they bite (issue 21, item 4): a size the machine cannot hold is refused
 * from the graphs' memory floor before a weight is drawn or a file written, and one near the
 * free memory gets a warning.
 *
 * @module
 */

import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { sizedModel } from "../../models/sizing.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";
import { estimateTrainingMemory, RUNTIME_BYTES } from "../../src/train/mod.ts";
import { memoryCheck, MemoryEstimateError } from "../../tools/lib/run/memory_check.ts";
import { runTool } from "../helpers/cli.ts";

function estimateFor(
  name: string,
  sizes: Record<string, number>,
  onDevice = false,
  lossChunk?: number,
) {
  const entry = findModel(name);
  const { arch, recipe } = sizedModel(entry, sizes);
  const model = entry.create(arch);
  const artifacts = buildArtifacts(model, {
    batchSize: recipe.batchSize,
    seqLen: recipe.seqLen,
    ...(lossChunk !== undefined ? { lossChunk } : {}),
  });
  let params = 0;
  for (const [, p] of model.namedParameters()) params += p.size;
  return { estimate: estimateTrainingMemory(artifacts, onDevice), params };
}

Deno.test("the estimate adds the graphs' peaks, three host copies of weights and moments, and the runtime", () => {
  const { estimate: e, params } = estimateFor("lm6", { vocabSize: 30 });
  assert.equal(e.host, params * 3 * 4 * 3, "parameters and two Adam moments, three copies each");
  assert.equal(e.total, RUNTIME_BYTES + e.host + e.train + e.eval);
  assert.ok(e.train > e.eval && e.eval > 0);
  // In one piece, the decoder's logits and their gradient grow with the vocabulary; in
  // chunks (the default at this size) one chunk's logits are live at a time.
  const logits = 64 * 16 * 60000 * 4;
  const whole = estimateFor("lm6", { vocabSize: 60000, hidden: 8 }, false, 0).estimate;
  assert.ok(whole.train > 2 * logits, `${whole.train}`);
  const chunked = estimateFor("lm6", { vocabSize: 60000, hidden: 8 }).estimate;
  assert.ok(chunked.train < logits / 2, `${chunked.train}`);
  // On a GPU the graphs' memory is the device's: only the host's share counts here.
  const gpu = estimateFor("lm6", { vocabSize: 30 }, true).estimate;
  assert.equal(gpu.total, RUNTIME_BYTES + gpu.host);
});

Deno.test("memoryCheck() refuses above the machine's memory and warns above the free memory", () => {
  const e = { total: 30e9, train: 20e9, eval: 1e9, host: 8.8e9 };
  const warnings: string[] = [];
  const check = (total: number, available: number) =>
    memoryCheck("lm6 at hidden 4096", (w) => warnings.push(w), () => ({ total, available }))(e);
  assert.throws(
    () => check(16e9, 12e9),
    (err: Error) =>
      err instanceof MemoryEstimateError &&
      err.message ===
        "lm6 at hidden 4096 needs at least 30 GB of memory to train (train graph 20 GB at its " +
          "peak, eval graph 1.0 GB, parameters and Adam's state on the host 8.8 GB); this " +
          "machine has 16 GB: choose a smaller --hidden, --layers, --bs or --sl (the graph's " +
          "activations grow with bs x sl x hidden x layers, the decoder's with bs x sl x vocab)",
  );
  assert.deepEqual(warnings, []);
  check(64e9, 20e9);
  assert.match(
    warnings[0],
    /^warning: lm6 at hidden 4096 needs at least 30 GB .*, and 20 GB of this machine's 64 GB is free: it may be killed for memory$/,
  );
  check(64e9, 40e9);
  assert.equal(warnings.length, 1);
});

Deno.test("train refuses lm6 at hidden 8192 x 16 layers at once, writing nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-mem-" });
  try {
    const r = await runTool("train", [
      "lm6",
      "--hidden",
      "8192",
      "--layers",
      "16",
      "--out",
      `${dir}/run`,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^error: lm6 at vocab 30, hidden 8192, 16 layers, bs 64, sl 16 needs at least \d+ GB of memory to train \(train graph \d+ GB at its peak, .*\); this machine has \d+ GB/m,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no run folder left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
