/**
 * fastai-style results rows for the terminal (cells from `src/report/table.ts`).
 *
 * @module
 */

import type { TokenMode } from "../../../src/data/tokenizer.ts";
import type { EpochRecord } from "../../../src/train/learner.ts";
import { tableCells, tableColumns } from "../../../src/report/table.ts";

const WIDTH = 11;

/**
 * The header row.
 *
 * @param tokens The run's tokens (`"char"` adds bits per character).
 * @returns The row text.
 */
export function tableHeader(tokens: TokenMode = "word"): string {
  return line(tableColumns(tokens), tokens);
}

/**
 * One epoch's row.
 *
 * @param r The epoch's figures.
 * @param tokens The run's tokens.
 * @returns The row text.
 */
export function tableRow(r: EpochRecord, tokens: TokenMode = "word"): string {
  // A space always separates cells, however wide a loss of 1e5 or more makes one.
  return line(tableCells(r, tokens), tokens);
}

/** Cells padded to their column's width (a name longer than `WIDTH` widens its column). */
function line(cells: readonly string[], tokens: TokenMode): string {
  const names = tableColumns(tokens);
  return cells.map((c, i) => c.padEnd(Math.max(WIDTH, names[i].length))).join(" ").trimEnd();
}
