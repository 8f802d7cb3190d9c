/**
 * fastai's results table, cell by cell: the terminal (`deno task train`) and the page's
 * Train panel print the same figures the same way.
 *
 * @module
 */

import type { EpochRecord } from "../train/learner.ts";

/** The columns, as fastai names them. */
export const TABLE_COLUMNS: readonly string[] = [
  "epoch",
  "train_loss",
  "valid_loss",
  "accuracy",
  "time",
];

/**
 * One epoch's cells.
 *
 * @param r The epoch's figures.
 * @returns The cells, in `TABLE_COLUMNS` order.
 */
export function tableCells(r: EpochRecord): string[] {
  return [
    String(r.epoch),
    r.train_loss.toFixed(6),
    r.valid_loss.toFixed(6),
    r.accuracy.toFixed(6),
    `${r.time.toFixed(2)}s`,
  ];
}
