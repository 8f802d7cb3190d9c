/**
 * What exporting a run needs, from its checkpoint: the model built at the run's sizes, its
 * checked weights, and the export's facts. `deno task export` reads the checkpoint from a run
 * directory; the page has it in memory after training; both go through here.
 *
 * @module
 */

import type { ExportInfo } from "../export/export_model.ts";
import type { LanguageModel } from "../nn/language_model.ts";
import { countNonFinite, nonFiniteText } from "../onnx/finite_weights.ts";
import type { Tensor } from "../onnx/tensor.ts";
import type { Architecture } from "../train/recipe.ts";
import type { RunMeta } from "../train/run_meta.ts";
import { type ModelFacts, runDescription } from "./describe.ts";

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

/** The registry's entry for the run's model: its facts and a constructor at any size. */
export interface ModelMaker extends ModelFacts {
  /** The registry name (`lm6`). */
  readonly name: string;
  /** A fresh model at the given sizes. */
  readonly create: (arch?: Architecture) => LanguageModel;
}

/**
 * The trained weights of a model, from a checkpoint's tensors, checked: every parameter
 * present, float32, of the model's shape, and finite (a run that diverged is not exported).
 *
 * @param tensors The checkpoint's tensors.
 * @param model The model built with the run's architecture.
 * @param source The checkpoint's path, for messages.
 * @param purpose What the weights are for, starting messages (`Cannot export runs/lm6`).
 * @returns Weights by parameter name.
 * @throws Error naming the tensor and what is wrong.
 */
export function checkpointWeights(
  tensors: ReadonlyMap<string, Tensor>,
  model: LanguageModel,
  source: string,
  purpose: string,
): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const [name, p] of model.namedParameters()) {
    const t = tensors.get(name);
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
    const bad = countNonFinite(data);
    if (bad > 0) {
      throw new Error(
        `${purpose}: ${source}: ${nonFiniteText({ name, bad, total: data.length }, "tensor")}: ` +
          `the run diverged; nothing is exported (train again with a lower --lr)`,
      );
    }
    weights.set(name, data);
  }
  return weights;
}

/**
 * A run's checkpoint, ready to export.
 *
 * @param meta The run's metadata.
 * @param tensors The checkpoint's tensors.
 * @param entry The registry's entry for `meta.model`.
 * @param source The checkpoint's path or name, for messages.
 * @param purpose What it is read for, starting messages.
 * @returns The model, weights and export facts.
 * @throws Error naming the tensor for missing, misshaped or diverged weights.
 */
export function runExport(
  meta: RunMeta,
  tensors: ReadonlyMap<string, Tensor>,
  entry: ModelMaker,
  source: string,
  purpose: string,
): RunExport {
  const model = entry.create(meta.arch);
  const weights = checkpointWeights(tensors, model, source, purpose);
  const last = meta.learner.history.at(-1);
  return {
    model,
    weights,
    finished: last !== undefined,
    info: {
      name: entry.name,
      description: runDescription(meta, entry, { schedule: true }),
      vocab: meta.vocab,
      tokenizer: meta.tokenizer,
      arch: meta.arch,
      metrics: {
        accuracy: last?.accuracy ?? 0,
        valid_loss: last?.valid_loss ?? 0,
        epochs: meta.learner.epoch,
      },
      // The run's own schedule: a run recorded before its recipe did carries the book's.
      recipe: { ...meta.recipe, epochs: meta.epochs, lrMax: meta.lrMax },
      seed: meta.seed,
      context: meta.recipe.data === "sequence" || meta.recipe.data === "windows" ? 1 : 3,
      ...(meta.prompt !== undefined ? { prompt: meta.prompt } : {}),
    },
  };
}
