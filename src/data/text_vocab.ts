/**
 * The vocabulary of one's own text, as fastai's `Numericalize` makes it: the specials first,
 * then every token seen at least `minFreq` times in the training text, most frequent first
 * (ties by first appearance), cut at `maxVocab` in all.
 *
 * @module
 */

import { BOS, UNK } from "./tokenizer.ts";

/** The specials, in index order: `xxunk` is 0, `xxbos` is 1. */
export const SPECIALS: readonly string[] = [UNK, BOS];

/** Vocabulary limits (`--min-freq`, `--max-vocab`). */
export interface VocabLimits {
  /** Fewer occurrences than this make a token `xxunk`. */
  readonly minFreq: number;
  /** Largest vocabulary, specials included. */
  readonly maxVocab: number;
}

/** Raised for limits that cannot make a vocabulary. */
export class VocabLimitError extends RangeError {
  /** The error name. */
  override name = "VocabLimitError";
}

/**
 * Chooses the vocabulary.
 *
 * @param words Distinct tokens in order of first appearance.
 * @param counts `counts[i]`: occurrences of `words[i]` in the training text.
 * @param limits `minFreq`, `maxVocab`.
 * @returns The vocabulary, specials first.
 * @throws VocabLimitError when `maxVocab` cannot hold the specials.
 */
export function chooseVocab(
  words: readonly string[],
  counts: ArrayLike<number>,
  limits: VocabLimits,
): string[] {
  // A vocabulary of the specials alone has nothing to learn: room for one token at least.
  if (!Number.isInteger(limits.maxVocab) || limits.maxVocab <= SPECIALS.length) {
    throw new VocabLimitError(
      `--max-vocab must be at least ${SPECIALS.length + 1} (the specials ` +
        `${SPECIALS.join(", ")} and one token): got ${limits.maxVocab}`,
    );
  }
  const order: number[] = [];
  for (let i = 0; i < words.length; i++) {
    if (counts[i] >= limits.minFreq && !SPECIALS.includes(words[i])) order.push(i);
  }
  // Array.prototype.sort is stable, so equal counts keep their first-appearance order.
  order.sort((a, b) => counts[b] - counts[a]);
  const kept = order.slice(0, limits.maxVocab - SPECIALS.length).map((i) => words[i]);
  return [...SPECIALS, ...kept];
}
