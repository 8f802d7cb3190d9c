/**
 * What `deno task train` prints while it runs and when it stops early: the progress bar of a
 * long epoch, and the way forward after Ctrl-C or a diverging loss.
 *
 * @module
 */

import { FitInterrupted, type NonFiniteLossError } from "../../../src/train/learner.ts";
import type { ProgressBar } from "../cli/progress.ts";
import { CHECKPOINT_FILE } from "./run_dir.ts";

/**
 * A progress bar for epochs one waits for (2 s or more): steps/s, train_loss, ETA.
 *
 * @param bar The bar (drawn only on a terminal).
 * @param epochs The run's epochs, for the label.
 * @returns The learner's `onBatch` callback.
 */
export function epochProgress(
  bar: ProgressBar,
  epochs: number,
): (epoch: number, done: number, total: number, loss: number) => void {
  let epochStart = performance.now();
  return (epoch, done, total, loss) => {
    if (done === 1) epochStart = performance.now();
    const seconds = (performance.now() - epochStart) / 1000;
    // Short epochs print their row at once; a bar is for epochs one waits for.
    if (seconds < 2) return;
    const eta = (seconds / done) * (total - done);
    bar.update(
      `epoch ${epoch + 1}/${epochs}`,
      done,
      total,
      `train_loss ${loss.toFixed(4)}, ${(done / seconds).toFixed(1)} steps/s, ETA ${
        eta.toFixed(0)
      } s`,
    );
  };
}

/**
 * After a stop or a divergence: where the last checkpoint is and how to go on.
 *
 * @param error What ended the run.
 * @param epoch Epochs finished (the learner's `epoch`).
 * @param lrMax The run's peak learning rate.
 * @param out The run directory (`--out`).
 * @param plan Where a `--force` run was written until its first checkpoint, if anywhere.
 * @returns The advice, to follow the error's message.
 */
export function whatNext(
  error: FitInterrupted | NonFiniteLossError,
  epoch: number,
  lrMax: number,
  out: string,
  plan: { readonly dir: string } | undefined,
): string {
  const lower = Number((lrMax / 10).toPrecision(2));
  const checkpoint = `the checkpoint after epoch ${epoch - 1} is ${out}/${CHECKPOINT_FILE}`;
  // Resuming a diverged run as it was would diverge again (runs repeat bit for bit):
  // the way forward is the rest of the schedule at a lower peak learning rate.
  // Under --force, a run stopped before its first checkpoint never touched --out.
  const untouched = plan && plan.dir !== out ? `; the run already in ${out} is untouched` : "";
  const next = error instanceof FitInterrupted
    ? epoch > 0
      ? `${checkpoint}; continue with --resume`
      : `no epoch finished, so there is no checkpoint yet`
    : epoch > 0
    ? `${checkpoint}; continue from it at a lower peak learning rate with --resume --lr ${lower}` +
      ` (this run's was ${lrMax})`
    : `no epoch finished, so there is no checkpoint yet; start again with a lower --lr, e.g. --lr ${lower}${
      plan && plan.dir !== out ? " --force" : ""
    }`;
  return next + untouched;
}
