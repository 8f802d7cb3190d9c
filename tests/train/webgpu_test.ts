/**
 * Training on onnxruntime-node's WebGPU execution provider, on a CPU-only machine: Debian
 * Chromium's SwiftShader Vulkan driver gives Dawn an adapter. lm6, lm7 and the GRU train 2
 * epochs with `--device webgpu` and must match the CPU run within float32 tolerance. Required
 * under CI (`.ci/run` installs libvulkan1 and chromium); skipped with a warning elsewhere.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runTool } from "../helpers/cli.ts";

/** SwiftShader's ICD in Debian's chromium-common, and the Vulkan loader Dawn opens. */
const ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
const LOADERS = ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/libvulkan.so.1"];
const exists = (path: string) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};
const available = exists(ICD) && LOADERS.some(exists);
const required = Deno.env.get("CI") !== undefined;
if (!available && !required) {
  console.warn(
    `\n*** WebGPU tests SKIPPED: need ${ICD} (apt-get install chromium) and libvulkan.so.1 ` +
      `(apt-get install libvulkan1) ***\n`,
  );
}

/**
 * Tolerances. The GPU's float32 kernels reduce in another order than the CPU's (workgroup
 * trees against sequential loops): each op differs by about 1e-7 relative, and 2 epochs of
 * training (about 100 steps of thousands of ops) carry that to about 1e-5 (measured: lm7's
 * valid loss 1.4824349 on WebGPU, 1.4824474 on CPU, 8e-6). 1e-4 leaves a 10x margin.
 * Accuracy can differ by a few of the 12,288 predictions whose top two logits tie within
 * that error (measured: 1).
 */
const LOSS_RTOL = 1e-4;
const ACCURACY_ATOL = 0.002;

interface Row {
  readonly train_loss: number;
  readonly valid_loss: number;
  readonly accuracy: number;
}

async function train(model: string, device: string, out: string): Promise<Row[]> {
  const r = await runTool("train", [
    model,
    "--epochs",
    "2",
    "--device",
    device,
    "--json",
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, `${model} on ${device}: ${r.stderr}`);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((o) => "train_loss" in o);
}

for (const model of ["lm6", "lm7", "gru"]) {
  const name = `${model} trains 2 epochs on the WebGPU EP (SwiftShader) with the CPU's losses`;
  Deno.test({
    name,
    ignore: !available && !required,
    fn: async () => {
      assert.ok(available, `${name}: needs ${ICD} and libvulkan.so.1 (CI installs them)`);
      // Dawn reads these when onnxruntime creates its WebGPU context in the child process.
      Deno.env.set("VK_ICD_FILENAMES", ICD);
      if (!Deno.env.get("XDG_RUNTIME_DIR")) {
        Deno.env.set("XDG_RUNTIME_DIR", await Deno.makeTempDir());
      }
      const dir = await Deno.makeTempDir({ prefix: `onnx-lm-webgpu-${model}-` });
      try {
        const [gpu, cpu] = [
          await train(model, "webgpu", `${dir}/gpu`),
          await train(model, "cpu", `${dir}/cpu`),
        ];
        assert.equal(gpu.length, 2);
        gpu.forEach((g, i) => {
          const c = cpu[i];
          for (const key of ["train_loss", "valid_loss"] as const) {
            const rel = Math.abs(g[key] - c[key]) / Math.abs(c[key]);
            assert.ok(
              rel <= LOSS_RTOL,
              `epoch ${i} ${key}: webgpu ${g[key]}, cpu ${c[key]} (${rel})`,
            );
          }
          assert.ok(
            Math.abs(g.accuracy - c.accuracy) <= ACCURACY_ATOL,
            `epoch ${i} accuracy: webgpu ${g.accuracy}, cpu ${c.accuracy}`,
          );
        });
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
