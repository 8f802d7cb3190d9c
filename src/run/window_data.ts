/**
 * A transformer's training batches (`windows` layout): random windows of the training text,
 * drawn afresh each epoch from the run's seed, as many per epoch as the recipe's schedule
 * runs: a pass over the text's tokens for fit_one_cycle, the steps between validations for
 * nanoGPT's schedule. Browser-compatible.
 *
 * @module
 */

import { randomWindows } from "../data/random_windows.ts";
import type { TrainData } from "../data/stream_batches.ts";
import type { Recipe } from "../train/recipe.ts";
import { epochSteps } from "../train/steps_schedule.ts";

/**
 * The training half of a `windows` run's data.
 *
 * @param ids The training text's token ids (at least `recipe.seqLen + 1`).
 * @param recipe Batch size, window (`seqLen`) and schedule.
 * @param seed The run's seed.
 * @returns Epoch 0's batches and every epoch's.
 */
export function windowBatches(
  ids: Int32Array,
  recipe: Recipe,
  seed: number,
): Pick<TrainData, "train" | "trainEpoch"> {
  const { batchSize: bs, seqLen: block, schedule } = recipe;
  // One pass: as many windows as the text holds end to end.
  const pass = Math.max(1, Math.floor((ids.length - 1) / (bs * block)));
  const trainEpoch = (epoch: number) =>
    randomWindows(ids, {
      bs,
      block,
      steps: schedule ? Math.max(1, epochSteps(schedule, epoch)) : pass,
      // Each epoch its own stream, so a resumed run draws what an uninterrupted one would.
      seed: (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0,
    });
  return { train: trainEpoch(0), trainEpoch };
}
