/**
 * One's own text as token ids, built in one streaming pass: text arrives in chunks, file by
 * file; each token gets a provisional id (its rank of first appearance) in a typed array; at
 * the end the vocabulary is chosen from the training part's counts and the array is renumbered
 * in place. Memory is the id array (4 bytes a token) plus the distinct tokens, never an array
 * of token strings. Browser-compatible: reading files is the caller's job.
 *
 * @example
 * ```ts
 * import { TextCorpusBuilder } from "./text_corpus.ts";
 * const b = new TextCorpusBuilder({ mode: "word", lower: false }, 64);
 * b.beginFile();
 * b.push("the cat. the dog.");
 * b.endFile();
 * const corpus = b.finish({ minFreq: 2, maxVocab: 100 }, { validPct: 0.25 });
 * console.log(corpus.vocab); // ["xxunk", "xxbos", "the"]
 * console.log(Array.from(corpus.train)); // [1, 2, 0, 0, 2]: "cat" and "." are rare
 * ```
 * @module
 */

import { BOS, type SplitSpec, StreamSplitter, UNK } from "./tokenizer.ts";
import { chooseVocab, SPECIALS, specialsFor, type VocabLimits } from "./text_vocab.ts";

/** The numericalized corpus. */
export interface TextCorpus {
  /** Tokens by id, specials first. */
  readonly vocab: readonly string[];
  /** Training token ids, in text order. */
  readonly train: Int32Array;
  /** Validation token ids, in text order. */
  readonly valid: Int32Array;
  /** Files that went to training and to validation. */
  readonly files: { readonly train: number; readonly valid: number };
  /** Share of the training tokens that became `xxunk`. */
  readonly unkRate: number;
  /** Share of the validation tokens that became `xxunk` (words never or rarely seen). */
  readonly validUnkRate: number;
}

/** Where validation comes from. */
export type ValidSplit =
  /** The last fraction of the files (of the tokens, for one file). */
  | { readonly validPct: number }
  /** Files from `validFrom` on (the `--valid` files, pushed after the training ones). */
  | { readonly validFrom: number };

/** Raised when the text cannot make a corpus (empty, nothing left for validation). */
export class CorpusError extends Error {
  /** The error name. */
  override name = "CorpusError";
}

/** Accumulates files of text and numericalizes them. */
export class TextCorpusBuilder {
  readonly #splitter: StreamSplitter;
  readonly #ids = new Map<string, number>();
  readonly #words: string[] = [];
  #tokens: Int32Array;
  #length = 0;
  readonly #fileStarts: number[] = [];

  /**
   * An empty builder.
   *
   * @param spec Word or char mode, lowercasing.
   * @param capacity Expected number of tokens (the array grows when it is exceeded). The
   *   byte size of the text plus one per file is an upper bound for both modes.
   */
  constructor(readonly spec: SplitSpec, capacity = 1 << 16) {
    this.#splitter = new StreamSplitter(spec);
    this.#tokens = new Int32Array(Math.max(16, capacity));
  }

  /** Tokens so far. */
  get length(): number {
    return this.#length;
  }

  /** Words cut to `MAX_WORD` code points so far (word mode; `tokenizer.ts`). */
  get cutWords(): number {
    return this.#splitter.cutWords;
  }

  /** Starts a file: its first token is `xxbos`. */
  beginFile(): void {
    this.#fileStarts.push(this.#length);
    this.#add([BOS]);
  }

  /**
   * Adds text to the current file.
   *
   * @param chunk The next piece of the current file's text.
   */
  push(chunk: string): void {
    this.#add(this.#splitter.push(chunk));
  }

  /** Ends the current file. */
  endFile(): void {
    this.#add(this.#splitter.end());
  }

  #add(tokens: readonly string[]): void {
    if (this.#length + tokens.length > this.#tokens.length) {
      const grown = new Int32Array(Math.max(this.#tokens.length * 2, this.#length + tokens.length));
      grown.set(this.#tokens.subarray(0, this.#length));
      this.#tokens = grown;
    }
    for (const t of tokens) {
      let id = this.#ids.get(t);
      if (id === undefined) {
        id = this.#words.length;
        this.#ids.set(t, id);
        this.#words.push(t);
      }
      this.#tokens[this.#length++] = id;
    }
  }

  /**
   * Chooses the vocabulary from the training tokens and renumbers every token.
   *
   * @param limits `minFreq`, `maxVocab`.
   * @param split Validation: the last `validPct` of the files (of the tokens, for one file),
   *   or the files from `validFrom` on.
   * @returns The corpus.
   * @throws CorpusError when there is no text or no validation text;
   *   VocabLimitError for a `maxVocab` below the specials.
   */
  finish(limits: VocabLimits, split: ValidSplit): TextCorpus {
    const files = this.#fileStarts.length;
    if (this.#length <= files) throw new CorpusError("the text has no tokens");
    const { cut, validFiles } = this.#cut(split);
    const counts = new Float64Array(this.#words.length);
    for (let i = 0; i < cut; i++) counts[this.#tokens[i]]++;
    const vocab = chooseVocab(this.#words, counts, limits, specialsFor(this.spec.rules));
    const index = new Map(vocab.map((w, i) => [w, i]));
    const unk = SPECIALS.indexOf(UNK);
    const renumber = Int32Array.from(this.#words, (w) => index.get(w) ?? unk);
    const ids = this.#tokens.subarray(0, this.#length);
    let unks = 0;
    let validUnks = 0;
    for (let i = 0; i < ids.length; i++) {
      ids[i] = renumber[ids[i]];
      if (ids[i] === unk) i < cut ? unks++ : validUnks++;
    }
    return {
      vocab,
      // Views, not copies: the one id array is the corpus (its unused capacity was never
      // written, so it costs address space, not memory).
      train: ids.subarray(0, cut),
      valid: ids.subarray(cut),
      files: { train: files - validFiles, valid: validFiles },
      unkRate: cut ? unks / cut : 0,
      validUnkRate: ids.length > cut ? validUnks / (ids.length - cut) : 0,
    };
  }

  /** The token index where validation starts, and how many files it holds. */
  #cut(split: ValidSplit): { cut: number; validFiles: number } {
    const files = this.#fileStarts.length;
    if ("validFrom" in split) {
      if (split.validFrom >= files) throw new CorpusError("the validation text has no files");
      return { cut: this.#fileStarts[split.validFrom], validFiles: files - split.validFrom };
    }
    const pct = split.validPct;
    if (files === 1) {
      // One file: the last validPct of its tokens, cut at a token boundary.
      return { cut: this.#length - Math.round(this.#length * pct), validFiles: 0 };
    }
    // A folder: whole files, at least one on each side.
    const validFiles = Math.min(files - 1, Math.max(1, Math.round(files * pct)));
    return { cut: this.#fileStarts[files - validFiles], validFiles };
  }
}

/**
 * A 32-bit FNV-1a hash of token ids, as 8 hex digits: a run stores it, and a resume that
 * re-reads the corpus compares it to notice text that changed since.
 *
 * @param parts Id arrays, hashed in order as one stream.
 * @returns The hash.
 */
export function idsChecksum(...parts: readonly Int32Array[]): string {
  let h = 0x811c9dc5;
  for (const ids of parts) {
    for (let i = 0; i < ids.length; i++) {
      let v = ids[i];
      for (let b = 0; b < 4; b++) {
        h = Math.imul(h ^ (v & 0xff), 0x01000193);
        v >>>= 8;
      }
    }
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
