/**
 * What a training run leaves in its output directory, every file written atomically:
 * `checkpoint.safetensors`, `train.onnx`, `grad.onnx`, `eval.onnx`, `infer.onnx`,
 * `metrics.jsonl`, `curves.svg` and `report.html`.
 *
 * @module
 */

import type { ModelEntry } from "../../models/registry.ts";
import { humanNumbers, mostCommonTokenBaseline } from "../../src/data/pipelines.ts";
import { saveGraph } from "../../src/graph/model_io.ts";
import { curvesSvg } from "../../src/report/curves.ts";
import { reportHtml } from "../../src/report/report_html.ts";
import type { Artifacts } from "../../src/train/artifacts.ts";
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from "../../src/train/checkpoint.ts";
import type { Learner, LearnerState } from "../../src/train/learner.ts";
import { PRODUCER_NAME, PRODUCER_VERSION } from "../../src/onnx/version.ts";
import { writeFileAtomic } from "./atomic.ts";

/** The checkpoint file name inside a run directory. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/** A run's settings, stored in its checkpoint. */
export interface RunMeta {
  readonly format: "onnx-lm-run";
  readonly version: 1;
  readonly producer: string;
  readonly model: string;
  readonly recipe: ModelEntry["recipe"];
  readonly epochs: number;
  readonly lrMax: number;
  readonly seed: number;
  readonly vocab: readonly string[];
  readonly learner: LearnerState;
}

/**
 * Writes the four artifacts as `.onnx` files.
 *
 * @param dir Run directory.
 * @param artifacts The graphs.
 * @param entry The model, for the files' metadata.
 */
export async function saveArtifacts(
  dir: string,
  artifacts: Artifacts,
  entry: ModelEntry,
): Promise<void> {
  const metadata: [string, string][] = [["model", entry.name], [
    "vocab",
    JSON.stringify(humanNumbers().vocab.words),
  ]];
  for (const kind of ["train", "grad", "eval", "infer"] as const) {
    await writeFileAtomic(
      `${dir}/${kind}.onnx`,
      saveGraph(artifacts[kind], { metadata, docString: entry.description }),
    );
  }
}

/**
 * Saves the checkpoint, metrics, curves and report after an epoch.
 *
 * @param dir Run directory.
 * @param learner The learner.
 * @param entry The model.
 * @param settings Epochs, peak learning rate and seed of the run.
 */
export async function saveEpoch(
  dir: string,
  learner: Learner,
  entry: ModelEntry,
  settings: { epochs: number; lrMax: number; seed: number },
): Promise<void> {
  const meta: RunMeta = {
    format: "onnx-lm-run",
    version: 1,
    producer: `${PRODUCER_NAME} ${PRODUCER_VERSION}`,
    model: entry.name,
    recipe: entry.recipe,
    ...settings,
    vocab: humanNumbers().vocab.words,
    learner: learner.state(),
  };
  const checkpoint: Checkpoint = {
    tensors: learner.runner.tensors(),
    meta: meta as unknown as Record<string, unknown>,
  };
  await writeFileAtomic(`${dir}/${CHECKPOINT_FILE}`, encodeCheckpoint(checkpoint));
  const rows = learner.history;
  await writeFileAtomic(
    `${dir}/metrics.jsonl`,
    rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
  const baseline = mostCommonTokenBaseline().accuracy;
  await writeFileAtomic(`${dir}/curves.svg`, curvesSvg(rows, entry.name, baseline));
  await writeFileAtomic(
    `${dir}/report.html`,
    reportHtml({
      model: entry.name,
      description: entry.description,
      rows,
      baseline,
      facts: {
        seed: String(settings.seed),
        "epochs, lr_max": `${settings.epochs}, ${settings.lrMax}`,
        recipe: JSON.stringify(entry.recipe),
        runtime: "onnxruntime-node 1.30, CPU execution provider",
      },
    }),
  );
}

/**
 * Reads a run directory's checkpoint.
 *
 * @param dir Run directory.
 * @param purpose What the checkpoint is read for, starting error messages ("Cannot resume").
 * @returns Tensors and run settings.
 * @throws Error naming the file when it is missing or unreadable.
 */
export async function loadRun(
  dir: string,
  purpose: string,
): Promise<{ checkpoint: Checkpoint; meta: RunMeta }> {
  const path = `${dir}/${CHECKPOINT_FILE}`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${purpose}: no checkpoint at ${path} (is it a run directory of deno task train?)`,
      );
    }
    throw error;
  }
  const checkpoint = decodeCheckpoint(bytes, path);
  const meta = checkpoint.meta as unknown as RunMeta;
  if (meta.format !== "onnx-lm-run" || meta.version !== 1) {
    throw new Error(
      `Cannot resume from ${path}: not an onnx-lm run checkpoint (format ${String(meta.format)})`,
    );
  }
  return { checkpoint, meta };
}
