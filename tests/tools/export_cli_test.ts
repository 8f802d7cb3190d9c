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

    // Compressed weights: checked against float32 on the validation text, and smaller.
    const int8 = await run("export", [`${dir}/run`, "--out", `${dir}/q`, "--quantize", "int8"]);
    assert.equal(int8.code, 0, int8.stderr);
    assert.match(
      int8.stdout,
      /^lm3\.onnx: int8 weights, [\d.]+ kB \(float32 [\d.]+ kB, \d+%\); on [\d,]+ validation tokens: top-1 agreement [\d.]+%, perplexity [\d.]+ \(float32 [\d.]+, [+-][\d.]+%\)$/m,
    );
    const sizes = ["models", "q"].map((d) => Deno.statSync(`${dir}/${d}/lm3.onnx`).size);
    assert.ok(sizes[1] < 0.4 * sizes[0], `${sizes}`); // lm3 is small: biases and scales weigh
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/q/lm3.json`)).weights, "int8");
    for (
      const [args, pattern] of [
        [["--dtype", "float16", "--quantize", "int8"], /--dtype and --quantize cannot be combined/],
        [["--dtype", "bf16"], /--dtype must be float32 or float16: got "bf16"/],
        [["--quantize", "int4"], /--quantize must be int8: got "int4"/],
      ] as const
    ) {
      const bad = await run("export", [`${dir}/run`, "--out", `${dir}/q2`, ...args]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, pattern);
    }

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
