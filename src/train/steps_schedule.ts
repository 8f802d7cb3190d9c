/**
 * nanoGPT's training loop as a run's recipe states it: a number of optimizer steps under a
 * linear warmup and a cosine decay (`warmup_cosine.ts`), reported every `evalEvery` steps.
 * The learner's epochs are those reports: epoch `e` runs steps `e * evalEvery` up to the next
 * report or the last step. Browser-compatible.
 *
 * @module
 */

/** The recipe's schedule when it counts steps, not epochs (`Recipe.schedule`). */
export interface StepsSchedule {
  /** nanoGPT's schedule: warmup, then cosine decay to `lrMin` at the last step. */
  readonly kind: "warmup-cosine";
  /** Optimizer steps in all (nanoGPT's `max_iters`, also its `lr_decay_iters`). */
  readonly steps: number;
  /** Steps of linear warmup (`warmup_iters`). */
  readonly warmup: number;
  /** The learning rate the decay ends at (`min_lr`). */
  readonly lrMin: number;
  /** Steps between validations, one row of the table each (`eval_interval`). */
  readonly evalEvery: number;
}

/** nanoGPT's shakespeare_char settings: 100 warmup steps, a validation every 250 steps. */
const WARMUP = 100;
const EVAL_EVERY = 250;

/**
 * nanoGPT's schedule for `steps` steps at peak `lrMax`: its 100 warmup steps and 250-step
 * validations, each cut down for a short run (at most a twentieth of the steps warming up,
 * at least 8 rows), and its floor `lrMax / 10`.
 *
 * @param steps Optimizer steps, an integer >= 2.
 * @param lrMax The peak learning rate.
 * @returns The schedule.
 * @throws RangeError for fewer than 2 steps (a warmup and a decay need both).
 */
export function stepsSchedule(steps: number, lrMax: number): StepsSchedule {
  if (!Number.isInteger(steps) || steps < 2) {
    throw new RangeError(`a warmup-cosine schedule needs an integer >= 2 steps: got ${steps}`);
  }
  return {
    kind: "warmup-cosine",
    steps,
    warmup: Math.min(WARMUP, Math.floor(steps / 20)),
    // Rounded as one writes it: 3e-3 / 10 is 0.00030000000000000003 in binary.
    lrMin: Number((lrMax / 10).toPrecision(12)),
    evalEvery: Math.min(EVAL_EVERY, Math.ceil(steps / 8)),
  };
}

/**
 * The epochs (rows of the table) a schedule runs.
 *
 * @param s The schedule.
 * @returns `ceil(steps / evalEvery)`.
 */
export function scheduleEpochs(s: StepsSchedule): number {
  return Math.ceil(s.steps / s.evalEvery);
}

/**
 * The steps one epoch of a schedule runs.
 *
 * @param s The schedule.
 * @param epoch 0-based epoch, below `scheduleEpochs(s)`.
 * @returns `evalEvery`, or fewer for the last epoch.
 */
export function epochSteps(s: StepsSchedule, epoch: number): number {
  return Math.max(0, Math.min(s.evalEvery, s.steps - epoch * s.evalEvery));
}

/**
 * The learning rate a steps schedule decays to at peak `lrMax`: the recorded floor scaled with
 * the peak, so a run resumed at a lower `--lr` (after a divergence) keeps nanoGPT's ratio and
 * its cosine decay.
 *
 * @param recipe The run's recipe: its schedule and the peak the floor was recorded for.
 * @param lrMax The peak the run goes on with.
 * @returns `schedule.lrMin * lrMax / recipe.lrMax` (the recorded floor at the recorded peak).
 */
export function scheduleFloor(
  recipe: { readonly lrMax: number; readonly schedule?: StepsSchedule },
  lrMax: number,
): number {
  const s = recipe.schedule;
  if (!s) return 0;
  return lrMax === recipe.lrMax
    ? s.lrMin
    : Number((s.lrMin * lrMax / recipe.lrMax).toPrecision(12));
}
