/**
 * Where a graph's time goes on one execution provider, and which nodes it leaves to the CPU:
 * `deno run -A tools/gpu/profile_graph.ts RUN/train.onnx --device cuda [--steps 3] [--out DIR]`.
 *
 * It starts a session with onnxruntime's profiler and verbose log, feeds zeros of the declared
 * shapes (the timing of these graphs does not depend on the values), runs `--steps` times, and
 * prints: the time of each run, the nodes by execution provider, the CPU-placed nodes by op
 * type, the copies between host and device, and the op types that take the most time.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import { readModelHeader } from "../../src/onnx/model_header.ts";

const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    device: { type: "string", default: "cuda" },
    steps: { type: "string", default: "3" },
    out: { type: "string", default: ".tmp/profile" },
  },
});
if (positionals.length !== 1) {
  console.error("usage: profile_graph.ts GRAPH.onnx [--device cuda] [--steps 3] [--out DIR]");
  Deno.exit(2);
}
const path = positionals[0]!;
const bytes = await Deno.readFile(path);
const header = readModelHeader(bytes, path);
await Deno.mkdir(values.out, { recursive: true });
const prefix = `${values.out}/${values.device}`;

ort.env.logLevel = "verbose";
const session = await ort.InferenceSession.create(bytes, {
  executionProviders: [values.device],
  enableProfiling: true,
  profileFilePrefix: prefix,
  logSeverityLevel: 0,
  logVerbosityLevel: 0,
});
ort.env.logLevel = "warning";

const feeds: Record<string, ort.Tensor> = {};
for (const input of header.graph.inputs) {
  const dims = input.shape.map((d) => typeof d === "number" ? d : 1);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = input.dtype === "int64"
    ? new BigInt64Array(n)
    : input.dtype === "float64"
    ? new Float64Array(n)
    : new Float32Array(n);
  feeds[input.name] = new ort.Tensor(input.dtype as "float32", data as Float32Array, dims);
}
for (let i = 0; i < Number(values.steps); i++) {
  const t0 = performance.now();
  const out = await session.run(feeds);
  for (const t of Object.values(out)) t.dispose();
  console.log(`run ${i}: ${(performance.now() - t0).toFixed(1)} ms`);
}
await session.release(); // writes the profile

const file = [...Deno.readDirSync(values.out)].map((e) => `${values.out}/${e.name}`)
  .filter((f) => f.startsWith(prefix) && f.endsWith(".json")).sort().at(-1);
if (!file) throw new Error(`no profile was written under ${values.out}`);
interface Event {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; provider?: string };
}
const events = (JSON.parse(await Deno.readTextFile(file)) as Event[])
  .filter((e) => e.cat === "Node" && e.name.endsWith("_kernel_time"));
const steps = Number(values.steps);
const byProvider = new Map<string, Set<string>>();
const time = new Map<string, number>();
const cpuOps = new Map<string, number>();
for (const e of events) {
  const provider = e.args?.provider ?? "?";
  const node = e.name.replace(/_kernel_time$/, "");
  const set = byProvider.get(provider) ?? new Set();
  set.add(node);
  byProvider.set(provider, set);
  const key = `${e.args?.op_name ?? "?"} (${provider.replace("ExecutionProvider", "")})`;
  time.set(key, (time.get(key) ?? 0) + e.dur / steps);
}
for (const node of byProvider.get("CPUExecutionProvider") ?? []) {
  const op = events.find((e) => e.name === `${node}_kernel_time`)?.args?.op_name ?? "?";
  cpuOps.set(op, (cpuOps.get(op) ?? 0) + 1);
}
console.log(`profile: ${file}`);
for (const [p, nodes] of byProvider) console.log(`nodes on ${p}: ${nodes.size}`);
console.log(`CPU-placed nodes by op: ${JSON.stringify(Object.fromEntries(cpuOps))}`);
const total = [...time.values()].reduce((a, b) => a + b, 0);
console.log(`kernel time per run: ${(total / 1000).toFixed(1)} ms; by op type:`);
for (const [k, us] of [...time].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`  ${k.padEnd(44)} ${(us / 1000).toFixed(2).padStart(9)} ms`);
}
