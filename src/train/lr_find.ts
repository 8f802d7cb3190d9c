/**
 * fastai's `lr_find`: a mock training whose learning rate grows exponentially each step, from
 * `startLr` to `endLr` over `numIt` steps, recording fastai's smoothed loss, and stopping once
 * that loss passes 4 times the best so far (it diverged). Run it on a fresh learner and throw
 * the learner away afterwards: the sweep moves the weights (fastai saves and reloads them).
 * Browser-compatible: the CLI (`deno task lr-find`) and the page's worker run this same code.
 *
 * The weight decay is the recipe's (it is built into the training graph): the one the run will
 * train with. fastai's `lr_find` would use the Learner's (Adam's 0.01 unless given to `Learner`).
 *
 * @module
 */

import { Random } from "../nn/random.ts";
import type { Learner } from "./learner.ts";
import { SmoothLoss } from "./smooth_loss.ts";
import { type Suggestions, suggestLrs } from "./lr_suggest.ts";

/** fastai's `lr_find` arguments. */
export interface LrFindOptions {
  /** The first step's lr (fastai: 1e-7). */
  readonly startLr?: number;
  /** The lr the schedule would reach at step `numIt` (fastai: 10). */
  readonly endLr?: number;
  /** Steps of the sweep (fastai: 100, at least 6). */
  readonly numIt?: number;
  /** Stop once the smoothed loss passes 4 times its best (fastai: true). */
  readonly stopDiv?: boolean;
  /**
   * Adam's momentum during the sweep. fastai's `LRFinder` schedules only the lr: a fresh
   * learner's optimizer keeps Adam's default `mom = 0.9`, not `moms[0]` of the one-cycle recipe.
   */
  readonly mom?: number;
}

/** fastai's defaults. */
export const LR_FIND_DEFAULTS: Readonly<Required<LrFindOptions>> = {
  startLr: 1e-7,
  endLr: 10,
  numIt: 100,
  stopDiv: true,
  mom: 0.9,
};

/** One step of the sweep. */
export interface LrFindPoint {
  /** The step's learning rate. */
  readonly lr: number;
  /** fastai's smoothed loss after the step (what the plot and the suggestions read). */
  readonly loss: number;
  /** The step's own batch loss. */
  readonly raw: number;
}

/** Why the sweep ended. */
export type LrFindEnd = "done" | "diverged" | "nan" | "stopped";

/** A sweep's points and fastai's suggestions. */
export interface LrFindResult {
  /** Every step run, in order. */
  readonly points: readonly LrFindPoint[];
  /** The steps asked for (the suggestions skip a tenth of them at the start). */
  readonly numIt: number;
  /**
   * `done`: all `numIt` steps; `diverged`: the smoothed loss passed 4 times its best; `nan`: a
   * loss was not finite (the weights are lost: fastai would run on, then cut the NaNs off);
   * `stopped`: `shouldStop` asked.
   */
  readonly end: LrFindEnd;
  /** Undefined when too few points remain after fastai's trim (an early divergence). */
  readonly suggestions: Suggestions | undefined;
}

/** Progress and stop hooks of a sweep. */
export interface LrFindCallbacks {
  /** After every step (the sweep waits for a returned promise). */
  onStep?(done: number, total: number, point: LrFindPoint): void | Promise<void>;
  /** Checked before every step: true ends the sweep there. */
  shouldStop?(): boolean;
}

/**
 * The lr of step `i` (0-based): fastai's `SchedExp` at `i / numIt`, so step `numIt` would be
 * exactly `endLr` and the last step run is just below it.
 *
 * @param i Step.
 * @param options Start, end and steps.
 * @returns The learning rate.
 */
export function lrAt(i: number, options: LrFindOptions = {}): number {
  const { startLr, endLr, numIt } = { ...LR_FIND_DEFAULTS, ...options };
  return startLr * (endLr / startLr) ** (i / numIt);
}

/**
 * Checks the sweep's options.
 *
 * @param options The options given.
 * @returns Every option, defaults filled in.
 * @throws RangeError naming the option, expected vs actual.
 */
export function lrFindOptions(options: LrFindOptions = {}): Required<LrFindOptions> {
  const o = { ...LR_FIND_DEFAULTS, ...options };
  if (!(o.startLr > 0 && Number.isFinite(o.startLr))) {
    throw new RangeError(`lr_find: startLr must be a positive number: got ${o.startLr}`);
  }
  if (!(o.endLr > o.startLr && Number.isFinite(o.endLr))) {
    throw new RangeError(
      `lr_find: endLr must be a number above startLr ${o.startLr}: got ${o.endLr}`,
    );
  }
  if (!Number.isInteger(o.numIt) || o.numIt < 6) {
    // fastai raises a smaller num_it to 6 silently; a caller asking for fewer has a bug.
    throw new RangeError(`lr_find: numIt must be an integer of at least 6: got ${o.numIt}`);
  }
  if (!(o.mom >= 0 && o.mom < 1)) {
    throw new RangeError(`lr_find: mom must be in [0, 1): got ${o.mom}`);
  }
  return o;
}

/**
 * Runs the sweep on a learner's training batches and suggests learning rates.
 *
 * The batches run in order; when they run out, they start again from the first with the
 * recurrent state zeroed, as fastai's next epoch would (its `ModelResetter`). Each pass draws
 * dropout masks from the stream of the epoch `fit` would run it as.
 *
 * @param learner A fresh learner (the sweep changes its weights: discard it afterwards).
 * @param options fastai's `lr_find` arguments (its defaults when absent).
 * @param callbacks Progress and stop hooks.
 * @returns The points and suggestions.
 * @throws RangeError for bad options or a learner without training batches.
 */
export async function lrFind(
  learner: Learner,
  options: LrFindOptions = {},
  callbacks: LrFindCallbacks = {},
): Promise<LrFindResult> {
  const o = lrFindOptions(options);
  const n = learner.train.length;
  if (n === 0) throw new RangeError(`lr_find: the learner has no training batches`);
  const smooth = new SmoothLoss();
  const points: LrFindPoint[] = [];
  let best = Infinity;
  let end: LrFindEnd = "done";
  for (let i = 0; i < o.numIt; i++) {
    if (callbacks.shouldStop?.()) {
      end = "stopped";
      break;
    }
    const b = i % n;
    if (b === 0) {
      const epoch = Math.floor(i / n);
      learner.runner.resetState();
      learner.runner.useMaskStream(new Random(learner.seed + 2 ** 40 * (epoch + 1)));
    }
    const lr = lrAt(i, o);
    const raw = await learner.runner.trainStep(learner.train.batch(b), lr, o.mom);
    smooth.add(raw);
    const point = { lr, loss: smooth.value, raw };
    points.push(point);
    await callbacks.onStep?.(i + 1, o.numIt, point);
    // Weights past a NaN stay NaN: fastai runs on and drops those points, we stop.
    if (!Number.isFinite(raw)) {
      end = "nan";
      break;
    }
    if (point.loss < best) best = point.loss;
    if (o.stopDiv && point.loss > 4 * best) {
      end = "diverged";
      break;
    }
  }
  const suggestions = suggestLrs(points.map((p) => p.lr), points.map((p) => p.loss), o.numIt);
  return { points, numIt: o.numIt, end, suggestions };
}
