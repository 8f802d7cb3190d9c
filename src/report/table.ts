/**
 * fastai's results table, cell by cell: the terminal (`deno task train`), the report and the
 * page's Train panel print the same figures the same way.
 *
 * @module
 */

import type { TokenMode } from "../data/tokenizer.ts";
import type { EpochRecord } from "../train/learner.ts";
import { derivedMetrics } from "./metrics.ts";

/** What a row shows of an epoch's record. */
export type TableRecord = Pick<
  EpochRecord,
  "epoch" | "train_loss" | "valid_loss" | "accuracy" | "time"
>;

/** The columns of a word-level run, as fastai names them (`Perplexity()` as `perplexity`). */
export const TABLE_COLUMNS: readonly string[] = [
  "epoch",
  "train_loss",
  "valid_loss",
  "accuracy",
  "perplexity",
  "time",
];

/**
 * The columns of a run's table: a character-level run adds bits per character.
 *
 * @param tokens The run's tokens.
 * @returns The column names.
 */
export function tableColumns(tokens: TokenMode = "word"): readonly string[] {
  return tokens === "char"
    ? [...TABLE_COLUMNS.slice(0, -1), "bits_per_char", "time"]
    : TABLE_COLUMNS;
}

/**
 * One epoch's cells.
 *
 * @param r The epoch's figures.
 * @param tokens The run's tokens (`"char"` adds bits per character).
 * @returns The cells, in `tableColumns(tokens)` order.
 */
export function tableCells(r: TableRecord, tokens: TokenMode = "word"): string[] {
  const derived = derivedMetrics(r.valid_loss, tokens);
  return [
    String(r.epoch),
    r.train_loss.toFixed(6),
    r.valid_loss.toFixed(6),
    r.accuracy.toFixed(6),
    derived.perplexity.toFixed(6),
    ...(derived.bits_per_char === undefined ? [] : [derived.bits_per_char.toFixed(6)]),
    `${r.time.toFixed(2)}s`,
  ];
}
