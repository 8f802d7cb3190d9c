import assert from "node:assert/strict";
import { decodeModel } from "../../src/onnx/mod.ts";
import { runTool } from "../helpers/cli.ts";

const run = runTool;

Deno.test("export CLI: a trained run becomes <model>.onnx, <model>_seq<N>.onnx and <model>.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-export-" });
  try {
    const trained = await run("train", ["lm3", "--epochs", "1", "--out", `${dir}/run`]);
    assert.equal(trained.code, 0, trained.stderr);
    const exported = await run("export", [`${dir}/run`, "--out", `${dir}/models`, "--seq", "8"]);
    assert.equal(exported.code, 0, exported.stderr);
    const files = [...Deno.readDirSync(`${dir}/models`)].map((e) => e.name).sort();
    assert.deepEqual(files, ["lm3.json", "lm3.onnx", "lm3_seq8.onnx"]);
    const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/models/lm3.json`));
    const metrics = (await Deno.readTextFile(`${dir}/run/metrics.jsonl`)).trim().split("\n").map((
      l,
    ) => JSON.parse(l));
    assert.equal(sidecar.model, "lm3");
    assert.equal(sidecar.kind, "recurrent");
    assert.equal(sidecar.metrics.accuracy, metrics.at(-1).accuracy);
    assert.deepEqual(sidecar.seq, { file: "lm3_seq8.onnx", length: 8 });
    const seq = decodeModel(await Deno.readFile(`${dir}/models/lm3_seq8.onnx`));
    assert.deepEqual(seq.graph.outputs[0].shape, ["batch", 8, 30]);

    const missing = await run("export", [`${dir}/nope`]);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^error: Cannot export .*nope: no checkpoint at .*nope\/checkpoint\.safetensors/m,
    );
    await Deno.mkdir(`${dir}/bad`);
    await Deno.writeTextFile(`${dir}/bad/checkpoint.safetensors`, "garbage!");
    const corrupt = await run("export", [`${dir}/bad`]);
    assert.equal(corrupt.code, 1);
    assert.match(
      corrupt.stderr,
      /^error: Cannot read .*checkpoint\.safetensors \(8 bytes\): the header claims/m,
    );
    assert.ok(!corrupt.stderr.includes("    at "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
