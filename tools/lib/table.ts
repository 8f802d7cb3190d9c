/**
 * fastai-style results rows for the terminal.
 *
 * @module
 */

import type { EpochRecord } from "../../src/train/learner.ts";

const COLUMNS = ["epoch", "train_loss", "valid_loss", "accuracy", "time"] as const;

/** The header row. */
export function tableHeader(): string {
  return COLUMNS.map((c) => c.padEnd(12)).join("").trimEnd();
}

/**
 * One epoch's row.
 *
 * @param r The epoch's figures.
 * @returns The row text.
 */
export function tableRow(r: EpochRecord): string {
  const cells = [
    String(r.epoch),
    r.train_loss.toFixed(6),
    r.valid_loss.toFixed(6),
    r.accuracy.toFixed(6),
    `${r.time.toFixed(2)}s`,
  ];
  return cells.map((c) => c.padEnd(12)).join("").trimEnd();
}
