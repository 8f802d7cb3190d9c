/**
 * What a training run leaves in its output directory, every file written atomically:
 * `checkpoint.safetensors` (tensors plus the run's `RunMeta`), `train.onnx`, `grad.onnx`,
 * `eval.onnx`, `infer.onnx`, `metrics.jsonl`, `curves.svg` and `report.html`.
 *
 * @module
 */

import { findModel } from "../../models/registry.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../../src/data/tokenizer.ts";
import { saveGraph } from "../../src/graph/model_io.ts";
import { curvesSvg } from "../../src/report/curves.ts";
import { reportHtml } from "../../src/report/report_html.ts";
import type { Artifacts } from "../../src/train/artifacts.ts";
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from "../../src/train/checkpoint.ts";
import type { Learner } from "../../src/train/learner.ts";
import type { LanguageModel } from "../../src/nn/language_model.ts";
import { parseRunMeta, type RunMeta } from "../../src/train/run_meta.ts";
import { writeFileAtomic } from "./atomic.ts";
import { osProblem } from "./fs_errors.ts";
import { machineLine } from "./machine.ts";

export type { RunMeta } from "../../src/train/run_meta.ts";

/** The checkpoint file name inside a run directory. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/** A run's fixed facts: its metadata without the learner state, plus report details. */
export interface RunInfo {
  readonly meta: Omit<RunMeta, "learner">;
  readonly description: string;
  /** Accuracy of always predicting the most frequent token. */
  readonly baseline: number;
}

/**
 * What a run is, in one line: the registry's description for the book's Human Numbers runs;
 * the model, corpus and sizes for one's own text (the registry's recipe text would be wrong).
 *
 * @param meta The run's metadata.
 * @param options `schedule`: also describe a book-sized run whose epochs or lr differ from the
 *   recipe's (for exports).
 * @returns The line (the report's subtitle and the export's description).
 */
export function runDescription(
  meta: Omit<RunMeta, "learner">,
  options: { schedule?: boolean } = {},
): string {
  const entry = findModel(meta.model);
  const a = meta.arch;
  const book = entry.arch;
  const sameSize = a.hidden === book.hidden && a.layers === book.layers &&
    a.dropout === book.dropout && meta.recipe.batchSize === entry.recipe.batchSize &&
    meta.recipe.seqLen === entry.recipe.seqLen;
  // The training artifacts keep the registry's text for the book's sizes (their bytes stay
  // those of before); an export also says when the schedule was not the recipe's.
  const sameSchedule = !options.schedule ||
    (meta.epochs === entry.recipe.epochs && meta.lrMax === entry.recipe.lrMax);
  if (meta.corpus.kind === "human-numbers" && sameSize && sameSchedule) return entry.description;
  const kind = entry.description.slice(0, entry.description.indexOf(":"));
  // The corpus by its base name: an export's description travels, a home directory should not.
  const corpus = meta.corpus.kind === "text"
    ? `${meta.corpus.text.replace(/\/+$/, "").split("/").at(-1)} (${meta.tokenizer.mode} tokens)`
    : "Human Numbers";
  return `${kind} on ${corpus}: vocabulary ${a.vocabSize}, hidden ${a.hidden}, ` +
    `${a.layers} layer${a.layers === 1 ? "" : "s"}${a.dropout ? `, dropout ${a.dropout}` : ""}; ` +
    `fit_one_cycle(${meta.epochs}, ${meta.lrMax}) at bs ${meta.recipe.batchSize}, sl ${meta.recipe.seqLen}`;
}

/** The device line of the report. */
export function runtimeName(device: RunMeta["device"]): string {
  const ep = { cpu: "CPU", cuda: "CUDA", webgpu: "WebGPU" }[device];
  return `onnxruntime-node 1.30, ${ep} execution provider`;
}

/**
 * Writes the four artifacts as `.onnx` files.
 *
 * @param dir Run directory.
 * @param artifacts The graphs.
 * @param info The run, for the files' metadata (model and vocabulary).
 */
export async function saveArtifacts(
  dir: string,
  artifacts: Artifacts,
  info: RunInfo,
): Promise<void> {
  const metadata: [string, string][] = [
    ["model", info.meta.model],
    ["vocab", JSON.stringify(info.meta.vocab)],
  ];
  for (const kind of ["train", "grad", "eval", "infer"] as const) {
    await writeFileAtomic(
      `${dir}/${kind}.onnx`,
      saveGraph(artifacts[kind], { metadata, docString: info.description }),
    );
  }
}

