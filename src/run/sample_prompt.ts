/**
 * A prompt that fits a model trained on one's own text: the start of its validation text, as
 * the run records it and its export's sidecar carries it, so that the page opens such a model
 * with its own kind of text rather than Human Numbers' words (all `xxunk` to it).
 *
 * @module
 */

import { BOS, joinTokens, type TokenizerSpec, UNK } from "../data/tokenizer.ts";

/** Tokens a sample prompt holds, by token mode: about a line of text either way. */
const PROMPT_TOKENS = { word: 12, char: 48 } as const;

/** How far into the validation text a line start is looked for. */
const LINE_SEARCH = 400;

/**
 * The sample prompt of a corpus: its validation text from the first line start near its start
 * (the split may cut a line), up to about a line of tokens, without unknown tokens.
 *
 * @param validIds The validation text's token ids.
 * @param vocab Tokens by id.
 * @param tokenizer How the text was split.
 * @returns The prompt, or undefined when the text has no known token to offer.
 */
export function samplePrompt(
  validIds: ArrayLike<number>,
  vocab: readonly string[],
  tokenizer: TokenizerSpec,
): string | undefined {
  const ids = Array.from(validIds);
  const bos = ids.slice(0, LINE_SEARCH).findIndex((id) => vocab[id] === BOS);
  const tokens: string[] = [];
  for (const id of ids.slice(bos + 1)) {
    const token = vocab[id];
    const lineEnd = token === BOS || token === "\n";
    if (lineEnd && tokens.length > 0) break; // one line: the page's box is small
    if (token === undefined || token === UNK || lineEnd) continue;
    tokens.push(token);
    if (tokens.length >= PROMPT_TOKENS[tokenizer.mode]) break;
  }
  const text = joinTokens(tokens, tokenizer.mode).trim();
  return text === "" ? undefined : text;
}

/** Tokens of the prompt made from the vocabulary, for exports that recorded none. */
const VOCAB_PROMPT_TOKENS = 8;

/**
 * The prompt a page opens a model with: its sidecar's sample prompt; for one's own text
 * exported before sidecars carried one, its most frequent tokens (the vocabulary's order after
 * the specials), which at least are no `xxunk`; undefined for Human Numbers (no specials), whose
 * page default is the book's.
 *
 * @param sidecar The model's sidecar: its prompt, vocabulary and tokenizer.
 * @returns The prompt, or undefined for the page's default.
 */
export function openingPrompt(
  sidecar: {
    readonly prompt?: string;
    readonly vocab: readonly string[];
    readonly tokenizer: TokenizerSpec;
  },
): string | undefined {
  if (sidecar.prompt !== undefined) return sidecar.prompt;
  const { specials, mode } = sidecar.tokenizer;
  if (specials.length === 0) return undefined;
  const common = sidecar.vocab.filter((t) => !specials.includes(t) && t.trim() !== "")
    .slice(0, VOCAB_PROMPT_TOKENS);
  // Characters joined as they are would run together: a space keeps them apart.
  const text = mode === "char" ? common.join(" ") : joinTokens(common, mode);
  return text === "" ? undefined : text;
}
