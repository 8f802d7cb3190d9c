/**
 * fastai-style results rows for the terminal.
 *
 * @module
 */

import type { EpochRecord } from "../../src/train/learner.ts";

const COLUMNS = ["epoch", "train_loss", "valid_loss", "accuracy", "time"] as const;
const WIDTH = 11;

/** The header row. */
export function tableHeader(): string {
  return COLUMNS.map((c) => c.padEnd(WIDTH)).join(" ").trimEnd();
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
  // A space always separates cells, however wide a loss of 1e5 or more makes one.
  return cells.map((c) => c.padEnd(WIDTH)).join(" ").trimEnd();
}
