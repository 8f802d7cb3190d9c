/**
 * What the host-device copies of a training step cost on an execution provider, measured
 * apart: `deno run -A tools/gpu/copy_cost.ts --floats N --tensors K [--device cuda]`.
 *
 * A graph of K float32 inputs of N values, each passed through one Relu, is run with host
 * tensors: onnxruntime copies every input to the device and every output back, which is what a
 * training step does with the parameters and Adam's moments when they cannot stay on the device.
 * It prints the median time of 5 runs after a warm-up, and the rate in GB/s (both directions).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Graph } from "../../src/graph/graph.ts";
import { saveGraph } from "../../src/graph/model_io.ts";
import { relu } from "../../src/ops/elementwise.ts";
import { Session } from "../../src/runtime/session.ts";
import type { Device } from "../../src/runtime/backend.ts";
import { ortBindingDir } from "../lib/device/cuda/ort_dir.ts";
import { preloadCudaLibraries } from "../lib/device/cuda/preload.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    floats: { type: "string", default: "36800000" },
    tensors: { type: "string", default: "3" },
    device: { type: "string", default: "cuda" },
  },
});
const n = Number(values.floats), k = Number(values.tensors);
const device = values.device as Device;
if (device === "cuda") preloadCudaLibraries(ortBindingDir());
const g = new Graph("copies");
for (let i = 0; i < k; i++) g.output(relu(g.input(`x${i}`, "float32", [n])), `y${i}`);
const session = await Session.create(saveGraph(g), { device, source: "copy_cost" });
const feeds = Object.fromEntries(
  Array.from({ length: k }, (_, i) => [`x${i}`, {
    dtype: "float32" as const,
    dims: [n],
    data: new Float32Array(n).fill(0.5),
  }]),
);
const times: number[] = [];
for (let r = 0; r < 6; r++) {
  const t0 = performance.now();
  await session.run(feeds);
  if (r > 0) times.push(performance.now() - t0);
}
await session.release();
times.sort((a, b) => a - b);
const ms = times[Math.floor(times.length / 2)]!;
const gb = (2 * k * n * 4) / 1e9;
console.log(
  `${device}: ${k} x ${n} floats to the device and back (${gb.toFixed(2)} GB): ` +
    `median ${ms.toFixed(1)} ms, ${(gb / (ms / 1000)).toFixed(1)} GB/s`,
);
