/**
 * A prompt as a model's token ids, tokenized exactly as its training text was. A token the
 * vocabulary lacks becomes `xxunk` when the model has it (shown, not hidden), and is marked
 * unknown otherwise (Human Numbers' book vocabulary has no `xxunk`). Browser-compatible.
 *
 * @example
 * ```ts
 * import { encodePrompt } from "./prompt.ts";
 * const vocab = ["xxunk", "xxbos", "the", "cat", "."];
 * const spec = { mode: "word", lower: true, specials: ["xxunk", "xxbos"] } as const;
 * encodePrompt("The dog.", spec, vocab).map((t) => t.id); // [2, 0, 4]
 * ```
 * @module
 */

import { splitText, type TokenizerSpec, UNK } from "./tokenizer.ts";

/** One token of a prompt. */
export interface PromptToken {
  /** The token as split from the prompt. */
  readonly text: string;
  /** Its vocabulary id: `xxunk`'s for an unknown token when the model has `xxunk`, else -1. */
  readonly id: number;
  /** The vocabulary's spelling of `id` (`xxunk` for a substituted token). */
  readonly token: string;
  /** Whether the vocabulary lacks `text`. */
  readonly unknown: boolean;
}

/**
 * Tokenizes a prompt for a model.
 *
 * @param text The prompt.
 * @param spec The model's tokenizer.
 * @param vocab The model's vocabulary.
 * @param index Token → id (built from `vocab` when absent; pass one to reuse it).
 * @returns The tokens in order.
 */
export function encodePrompt(
  text: string,
  spec: TokenizerSpec,
  vocab: readonly string[],
  index: ReadonlyMap<string, number> = new Map(vocab.map((w, i) => [w, i])),
): PromptToken[] {
  const unk = spec.specials.includes(UNK) ? index.get(UNK) ?? -1 : -1;
  return splitText(text, spec).map((t) => {
    const id = index.get(t);
    return id === undefined
      ? { text: t, id: unk, token: unk >= 0 ? UNK : t, unknown: true }
      : { text: t, id, token: vocab[id], unknown: false };
  });
}
