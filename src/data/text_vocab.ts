/**
 * The vocabulary of one's own text, as fastai's `Numericalize` makes it: the specials first,
 * then every token seen at least `minFreq` times in the training text, most frequent first
 * (ties by first appearance), cut at `maxVocab` in all.
 *
 * @module
 */

import { RULE_MARKERS, type TextRules } from "./text_rules.ts";
import { BOS, UNK } from "./tokenizer.ts";

/** The specials, in index order: `xxunk` is 0, `xxbos` is 1. */
export const SPECIALS: readonly string[] = [UNK, BOS];

/**
 * The specials of one's own text: `SPECIALS`, then with rules their markers (`xxrep`,
 * `xxwrep`, `xxup`, `xxmaj`), so a model always has them whether or not the training text
 * used each one (a prompt in capitals must find `xxup`).
 *
 * @param rules The text rules, if any.
 * @returns The specials, in index order.
 */
export function specialsFor(rules?: TextRules): readonly string[] {
  return rules ? [...SPECIALS, ...RULE_MARKERS] : SPECIALS;
}

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
 * @param specials The specials that come first (`specialsFor`).
 * @returns The vocabulary, specials first.
 * @throws VocabLimitError when `maxVocab` cannot hold the specials.
 */
export function chooseVocab(
  words: readonly string[],
  counts: ArrayLike<number>,
  limits: VocabLimits,
  specials: readonly string[] = SPECIALS,
): string[] {
  // A vocabulary of the specials alone has nothing to learn: room for one token at least.
  if (!Number.isInteger(limits.maxVocab) || limits.maxVocab <= specials.length) {
    throw new VocabLimitError(
      `--max-vocab must be at least ${specials.length + 1} (the specials ` +
        `${specials.join(", ")} and one token): got ${limits.maxVocab}`,
    );
  }
  const order: number[] = [];
  for (let i = 0; i < words.length; i++) {
    if (counts[i] >= limits.minFreq && !specials.includes(words[i])) order.push(i);
  }
  // Array.prototype.sort is stable, so equal counts keep their first-appearance order.
  order.sort((a, b) => counts[b] - counts[a]);
  const kept = order.slice(0, limits.maxVocab - specials.length).map((i) => words[i]);
  return [...specials, ...kept];
}
