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
 * training (about 100 steps of thousands of ops) carry that to about 1e-5 (measured: lm6's
 * valid loss 2.057433 on WebGPU, 2.057426 on CPU, 3e-6; lm7's 8e-6). 1e-4 leaves a 10x margin.
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

const DEVICE_NAME =
  "Runner keeps the training state in GPU memory between steps, and sync() brings it back";
Deno.test({
  name: DEVICE_NAME,
  ignore: !available && !required,
  fn: async () => {
    assert.ok(available, `${DEVICE_NAME}: needs ${ICD} and libvulkan.so.1 (CI installs them)`);
    Deno.env.set("VK_ICD_FILENAMES", ICD);
    if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", await Deno.makeTempDir());
    const { LMModel6 } = await import("../../models/lm_model6.ts");
    const { buildArtifacts } = await import("../../src/train/artifacts.ts");
    const { Runner } = await import("../../src/train/runner.ts");
    const model = new LMModel6(10, 8, 2);
    const batch = {
      x: BigInt64Array.from({ length: 16 }, (_, i) => BigInt(i % 10)),
      xDims: [4, 4],
      y: BigInt64Array.from({ length: 16 }, (_, i) => BigInt((i + 1) % 10)),
      yDims: [4, 4],
    };
    const run = async (device: "cpu" | "webgpu", deviceState: boolean) => {
      const artifacts = buildArtifacts(model, {
        batchSize: 4,
        seqLen: 4,
        webgpu: device === "webgpu",
      });
      const r = await Runner.create(artifacts, model.initParameters(1), {
        seed: 1,
        session: { device },
        deviceState,
      });
      try {
        const losses = [];
        for (let i = 0; i < 3; i++) losses.push(await r.trainStep(batch, 0.01, 0.9));
        const kept = r.heldOnDevice;
        if (deviceState) assert.throws(() => r.tensors(), /sync\(\) first/);
        await r.sync();
        return { losses, kept, params: r.tensors() };
      } finally {
        await r.release();
      }
    };
    const cpu = await run("cpu", false);
    const gpu = await run("webgpu", true);
    assert.equal(cpu.kept, false);
    assert.equal(gpu.kept, true, "after a step every parameter is still on the device");
    gpu.losses.forEach((l, i) =>
      assert.ok(Math.abs(l - cpu.losses[i]) <= 1e-4 * Math.abs(cpu.losses[i]))
    );
    for (const [name, t] of cpu.params) {
      const g = gpu.params.get(name)!.data as Float32Array;
      (t.data as Float32Array).forEach((v, i) =>
        assert.ok(Math.abs(v - g[i]) <= 1e-4 + 1e-3 * Math.abs(v), `${name}[${i}]`)
      );
    }
  },
});

const GPT_NAME = "a small GPT's training steps on the WebGPU EP give the CPU's losses";
Deno.test({
  name: GPT_NAME,
  ignore: !available && !required,
  fn: async () => {
    assert.ok(available, `${GPT_NAME}: needs ${ICD} and libvulkan.so.1 (CI installs them)`);
    Deno.env.set("VK_ICD_FILENAMES", ICD);
    if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", await Deno.makeTempDir());
    const { GPT } = await import("../../models/gpt.ts");
    const { buildArtifacts } = await import("../../src/train/artifacts.ts");
    const { Runner } = await import("../../src/train/runner.ts");
    const model = new GPT({
      vocabSize: 13,
      block: 8,
      layers: 2,
      heads: 2,
      embd: 16,
      dropout: 0.1,
      bias: true,
    });
    const batch = {
      x: BigInt64Array.from({ length: 32 }, (_, i) => BigInt((i * 5) % 13)),
      xDims: [4, 8],
      y: BigInt64Array.from({ length: 32 }, (_, i) => BigInt((i * 5 + 1) % 13)),
      yDims: [4, 8],
    };
    const losses = async (device: "cpu" | "webgpu") => {
      const artifacts = buildArtifacts(model, {
        batchSize: 4,
        seqLen: 8,
        webgpu: device === "webgpu",
        clipGradNorm: 1,
      });
      const r = await Runner.create(artifacts, model.initParameters(1), {
        seed: 1,
        session: { device },
      });
      try {
        const out = [];
        for (let i = 0; i < 4; i++) out.push(await r.trainStep(batch, 3e-3, 0.9));
        return out;
      } finally {
        await r.release();
      }
    };
    const [gpu, cpu] = [await losses("webgpu"), await losses("cpu")];
    assert.ok(cpu[3] < cpu[0], `the loss falls: ${cpu.join(", ")}`);
    gpu.forEach((g, i) => {
      const rel = Math.abs(g - cpu[i]) / Math.abs(cpu[i]);
      assert.ok(rel <= LOSS_RTOL, `step ${i}: webgpu ${g}, cpu ${cpu[i]} (${rel})`);
    });
  },
});

Deno.test({
  name:
    "a GPT's exported step graph (KV caches as state) runs on the WebGPU EP with the CPU's logits",
  ignore: !available && !required,
  sanitizeResources: false,
  async fn() {
    assert.ok(available, `needs ${ICD} and libvulkan.so.1 (CI installs them)`);
    Deno.env.set("VK_ICD_FILENAMES", ICD);
    if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", await Deno.makeTempDir());
    const { GPT } = await import("../../models/gpt.ts");
    const { exportModel } = await import("../../src/export/export_model.ts");
    const { StepCache } = await import("../../src/api/step_cache.ts");
    const { Session } = await import("../../src/runtime/session.ts");
    const { Random } = await import("../../src/nn/random.ts");
    const model = new GPT({
      vocabSize: 11,
      block: 6,
      layers: 2,
      heads: 2,
      embd: 8,
      dropout: 0,
      bias: false,
    });
    const rng = new Random(4);
    const weights = new Map(
      model.namedParameters().map(([name, p]) => {
        const n = p.shape.reduce((a, b) => a * b, 1);
        return [name, Float32Array.from({ length: n }, () => 0.5 * rng.normal())];
      }),
    );
    const { sidecar, files } = exportModel(model, weights, {
      name: "gpt",
      description: "a tiny GPT",
      vocab: Array.from({ length: 11 }, (_, i) => `t${i}`),
      metrics: { accuracy: 0, valid_loss: 0, epochs: 0 },
      recipe: {},
      seed: 1,
      context: 1,
    });
    // A prompt in one call, tokens one call each, then past the block: every path of the cache.
    const ids = [3, 1, 4, 1, 5, 9, 2, 6, 5];
    const logits = async (device: "cpu" | "webgpu") => {
      const session = await Session.create(files.get(sidecar.file)!, { device });
      try {
        const cache = new StepCache(sidecar, (feeds) => session.run(feeds));
        const out: Float32Array[] = [];
        for (let n = 3; n <= ids.length; n++) out.push(await cache.logitsAfter(ids.slice(0, n)));
        return out;
      } finally {
        await session.release();
      }
    };
    const [gpu, cpu] = [await logits("webgpu"), await logits("cpu")];
    gpu.forEach((g, n) =>
      g.forEach((v, k) =>
        assert.ok(
          Math.abs(v - cpu[n][k]) <= 1e-4 * Math.max(1, Math.abs(cpu[n][k])),
          `${n + 3} ids, token ${k}: webgpu ${v}, cpu ${cpu[n][k]}`,
        )
      )
    );
  },
});
