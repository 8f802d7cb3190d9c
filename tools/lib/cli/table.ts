/**
 * fastai-style results rows for the terminal (cells from `src/report/table.ts`).
 *
 * @module
 */

import type { EpochRecord } from "../../../src/train/learner.ts";
import { TABLE_COLUMNS, tableCells } from "../../../src/report/table.ts";

const WIDTH = 11;

/** The header row. */
export function tableHeader(): string {
  return TABLE_COLUMNS.map((c) => c.padEnd(WIDTH)).join(" ").trimEnd();
}

/**
 * One epoch's row.
 *
 * @param r The epoch's figures.
 * @returns The row text.
 */
export function tableRow(r: EpochRecord): string {
  // A space always separates cells, however wide a loss of 1e5 or more makes one.
  return tableCells(r).map((c) => c.padEnd(WIDTH)).join(" ").trimEnd();
}
