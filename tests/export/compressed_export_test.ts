/**
 * float16 and int8 exports of a trained lm7 (its decoder tied to its embedding, so one
 * compressed matrix serves both): they pass the reference ONNX checker, are a half and a
 * quarter of the float32 file, and predict as float32 does on onnxruntime-node's CPU,
 * onnxruntime-web's wasm and the WebGPU execution provider (SwiftShader here).
 */
import assert from "node:assert/strict";
import * as ortWeb from "onnxruntime-web";
import { loadModel, type TextModel } from "../../src/api/mod.ts";
import { exportModel } from "../../src/export/export_model.ts";
import type { WeightStorage } from "../../src/export/weight_storage.ts";
import type { OrtModule } from "../../src/runtime/backend.ts";
import { exportChecked } from "../../tools/lib/run/export_check.ts";
import { readRunForExport } from "../../tools/lib/run/run_dir.ts";
import { runTool } from "../helpers/cli.ts";
import { referenceCheck } from "../helpers/onnx_checker.ts";
import { checkerAvailable, checkerRequired } from "../helpers/onnx_checker.ts";

ortWeb.env.wasm.numThreads = 1;

const ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
const webgpu = [ICD, "/usr/lib/x86_64-linux-gnu/libvulkan.so.1"].every((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
}) || Deno.env.get("CI") !== undefined;

/** Largest probability difference from float32 each storage may show on these prompts. */
const TOLERANCE: Record<Exclude<WeightStorage, "float32">, number> = { float16: 2e-3, int8: 2e-2 };
const PROMPTS = ["one . two . three .", "seven thousand three hundred one . seven thousand"];

async function probabilities(model: TextModel): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (const prompt of PROMPTS) {
    const all = await model.nextTokens(prompt, model.vocab.length);
    const probs = new Float64Array(model.vocab.length);
    for (const t of all) probs[t.id] = t.prob;
    out.push(probs);
  }
  return out;
}

Deno.test("float16 and int8 exports are smaller and predict as float32 on cpu, wasm and webgpu", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-compressed-" });
  try {
    const trained = await runTool("train", ["lm7", "--epochs", "1", "--out", `${dir}/run`]);
    assert.equal(trained.code, 0, trained.stderr);
    const run = await readRunForExport(`${dir}/run`, "test");
    const plain = exportModel(run.model, run.weights, run.info);
    const bytes = plain.files.get("lm7.onnx")!;
    const reference = await loadModel(bytes, { sidecar: plain.sidecar });
    const want = await probabilities(reference);
    await reference.release();
    if (webgpu) {
      Deno.env.set("VK_ICD_FILENAMES", ICD);
      if (!Deno.env.get("XDG_RUNTIME_DIR")) {
        Deno.env.set("XDG_RUNTIME_DIR", await Deno.makeTempDir());
      }
    }
    for (const storage of ["float16", "int8"] as const) {
      const { sidecar, files } = exportModel(run.model, run.weights, { ...run.info, storage });
      assert.equal(sidecar.weights, storage);
      const small = files.get("lm7.onnx")!;
      const ratio = small.length / bytes.length;
      assert.ok(ratio < (storage === "float16" ? 0.55 : 0.3), `${storage}: ${ratio}`);
      if (checkerAvailable || checkerRequired) {
        await referenceCheck([{ label: `lm7 ${storage}`, bytes: small }]);
      }
      const runtimes = [
        { backend: "cpu" as const },
        { backend: "wasm" as const, ort: ortWeb as unknown as OrtModule },
        ...(webgpu ? [{ backend: "webgpu" as const }] : []),
      ];
      for (const options of runtimes) {
        const model = await loadModel(small, { sidecar, ...options });
        try {
          const got = await probabilities(model);
          got.forEach((probs, p) => {
            let worst = 0;
            probs.forEach((v, i) => worst = Math.max(worst, Math.abs(v - want[p][i])));
            assert.ok(
              worst <= TOLERANCE[storage],
              `${storage} on ${options.backend}, "${PROMPTS[p]}": off by ${worst}`,
            );
          });
        } finally {
          await model.release();
        }
      }
    }
    if (!webgpu) console.warn("\n!!! webgpu part SKIPPED: no SwiftShader ICD or libvulkan\n");

    // The check export runs: within the thresholds here, refused with impossible ones.
    const ok = await exportChecked(run, run.meta, "int8");
    assert.equal(ok.problem, undefined, ok.summary);
    assert.match(ok.summary!, /lm7\.onnx: int8 weights, .* top-1 agreement \d+\.\d+%, perplexity/);
    const strict = await exportChecked(run, run.meta, "float16", undefined, {
      minAgreement: 1.01,
      maxPerplexityRise: -1,
    });
    assert.match(
      strict.problem!,
      /lm7\.onnx as float16: top-1 agreement .* is below 101% and perplexity rises/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
