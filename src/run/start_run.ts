/**
 * The one way to start a run, for `deno task train`, the page's Train panel, `repro` and
 * `bench`: a plain description in (model, corpus, sizes or a resumed run's recorded ones,
 * schedule, seed, device), a checked plan out (`planRun`, cheap: every size and the corpus are
 * checked before anything is built), then the learner (`startRun`: graphs and sessions).
 *
 * @module
 */

import type { ModelEntry } from "../../models/registry.ts";
import { sizedModel, type SizeOverrides } from "../../models/sizing.ts";
import type { SessionOptions } from "../runtime/session.ts";
import type { TrainData } from "../data/stream_batches.ts";
import { Learner, type LearnerOptions } from "../train/learner.ts";
import type { Architecture, Recipe } from "../train/recipe.ts";
import type { ParentRun, RunMeta } from "../train/run_meta.ts";
import type { Tracking } from "../train/tracking.ts";
import type { RunCorpus } from "./corpus.ts";
import { newRunInfo, type RunInfo } from "./run_info.ts";
import { scheduleEpochs, stepsSchedule } from "../train/steps_schedule.ts";

/** What a run is, as plain data. */
export interface RunRequest {
  /** The registry's model. */
  readonly entry: ModelEntry;
  /** What it trains on. */
  readonly corpus: RunCorpus;
  /** A new run: the book's sizes with these changed (the vocabulary is the corpus's). */
  readonly sizes?: Omit<SizeOverrides, "vocabSize">;
  /** A resumed run: exactly the sizes and recipe it recorded (`sizes` is then ignored). */
  readonly recorded?: { readonly arch: Architecture; readonly recipe: Recipe };
  /** Epochs of the one-cycle schedule (ignored with `steps`: its schedule's). */
  readonly epochs: number;
  /** Its peak learning rate. */
  readonly lrMax: number;
  /**
   * A new run of a model whose recipe counts steps (the GPT's): this many steps of nanoGPT's
   * warmup and cosine decay (`stepsSchedule`); absent: fit_one_cycle over `epochs`.
   */
  readonly steps?: number;
  /** Seed for initialization and dropout. */
  readonly seed: number;
  /** The execution provider, as the run records it. */
  readonly device: RunMeta["device"];
  /**
   * The run this one is fine-tuned from, with its vocabulary (the shared and new token counts
   * are worked out here); a resumed run passes its recorded parent.
   */
  readonly parent?:
    | (Omit<ParentRun, "sharedTokens" | "newTokens"> & { readonly vocab: readonly string[] })
    | ParentRun;
  /** Best-epoch tracking and early stopping. */
  readonly tracking?: Tracking;
}

/** A checked run, ready to build. */
export interface RunPlan {
  readonly entry: ModelEntry;
  readonly corpus: RunCorpus;
  /** The sizes the model is built with. */
  readonly arch: Architecture;
  /** The recipe at the run's batch size and sequence length. */
  readonly recipe: Recipe;
  /** Its batches. */
  readonly data: TrainData;
  /** Its fixed facts: metadata, description, baseline. */
  readonly info: RunInfo;
  /** What fitting the batches to a short text changed, or that an epoch has few batches. */
  readonly notes: readonly string[];
  readonly epochs: number;
  readonly lrMax: number;
  readonly seed: number;
}

/**
 * Checks a run and works out its sizes, batches and facts, building nothing.
 *
 * @param r The run.
 * @returns The plan.
 * @throws SizeError for a size the model cannot take; CorpusSizeError for a corpus too short
 *   for one batch of the recipe.
 */
