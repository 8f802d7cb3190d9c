/**
 * The SHA-256 of every graph the project builds, for refactors that must not change one byte:
 * `deno run -A tools/dump_graphs.ts [--out FILE]`.
 *
 * For every registered model at the book's sizes: the train, grad, eval and infer graphs for
 * the CPU and for WebGPU, in float32 and float64, with the training spec the loop feeds by; and
 * the export graph from seeded initial weights, stored as float32, float16 and int8. One line
 * per graph, `model dtype target graph sha256`, sorted, so two dumps compare with `diff`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { MODELS } from "../models/registry.ts";
import { saveGraph } from "../src/graph/model_io.ts";
import { buildArtifacts } from "../src/train/artifacts.ts";
import { recipeOptimizer } from "../src/train/recipe.ts";
import { buildDeployGraph } from "../src/export/deploy_graph.ts";
import { WEIGHT_STORAGES } from "../src/export/weight_storage.ts";
import type { FloatDType } from "../src/optim/update.ts";

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes.slice());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The spec as plain data: the Dropout objects it carries become their probability. */
function specBytes(spec: unknown): Uint8Array {
  const json = JSON.stringify(spec, (key, value) => key === "module" ? undefined : value);
  return new TextEncoder().encode(json);
}

const { values } = parseArgs({ args: Deno.args, options: { out: { type: "string" } } });
const lines: string[] = [];
for (const entry of MODELS) {
  const r = entry.recipe;
  for (const dtype of ["float32", "float64"] as FloatDType[]) {
    for (const webgpu of [false, true]) {
      const a = buildArtifacts(entry.create(entry.arch), {
        batchSize: r.batchSize,
        seqLen: r.seqLen,
        dtype,
        ...recipeOptimizer(r),
        ...(r.ar ? { ar: r.ar } : {}),
        ...(r.tar ? { tar: r.tar } : {}),
        ...(webgpu ? { webgpu: true } : {}),
      });
      const target = webgpu ? "webgpu" : "cpu";
      for (const graph of ["train", "grad", "eval", "infer"] as const) {
        lines.push(
          `${entry.name} ${dtype} ${target} ${graph} ${await sha256(saveGraph(a[graph]))}`,
        );
      }
      lines.push(`${entry.name} ${dtype} ${target} spec ${await sha256(specBytes(a.spec))}`);
    }
  }
  const model = entry.create(entry.arch);
  const weights = new Map(
    [...model.initParameters(42)].map(([name, v]) => [name, Float32Array.from(v)]),
  );
  for (const storage of WEIGHT_STORAGES) {
    const g = buildDeployGraph(model, weights, {
      name: entry.name,
      steps: r.data === "sequence" ? 1 : 3,
      weights: storage,
    });
    lines.push(`${entry.name} ${storage} export deploy ${await sha256(saveGraph(g))}`);
  }
}
lines.sort();
const text = lines.join("\n") + "\n";
if (values.out) await Deno.writeTextFile(values.out, text);
else console.log(text.trimEnd());
