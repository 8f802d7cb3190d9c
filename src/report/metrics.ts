/**
 * Figures derived from an epoch's valid loss: fastai's `Perplexity()` (`exp(valid_loss)`) for
 * every run, and bits per character (`valid_loss / ln 2`) for character-level ones. They are
 * computed where they are shown or written, never stored: a run saved before they existed
 * shows them too, and they cannot disagree with the loss they come from.
 *
 * @module
 */

import type { TokenMode } from "../data/tokenizer.ts";

/** The figures derived from an epoch's valid loss. */
export interface DerivedMetrics {
  /** `exp(valid_loss)`: the effective number of tokens the model hesitates between. */
  readonly perplexity: number;
  /** `valid_loss / ln 2`, for character tokens only. */
  readonly bits_per_char?: number;
}

/**
 * fastai's `Perplexity()`: the exponential of the mean cross-entropy.
 *
 * @param validLoss Mean validation loss, in nats per token.
 * @returns The perplexity.
 */
export function perplexity(validLoss: number): number {
  return Math.exp(validLoss);
}

/**
 * Bits per character: the mean cross-entropy in bits (the loss is in nats).
 *
 * @param validLoss Mean validation loss per character, in nats.
 * @returns The bits per character.
 */
export function bitsPerChar(validLoss: number): number {
  return validLoss / Math.LN2;
}

/**
 * An epoch's derived figures, as `metrics.jsonl`, `--json` and the tables name them.
 *
 * @param validLoss Mean validation loss.
 * @param tokens The run's tokens (`bits_per_char` only for `"char"`).
 * @returns `perplexity`, and `bits_per_char` for a character-level run.
 */
export function derivedMetrics(validLoss: number, tokens: TokenMode): DerivedMetrics {
  return tokens === "char"
    ? { perplexity: perplexity(validLoss), bits_per_char: bitsPerChar(validLoss) }
    : { perplexity: perplexity(validLoss) };
}