export function planRun(r: RunRequest): RunPlan {
  const { entry, corpus, lrMax, seed, device, tracking } = r;
  // A new run's recipe states its own schedule, not the book's (the registry's recipe says 15
  // epochs for lm7 whatever --epochs was); a resumed run keeps the recipe it recorded, as
  // runs recorded before this did (their export takes the schedule from `epochs`/`lrMax`).
  const sized = r.recorded ?? withSchedule(
    sizedModel(r.entry, { ...r.sizes, vocabSize: r.corpus.vocab.length }),
    r.epochs,
    lrMax,
    r.steps,
  );
  // A steps schedule sets its own epochs (its validations).
  const epochs = !r.recorded && r.steps !== undefined ? sized.recipe.epochs : r.epochs;
  // A resumed run's recipe was fitted to its text when it started: the same text, the same fit.
  const { recipe, notes } = r.recorded
    ? { recipe: sized.recipe, notes: [] }
    : r.corpus.fit(sized.recipe);
  const { arch } = sized;
  const data = r.corpus.data(recipe, seed);
  const parent = r.parent && "vocab" in r.parent ? parentRecord(r.parent, corpus.vocab) : r.parent;
  const info = newRunInfo({
    entry,
    corpus,
    arch,
    recipe,
    epochs,
    lrMax,
    seed,
    device,
    parent,
    tracking,
  });
  return { entry, corpus, arch, recipe, data, info, notes, epochs, lrMax, seed };
}

/** A parent run as the child's metadata records it: how many of the child's tokens it knew. */
function parentRecord(
  p: Omit<ParentRun, "sharedTokens" | "newTokens"> & { readonly vocab: readonly string[] },
  vocab: readonly string[],
): ParentRun {
  const known = new Set(p.vocab);
  const shared = vocab.filter((t) => known.has(t)).length;
  const { vocab: _, ...facts } = p;
  return { ...facts, sharedTokens: shared, newTokens: vocab.length - shared };
}

/**
 * Sizes with the recipe's schedule set to the run's own: `steps` of nanoGPT's schedule, or
 * fit_one_cycle over `epochs` (a GPT's recipe then drops its steps schedule).
 */
function withSchedule(
  sized: { readonly arch: Architecture; readonly recipe: Recipe },
  epochs: number,
  lrMax: number,
  steps: number | undefined,
): { arch: Architecture; recipe: Recipe } {
  const { schedule: _, ...oneCycle } = sized.recipe;
  if (steps === undefined) return { arch: sized.arch, recipe: { ...oneCycle, epochs, lrMax } };
  const schedule = stepsSchedule(steps, lrMax);
  return {
    arch: sized.arch,
    recipe: { ...oneCycle, schedule, epochs: scheduleEpochs(schedule), lrMax },
  };
}

/** Where and how the learner runs. */
export interface StartOptions {
  /** The session: backend, device, threads, GPU. */
  readonly session?: SessionOptions;
  /** Keep the training state in GPU memory between steps (default: on WebGPU). */
  readonly deviceState?: boolean;
  /** The machine, as each epoch's row records it. */
  readonly machine?: string;
  /** Refuses a size the machine cannot hold (`LearnerOptions.checkMemory`). */
  readonly checkMemory?: LearnerOptions["checkMemory"];
  /** Initial weights instead of the seed's (`LearnerOptions.init`: a fine-tuned run). */
  readonly init?: LearnerOptions["init"];
  /** Threads from the step's FLOPs (`LearnerOptions.autoThreads`: `--threads auto`). */
  readonly autoThreads?: LearnerOptions["autoThreads"];
  /** Time steps per chunk of the loss (`LearnerOptions.lossChunk`; 0: one piece). */
  readonly lossChunk?: number;
}

/**
 * Builds the model's graphs, opens their sessions and initializes the weights from the seed.
 *
 * @param plan From `planRun` (or, for `bench`, the same fields over other batches).
 * @param options Where it runs.
 * @returns The learner, at epoch 0 (`restore` continues a saved run).
 */
export function startRun(
  plan: Pick<RunPlan, "entry" | "arch" | "recipe" | "data" | "seed">,
  options: StartOptions = {},
): Promise<Learner> {
  return Learner.create(plan.entry.create(plan.arch), plan.recipe, {
    seed: plan.seed,
    data: plan.data,
    ...(options.session ? { session: options.session } : {}),
    ...(options.machine !== undefined ? { cpu: options.machine } : {}),
    ...(options.deviceState !== undefined ? { deviceState: options.deviceState } : {}),
    ...(options.checkMemory ? { checkMemory: options.checkMemory } : {}),
    ...(options.init ? { init: options.init } : {}),
    ...(options.autoThreads ? { autoThreads: options.autoThreads } : {}),
    ...(options.lossChunk !== undefined ? { lossChunk: options.lossChunk } : {}),
  });
}
