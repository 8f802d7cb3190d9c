/**
 * What exporting a run needs, read from its directory once for `export` and `generate`: the
 * model built at the run's sizes, its checked weights, and the export's facts.
 *
 * @module
 */

import { findModel } from "../../models/registry.ts";
import type { ExportInfo } from "../../src/export/export_model.ts";
import type { LanguageModel } from "../../src/nn/language_model.ts";
import { CHECKPOINT_FILE, checkpointWeights, loadRun, runDescription } from "./run_dir.ts";

/** A run, ready for `exportModel`. */
export interface RunExport {
  /** The model, built with the run's architecture (never the registry's defaults). */
  readonly model: LanguageModel;
  /** The trained weights, checked for shape and finiteness. */
  readonly weights: Map<string, Float32Array>;
  /** Name, description, tokenizer, vocabulary, metrics, recipe, seed and context. */
  readonly info: ExportInfo;
  /** Whether the run finished an epoch (its metrics are real, not zeros). */
  readonly finished: boolean;
}

/**
 * Reads a run directory for export.
 *
 * @param dir The run directory.
 * @param purpose What it is read for, starting error messages (`Cannot export runs/lm6`).
 * @returns The model, weights and export facts.
 * @throws Error naming the file for a missing, malformed or diverged checkpoint.
 */
export async function readRunForExport(dir: string, purpose: string): Promise<RunExport> {
  const { checkpoint, meta } = await loadRun(dir, purpose);
  const entry = findModel(meta.model);
  const model = entry.create(meta.arch);
  const weights = checkpointWeights(checkpoint, model, `${dir}/${CHECKPOINT_FILE}`, purpose);
  const last = meta.learner.history.at(-1);
  return {
    model,
    weights,
    finished: last !== undefined,
    info: {
      name: entry.name,
      description: runDescription(meta, { schedule: true }),
      vocab: meta.vocab,
      tokenizer: meta.tokenizer,
      arch: meta.arch,
      metrics: {
        accuracy: last?.accuracy ?? 0,
        valid_loss: last?.valid_loss ?? 0,
        epochs: meta.learner.epoch,
      },
      recipe: meta.recipe,
      seed: meta.seed,
      context: meta.recipe.data === "sequence" ? 1 : 3,
    },
  };
}
