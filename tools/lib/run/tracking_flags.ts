/**
 * `--save-best`, `--monitor` and `--patience` of `deno task train`, checked, and what the run
 * prints when an epoch is the best so far or the patience runs out (fastai's
 * `SaveModelCallback` and `EarlyStoppingCallback`).
 *
 * @module
 */

import {
  bestEpoch,
  epochsSinceBest,
  type Monitor,
  MONITORS,
  monitorValue,
  type Tracking,
} from "../../../src/train/tracking.ts";
import type { EpochRecord } from "../../../src/train/learner.ts";
import { intFlag, UsageError } from "../cli/cli.ts";
import type { Flags } from "./train_flags.ts";

/**
 * The tracking flags, checked.
 *
 * @param flags The parsed flags.
 * @param recorded A resumed run's tracking, kept unless the flags change it.
 * @returns The tracking, or undefined when nothing is tracked.
 * @throws UsageError for a bad value, or `--monitor` with nothing to monitor for.
 */
export function trackingFlags(flags: Flags, recorded?: Tracking): Tracking | undefined {
  const monitor = flags.monitor ?? recorded?.monitor ?? "valid_loss";
  if (!(MONITORS as readonly string[]).includes(monitor)) {
    throw new UsageError(`--monitor must be one of ${MONITORS.join(", ")}: got "${monitor}"`);
  }
  const saveBest = (flags["save-best"] ?? false) || (recorded?.saveBest ?? false);
  const patience = flags.patience === undefined
    ? recorded?.patience ?? null
    : intFlag("patience", flags.patience, 1, 1000, 1);
  if (!saveBest && patience === null) {
    if (flags.monitor !== undefined) {
      throw new UsageError(`--monitor needs --save-best or --patience N (it says what "best" is)`);
    }
    return undefined;
  }
  return { monitor: monitor as Monitor, saveBest, patience };
}

const figure = (monitor: Monitor, value: number) =>
  monitor === "accuracy" ? value.toFixed(4) : value.toPrecision(6);

/**
 * After an epoch: whether it is the best so far, and a line saying so (as fastai's
 * `SaveModelCallback` prints "Better model found at epoch ...").
 *
 * @param tracking The run's tracking.
 * @param history The table so far, this epoch last.
 * @returns Whether this epoch is the best, and the line.
 */
export function bestSoFar(
  tracking: Tracking,
  history: readonly EpochRecord[],
): { best: boolean; line?: string } {
  const last = history.at(-1)!;
  const best = bestEpoch(history, tracking.monitor)!;
  if (best.epoch !== last.epoch) return { best: false };
  const before = bestEpoch(history.slice(0, -1), tracking.monitor);
  const was = before
    ? ` (was ${figure(tracking.monitor, before.value)} at epoch ${before.epoch})`
    : "";
  return {
    best: true,
    line: `better model found at epoch ${last.epoch} with ${tracking.monitor} ${
      figure(tracking.monitor, monitorValue(last, tracking.monitor))
    }${was}`,
  };
}

/**
 * Whether the patience ran out after the last epoch, and the line saying so.
 *
 * @param tracking The run's tracking.
 * @param history The table so far.
 * @param epochs The schedule's epochs.
 * @param cycleStart The epoch the current one-cycle schedule began at.
 * @returns The line when the run should stop, else undefined.
 */
export function patienceOut(
  tracking: Tracking,
  history: readonly EpochRecord[],
  epochs: number,
  cycleStart = 0,
): string | undefined {
  if (tracking.patience === null || history.length === 0) return undefined;
  // Counted within the current schedule, whose first epoch is the reference, as fastai's
  // EarlyStoppingCallback starts afresh with each fit: an extended run is not stopped at once
  // for the epochs it waited before.
  const waited = Math.min(
    epochsSinceBest(history, tracking.monitor),
    history.at(-1)!.epoch - cycleStart,
  );
  if (waited < tracking.patience) return undefined;
  const best = bestEpoch(history, tracking.monitor)!;
  const last = history.at(-1)!.epoch;
  const left = epochs - 1 - last;
  if (left <= 0) return undefined; // the schedule ends here anyway
  return `no improvement in ${tracking.monitor} since epoch ${best.epoch} (${
    figure(tracking.monitor, best.value)
  }) for ${waited} epoch${waited === 1 ? "" : "s"} (--patience ${tracking.patience}): ` +
    `stopping early after epoch ${last}, ${left} of the schedule's ${epochs} epochs unrun`;
}
