/**
 * fastai's `SaveModelCallback` and `EarlyStoppingCallback` as plain functions of a run's
 * history: which epoch is the best so far by a monitored metric, and how many epochs have
 * passed without improving on it. Everything is derived from the recorded rows, so a resumed
 * run picks up exactly where it stopped. Browser-compatible.
 *
 * @example
 * ```ts
 * import { bestEpoch, epochsSinceBest } from "./tracking.ts";
 * const rows = [1.2, 1.0, 1.1, 1.3].map((valid_loss, epoch) => ({ epoch, valid_loss, accuracy: 0 }));
 * bestEpoch(rows, "valid_loss"); // { epoch: 1, value: 1 }
 * epochsSinceBest(rows, "valid_loss"); // 2
 * ```
 * @module
 */

/** The metrics a run can monitor. */
export const MONITORS = ["valid_loss", "accuracy", "perplexity"] as const;

/** A monitored metric. */
export type Monitor = typeof MONITORS[number];

/** What a run tracks, as its metadata records it. */
export interface Tracking {
  /** The metric that decides the best epoch. */
  readonly monitor: Monitor;
  /** Keep the best epoch's checkpoint (`best.safetensors`) beside the last one. */
  readonly saveBest: boolean;
  /** Stop after this many epochs without improvement; null never stops early. */
  readonly patience: number | null;
}

/** The figures of an epoch that a monitor reads. */
export interface MonitoredRow {
  /** Epoch index (0-based). */
  readonly epoch: number;
  /** Mean validation loss. */
  readonly valid_loss: number;
  /** Validation accuracy. */
  readonly accuracy: number;
}

/**
 * A row's value of a metric: perplexity is `exp(valid_loss)`, as fastai's `Perplexity()`.
 *
 * @param row The epoch's figures.
 * @param monitor The metric.
 * @returns Its value.
 */
export function monitorValue(row: MonitoredRow, monitor: Monitor): number {
  if (monitor === "accuracy") return row.accuracy;
  return monitor === "perplexity" ? Math.exp(row.valid_loss) : row.valid_loss;
}

/**
 * Whether a value improves on the best so far: higher accuracy, lower loss or perplexity;
 * strictly, as fastai's trackers compare (a tie is no improvement).
 *
 * @param monitor The metric.
 * @param value The new value.
 * @param best The best so far, or undefined for none.
 * @returns Whether it improves.
 */
export function improves(monitor: Monitor, value: number, best: number | undefined): boolean {
  if (best === undefined) return true;
  return monitor === "accuracy" ? value > best : value < best;
}

/**
 * The best epoch of a history: the first to reach the best value.
 *
 * @param rows The history, in epoch order.
 * @param monitor The metric.
 * @returns Its epoch and value, or undefined for an empty history.
 */
export function bestEpoch(
  rows: readonly MonitoredRow[],
  monitor: Monitor,
): { epoch: number; value: number } | undefined {
  let best: { epoch: number; value: number } | undefined;
  for (const row of rows) {
    const value = monitorValue(row, monitor);
    if (improves(monitor, value, best?.value)) best = { epoch: row.epoch, value };
  }
  return best;
}

/**
 * Epochs since the best one (0 when the last epoch is the best), as fastai's
 * `EarlyStoppingCallback` counts its `wait`.
 *
 * @param rows The history, in epoch order.
 * @param monitor The metric.
 * @returns The count.
 */
export function epochsSinceBest(rows: readonly MonitoredRow[], monitor: Monitor): number {
  const best = bestEpoch(rows, monitor);
  if (!best) return 0;
  return rows.length - 1 - rows.findIndex((r) => r.epoch === best.epoch);
}
