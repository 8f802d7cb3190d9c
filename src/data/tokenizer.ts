/**
 * Tokenizers for one's own text: words (Unicode-aware, punctuation split off) or characters
 * (one token per code point). The same functions split the training corpus, a prompt typed
 * in the page and a `--prompt` of `deno task generate`, so all three agree token for token.
 * Browser-compatible.
 *
 * @example
 * ```ts
 * import { splitText } from "./tokenizer.ts";
 * splitText("Héllo, world!", { mode: "word", lower: true }); // ["héllo", ",", "world", "!"]
 * splitText("a😀\n", { mode: "char", lower: false }); // ["a", "😀", "\n"]
 * ```
 * @module
 */

/** How text becomes tokens. */
export type TokenMode = "word" | "char";

/** The token modes, for flag checks and messages. */
export const TOKEN_MODES: readonly TokenMode[] = ["word", "char"];

/** The settings that decide the split (part of a run's metadata and of every export). */
export interface SplitSpec {
  readonly mode: TokenMode;
  /** Lower-case the text first (`--lower`). */
  readonly lower: boolean;
}

/** The unknown-token special: rare words and words never seen in training. */
export const UNK = "xxunk";
/** The beginning-of-stream special: the first token of every file. */
export const BOS = "xxbos";

// A word is a run of letters, digits and combining marks (so "naïve" written with a combining
// diaeresis stays whole); anything else that is not whitespace is a token of its own.
const WORD_TOKEN = /[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/**
 * Splits text into tokens.
 *
 * @param text Any string.
 * @param spec Word or char mode, lowercasing.
 * @returns The tokens in order (no specials: the caller adds `xxbos`).
 */
export function splitText(text: string, spec: SplitSpec): string[] {
  const s = spec.lower ? text.toLowerCase() : text;
  // Array.from iterates code points, so a surrogate pair is one token.
  return spec.mode === "char" ? Array.from(s) : s.match(WORD_TOKEN) ?? [];
}

/**
 * Splits a stream of text that arrives in chunks, so that a word cut by a chunk boundary is
 * still one token: the last word of a chunk is held back until the next chunk (or `end`)
 * shows whether it continues.
 */
export class StreamSplitter {
  #pending = "";

  /** @param spec Word or char mode, lowercasing. */
  constructor(readonly spec: SplitSpec) {}

  /**
   * Splits the next chunk.
   *
   * @param chunk Text continuing the previous chunk.
   * @returns The tokens that are complete so far.
   */
  push(chunk: string): string[] {
    const text = this.#pending + chunk;
    if (this.spec.mode === "char") {
      // A chunk cut inside a surrogate pair keeps its high half for the next chunk.
      const last = text.charCodeAt(text.length - 1);
      const cut = last >= 0xd800 && last <= 0xdbff ? text.length - 1 : text.length;
      this.#pending = text.slice(cut);
      return splitText(text.slice(0, cut), this.spec);
    }
    // Hold back a trailing word: the next chunk may continue it.
    let cut = text.length;
    while (cut > 0) {
      const code = text.codePointAt(cut - 1)!;
      // Step back over a low surrogate to the start of its pair.
      const back = cut >= 2 && code >= 0xdc00 && code <= 0xdfff ? 2 : 1;
      if (!WORD_CHAR.test(text.slice(cut - back, cut))) break;
      cut -= back;
    }
    this.#pending = text.slice(cut);
    return splitText(text.slice(0, cut), this.spec);
  }

  /**
   * Ends the stream (one file).
   *
   * @returns The tokens still held back.
   */
  end(): string[] {
    const rest = this.#pending;
    this.#pending = "";
    return splitText(rest, this.spec);
  }
}

// Punctuation that attaches to the word before it, and to the word after it.
const CLOSING = /^[.,;:!?%)\]}”’»…]$/u;
const OPENING = /^[(\[{“‘«¿¡]$/u;

/**
 * Joins tokens back into text: characters as they are; words with spaces, punctuation
 * attached to its word (`hello , world .` → `hello, world.`). `xxbos` starts a new line.
 *
 * @param tokens Tokens of one mode.
 * @param mode `word` or `char`.
 * @param leadingSpace Whether the text continues earlier words (word mode), so a word needs a
 *   space before it.
 * @returns The text.
 */
export function joinTokens(
  tokens: readonly string[],
  mode: TokenMode,
  leadingSpace = false,
): string {
  let out = "";
  let glue = !leadingSpace; // true: the next token attaches without a space
  for (const t of tokens) {
    if (t === BOS) {
      out += "\n";
      glue = true;
      continue;
    }
    if (mode === "char") {
      out += t;
      continue;
    }
    out += glue || CLOSING.test(t) ? t : ` ${t}`;
    glue = OPENING.test(t);
  }
  return out;
}

/** Everything that turns text into a model's token ids: the split and the specials. */
export interface TokenizerSpec extends SplitSpec {
  /**
   * Special tokens in the vocabulary: `["xxunk", "xxbos"]` for one's own text; none for Human
   * Numbers, whose book vocabulary has no unknown token (an unknown word is refused).
   */
  readonly specials: readonly string[];
}

/** Human Numbers' tokenizer: lower-case words and ".", the book's 30-word vocabulary. */
export const HUMAN_NUMBERS_TOKENIZER: TokenizerSpec = { mode: "word", lower: true, specials: [] };
