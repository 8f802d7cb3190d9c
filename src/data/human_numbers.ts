/**
 * The Human Numbers corpus, generated rather than downloaded (fastbook chapter 12).
 * @module
 */

import { numberToWords } from "./number_words.ts";

/** The two files of the data set, one number per line. */
export interface HumanNumbersLines {
  /** `train.txt`: the numbers 1..7999. */
  train: string[];
  /** `valid.txt`: the numbers 8001..9999 (8000 is in neither file, as in the original). */
  valid: string[];
}

/** First and last numbers of each file, as in the fastai download. */
const TRAIN_RANGE = [1, 7999] as const;
const VALID_RANGE = [8001, 9999] as const;

/** Words for every integer in `[from, to]`, in order. */
function spellRange([from, to]: readonly [number, number]): string[] {
  const lines: string[] = [];
  for (let n = from; n <= to; n++) lines.push(numberToWords(n));
  return lines;
}

/**
 * Generate the lines of `train.txt` and `valid.txt`.
 *
 * @returns `train` (7999 lines for 1..7999) and `valid` (1999 lines for 8001..9999).
 */
export function humanNumbersLines(): HumanNumbersLines {
  return { train: spellRange(TRAIN_RANGE), valid: spellRange(VALID_RANGE) };
}

/**
 * Join all lines, train then valid, with `" . "` as the book does.
 *
 * @param lines The lines from {@link humanNumbersLines}.
 * @returns One string holding the whole corpus.
 */
export function humanNumbersText(lines: HumanNumbersLines): string {
  return [...lines.train, ...lines.valid].join(" . ");
}

/**
 * Split text into tokens on single spaces (Python's `text.split(' ')`).
 *
 * A double space therefore yields an empty token, exactly like the book; the generated
 * corpus never contains one.
 *
 * @param text The text to split.
 * @returns The tokens in order.
 */
export function tokenize(text: string): string[] {
  return text.split(" ");
}