/**
 * Saves the checkpoint, metrics, curves and report after an epoch.
 *
 * @param dir Run directory.
 * @param learner The learner.
 * @param info The run.
 */
export async function saveEpoch(dir: string, learner: Learner, info: RunInfo): Promise<void> {
  const meta: RunMeta = { ...info.meta, learner: learner.state() };
  const checkpoint: Checkpoint = {
    tensors: learner.runner.tensors(),
    meta,
  };
  await writeFileAtomic(`${dir}/${CHECKPOINT_FILE}`, encodeCheckpoint(checkpoint));
  const rows = learner.history;
  await writeFileAtomic(
    `${dir}/metrics.jsonl`,
    rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
  const m = info.meta;
  await writeFileAtomic(`${dir}/curves.svg`, curvesSvg(rows, m.model, info.baseline));
  const corpus = m.corpus.kind === "human-numbers"
    ? "Human Numbers"
    : `${m.corpus.text}${
      m.corpus.valid ? ` (valid ${m.corpus.valid})` : ""
    }, ${m.tokenizer.mode} tokens, ` +
      `${m.corpus.tokens.train} train / ${m.corpus.tokens.valid} valid`;
  await writeFileAtomic(
    `${dir}/report.html`,
    reportHtml({
      model: m.model,
      description: info.description,
      rows,
      baseline: info.baseline,
      facts: {
        seed: String(m.seed),
        "epochs, lr_max": `${m.epochs}, ${m.lrMax}`,
        corpus,
        vocabulary: `${m.vocab.length} tokens`,
        architecture: JSON.stringify(m.arch),
        recipe: JSON.stringify(m.recipe),
        runtime: runtimeName(m.device),
        machine: machineLine(),
      },
    }),
  );
}

/**
 * The trained weights of a model, from a checkpoint, checked: every parameter present, float32,
 * of the model's shape, and finite (a run that diverged is not exported).
 *
 * @param checkpoint The checkpoint.
 * @param model The model built with the run's architecture.
 * @param source The checkpoint's path, for messages.
 * @param purpose What the weights are for, starting messages (`Cannot export runs/lm6`).
 * @returns Weights by parameter name.
 * @throws Error naming the tensor and what is wrong.
 */
export function checkpointWeights(
  checkpoint: Checkpoint,
  model: LanguageModel,
  source: string,
  purpose: string,
): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const [name, p] of model.namedParameters()) {
    const t = checkpoint.tensors.get(name);
    const want = `float32[${p.shape.join(", ")}]`;
    if (!t) throw new Error(`${purpose}: ${source} has no tensor "${name}" (expected ${want})`);
    if (t.dtype !== "float32" || t.dims.join() !== p.shape.join()) {
      throw new Error(
        `${purpose}: ${source}: tensor "${name}" is ${t.dtype}[${
          t.dims.join(", ")
        }], the run's model needs ${want}`,
      );
    }
    const data = t.data as Float32Array;
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new Error(
        `${purpose}: ${source}: tensor "${name}" holds ${data[bad]} at index ${bad}: ` +
          `the run diverged; resume from an earlier checkpoint with a lower --lr`,
      );
    }
    weights.set(name, data);
  }
  return weights;
}

/**
 * Reads a run directory's checkpoint and checks its metadata.
 *
 * @param dir Run directory.
 * @param purpose What the checkpoint is read for, starting error messages ("Cannot resume").
 * @returns Tensors and run settings.
 * @throws Error naming the file when it is missing, unreadable or malformed.
 */
export async function loadRun(
  dir: string,
  purpose: string,
): Promise<{ checkpoint: Checkpoint; meta: RunMeta }> {
  const path = `${dir}/${CHECKPOINT_FILE}`;
  const info = await Deno.stat(dir).catch(() => undefined);
  if (info && !info.isDirectory) {
    throw new Error(`${purpose}: ${dir} is a file, not a run directory of deno task train`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${purpose}: no checkpoint at ${path} (is it a run directory of deno task train?)`,
      );
    }
    throw new Error(`${purpose}: cannot read ${path}: ${osProblem(error)}`);
  }
  const checkpoint = decodeCheckpoint(bytes, path);
  try {
    const meta = parseRunMeta(checkpoint.meta, path, {
      arch: (model) => findModel(model).arch,
      tokenizer: HUMAN_NUMBERS_TOKENIZER,
    });
    findModel(meta.model); // a model this version knows
    return { checkpoint, meta };
  } catch (error) {
    throw new Error(`${purpose}: ${(error as Error).message}`);
  }
}
