/**
 * A run's fixed facts, made once at its start the same way by `deno task train` and the page:
 * its `RunMeta` (without the learner's state, which changes every epoch), its one-line
 * description and its corpus's baseline.
 *
 * @module
 */

import { PRODUCER_NAME, PRODUCER_VERSION } from "../onnx/version.ts";
import type { Architecture, Recipe } from "../train/recipe.ts";
import type { ParentRun, RunMeta } from "../train/run_meta.ts";
import type { Tracking } from "../train/tracking.ts";
import type { RunCorpus } from "./corpus.ts";
import { type ModelFacts, runDescription } from "./describe.ts";
import { samplePrompt } from "./sample_prompt.ts";

/** A run's fixed facts: its metadata without the learner state, plus report details. */
export interface RunInfo {
  /** Everything the checkpoint's metadata holds but the learner's state. */
  readonly meta: Omit<RunMeta, "learner">;
  /** One line on what the run is (`runDescription`). */
  readonly description: string;
  /** Always predicting the most frequent validation token, and its accuracy. */
  readonly baseline: { readonly token: string; readonly accuracy: number };
}

/** What a run is started with. */
export interface RunStart {
  /** The registry's entry for the model (`name`, description, book sizes and recipe). */
  readonly entry: ModelFacts & { readonly name: string };
  /** What it trains on. */
  readonly corpus: RunCorpus;
  /** The sizes the model is built with. */
  readonly arch: Architecture;
  /** The recipe at the run's batch size and sequence length. */
  readonly recipe: Recipe;
  /** Epochs of the one-cycle schedule. */
  readonly epochs: number;
  /** Its peak learning rate. */
  readonly lrMax: number;
  /** Seed for initialization and dropout. */
  readonly seed: number;
  /** The execution provider. */
  readonly device: RunMeta["device"];
  /** The run it was fine-tuned from (`--from`). */
  readonly parent?: ParentRun | undefined;
  /** Best-epoch tracking and early stopping (`--save-best`, `--patience`). */
  readonly tracking?: Tracking | undefined;
}

/** One's own text's sample prompt, as the metadata keeps it (none for Human Numbers). */
function sample(corpus: RunCorpus): { prompt?: string } {
  if (corpus.corpus.kind !== "text") return {};
  const prompt = samplePrompt(corpus.validIds, corpus.vocab, corpus.tokenizer);
  return prompt === undefined ? {} : { prompt };
}

/**
 * The facts of a new run.
 *
 * @param s The model, corpus, sizes, schedule, seed and device.
 * @returns Its metadata, description and baseline.
 */
export function newRunInfo(s: RunStart): RunInfo {
  const meta: RunInfo["meta"] = {
    format: "onnx-lm-run",
    version: 2,
    producer: `${PRODUCER_NAME} ${PRODUCER_VERSION}`,
    model: s.entry.name,
    recipe: s.recipe,
    arch: s.arch,
    epochs: s.epochs,
    lrMax: s.lrMax,
    seed: s.seed,
    device: s.device,
    corpus: s.corpus.corpus,
    tokenizer: s.corpus.tokenizer,
    vocab: s.corpus.vocab,
    ...(s.parent ? { parent: s.parent } : {}),
    ...(s.tracking ? { tracking: s.tracking } : {}),
    ...sample(s.corpus),
  };
  return {
    meta,
    description: runDescription(meta, s.entry),
    baseline: s.corpus.baseline,
  };
}
