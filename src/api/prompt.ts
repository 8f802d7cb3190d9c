/**
 * A prompt as a model reads it, with what (if anything) keeps it from being predicted from:
 * the one reading of a prompt that the model API, `deno task generate` and the page share.
 * Tokenized exactly as the training text was (`encodePrompt`), with `xxbos` first when the
 * model was trained on files that start with it, as fastai's tokenizer does.
 * Browser-compatible.
 *
 * @example
 * ```ts
 * import { readPrompt } from "./prompt.ts";
 * const vocab = ["xxunk", "xxbos", "the", "cat", "."];
 * const model = {
 *   name: "toy",
 *   kind: "recurrent",
 *   context: 1,
 *   vocab,
 *   tokenizer: { mode: "word", lower: true, specials: ["xxunk", "xxbos"] },
 * } as const;
 * const read = readPrompt(model, "The dog.");
 * read.ids; // [1, 2, 0, 4]: xxbos, the, xxunk, .
 * read.unknown; // ["dog"]
 * ```
 * @module
 */

import { encodePrompt, type PromptToken } from "../data/prompt.ts";
import { BOS, type TokenizerSpec, UNK } from "../data/tokenizer.ts";

/** The sidecar facts a prompt is read with. */
export interface PromptModel {
  /** The model's name, for messages (its file's, `chars` for `chars.onnx`). */
  readonly name: string;
  /** `fixed` models read the last `context` tokens. */
  readonly kind: "recurrent" | "fixed" | "cached";
  /** Tokens per call of a fixed-context model. */
  readonly context: number;
  /** Token strings by id. */
  readonly vocab: readonly string[];
  /** How text becomes tokens. */
  readonly tokenizer: TokenizerSpec;
}

/** A prompt, read. */
export interface ReadPrompt {
  /** The prompt's tokens as typed, each with its id (-1 when the model cannot read it). */
  readonly tokens: readonly PromptToken[];
  /** The ids the model reads: `xxbos` first where the model has it, then the tokens. */
  readonly ids: readonly number[];
  /** Tokens the vocabulary lacks, in order, once each (read as `xxunk` where there is one). */
  readonly unknown: readonly string[];
  /** Why the model cannot predict from this prompt, in a sentence; absent when it can. */
  readonly problem?: string;
}

/** Raised when a prompt cannot start the model: the message says why, for a person. */
export class PromptError extends Error {
  /** The error name. */
  override name = "PromptError";
}

/**
 * Reads a prompt for a model.
 *
 * @param model The model's sidecar (or its prompt facts).
 * @param text The prompt.
 * @param index Token → id (built from the vocabulary when absent; pass one to reuse it).
 * @returns Its tokens and ids, the unknown tokens, and the problem if there is one.
 */
export function readPrompt(
  model: PromptModel,
  text: string,
  index: ReadonlyMap<string, number> = new Map(model.vocab.map((w, i) => [w, i])),
): ReadPrompt {
  const { tokenizer, vocab } = model;
  const tokens = encodePrompt(text, tokenizer, vocab, index);
  const bos = tokenizer.specials.includes(BOS) ? [index.get(BOS)!] : [];
  const ids = [...bos, ...tokens.map((t) => t.id)];
  const unknown = [...new Set(tokens.filter((t) => t.unknown).map((t) => t.text))];
  const problem = promptProblem(model, tokens, ids.length, bos.length);
  return { tokens, ids, unknown, ...(problem ? { problem } : {}) };
}

function promptProblem(
  model: PromptModel,
  tokens: readonly PromptToken[],
  ids: number,
  bos: number,
): string | undefined {
  const { tokenizer, vocab, name } = model;
  const quoted = (list: readonly string[]) => list.map((t) => JSON.stringify(t)).join(", ");
  if (tokens.length === 0) {
    return tokenizer.specials.includes(UNK)
      ? `Type a prompt: ${name} reads ${tokenizer.mode === "char" ? "characters" : "words"}`
      : "Type a prompt in the book's tokens, for example: one . two . three .";
  }
  const refused = [...new Set(tokens.filter((t) => t.id < 0).map((t) => t.text))];
  if (refused.length) {
    const known = vocab.join(" ");
    return `${refused.length === 1 ? "Unknown word" : "Unknown words"} ${quoted(refused)}: ` +
      `${name} knows only these ${vocab.length} tokens: ` +
      (known.length > 400 ? `${known.slice(0, 400)}…` : known);
  }
  if (tokens.every((t) => t.unknown)) {
    return `${name} knows none of the prompt's tokens (each would be read as ${UNK}): type ` +
      `some of its ${vocab.length.toLocaleString("en")} tokens, which start ` +
      quoted(vocab.slice(0, 12));
  }
  if (model.kind === "fixed" && ids < model.context) {
    return `${name} reads the last ${model.context} tokens: type at least ` +
      `${model.context - bos} (you have ${tokens.length})`;
  }
  return undefined;
}
