/**
 * What a training run leaves in its output directory, every file written atomically:
 * `checkpoint.safetensors` (tensors plus the run's `RunMeta`), `train.onnx`, `grad.onnx`,
 * `eval.onnx`, `infer.onnx`, `metrics.jsonl`, `curves.svg` and `report.html`.
 *
 * @module
 */

import { findModel, RUN_META_DEFAULTS } from "../../../models/registry.ts";
import {
  artifactFiles,
  BEST_FILE,
  CHECKPOINT_FILE,
  checkpointFile,
  epochFiles,
  type RunInfo,
  type RunPlace,
} from "../../../src/run/run_files.ts";
import type { Artifacts } from "../../../src/train/artifacts.ts";
import { type Checkpoint, decodeCheckpoint } from "../../../src/train/checkpoint.ts";
import type { Learner } from "../../../src/train/learner.ts";
import { parseRunMeta, type RunMeta } from "../../../src/train/run_meta.ts";
import { writeFileAtomic } from "../cli/atomic.ts";
import { osProblem } from "../cli/fs_errors.ts";
import { type RunExport, runExport } from "../../../src/run/run_export.ts";
import { FileKindError, MAX_MODEL_BYTES, readRegularFile } from "../cli/regular_file.ts";

export type { RunMeta } from "../../../src/train/run_meta.ts";
export {
  BEST_FILE,
  CHECKPOINT_FILE,
  type RunInfo,
  type RunPlace,
} from "../../../src/run/run_files.ts";

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
  for (const [name, bytes] of artifactFiles(artifacts, info)) {
    await writeFileAtomic(`${dir}/${name}`, bytes);
  }
}

/**
 * Saves the checkpoint, metrics, curves and report after an epoch (the checkpoint first:
 * it is what a resume needs).
 *
 * @param dir Run directory.
 * @param learner The learner.
 * @param info The run.
 * @param place The runtime and machine, for the report.
 * @param best Whether the epoch is the best so far (`--save-best`): the checkpoint is also
 *   written as `best.safetensors`.
 */
export async function saveEpoch(
  dir: string,
  learner: Learner,
  info: RunInfo,
  place: RunPlace,
  best = false,
): Promise<void> {
  // Encoded at once, before another step: views do, a copy of the model would not be freed.
  const checkpoint = checkpointFile(info, learner.runner.tensorViews(), learner.state());
  await writeFileAtomic(`${dir}/${CHECKPOINT_FILE}`, checkpoint);
  if (best) await writeFileAtomic(`${dir}/${BEST_FILE}`, checkpoint);
  for (const [name, bytes] of epochFiles(info, learner.history, place)) {
    await writeFileAtomic(`${dir}/${name}`, bytes);
  }
}

/**
 * Reads a run directory's checkpoint and checks its metadata.
 *
 * @param dir Run directory.
 * @param purpose What the checkpoint is read for, starting error messages ("Cannot resume").
 * @param file The checkpoint's file name: the last epoch's, or `BEST_FILE`.
 * @returns Tensors and run settings.
 * @throws Error naming the file when it is missing, unreadable or malformed.
 */
export async function loadRun(
  dir: string,
  purpose: string,
  file: string = CHECKPOINT_FILE,
): Promise<{ checkpoint: Checkpoint; meta: RunMeta }> {
  const path = `${dir}/${file}`;
  const info = await Deno.stat(dir).catch(() => undefined);
  if (info && !info.isDirectory) {
    throw new Error(`${purpose}: ${dir} is a file, not a run directory of deno task train`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path, "the checkpoint", MAX_MODEL_BYTES);
  } catch (error) {
    if (error instanceof FileKindError) throw new Error(`${purpose}: ${error.message}`);
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        file === BEST_FILE
          ? `${purpose}: no best checkpoint at ${path} (the run was trained without --save-best)`
          : `${purpose}: no checkpoint at ${path} (is it a run directory of deno task train?)`,
      );
    }
    throw new Error(`${purpose}: cannot read ${path}: ${osProblem(error)}`);
  }
  const checkpoint = decodeCheckpoint(bytes, path);
  try {
    const meta = parseRunMeta(checkpoint.meta, path, RUN_META_DEFAULTS);
    findModel(meta.model); // a model this version knows
    return { checkpoint, meta };
  } catch (error) {
    throw new Error(`${purpose}: ${(error as Error).message}`);
  }
}

/**
 * Reads a run directory for export (`export`, `generate`, `site`): the model built at the run's
 * sizes, its checked weights and the export's facts, with the run's metadata.
 *
 * @param dir The run directory.
 * @param purpose What it is read for, starting error messages (`Cannot export runs/lm6`).
 * @param file The checkpoint's file name: the last epoch's, or `BEST_FILE` (`--best`).
 * @returns The model, weights and export facts, and the run's metadata.
 * @throws Error naming the file for a missing, malformed or diverged checkpoint.
 */
export async function readRunForExport(
  dir: string,
  purpose: string,
  file: string = CHECKPOINT_FILE,
): Promise<RunExport & { readonly meta: RunMeta }> {
  const { checkpoint, meta } = await loadRun(dir, purpose, file);
  const run = runExport(meta, checkpoint.tensors, findModel(meta.model), `${dir}/${file}`, purpose);
  return { ...run, meta };
}
