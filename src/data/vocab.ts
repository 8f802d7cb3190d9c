/**
 * Word <-> index mapping for a tokenized corpus.
 * @module
 */

/** Longest vocabulary listed in full inside an error message; larger ones are cut short. */
const MAX_LISTED = 50;

/** Quote a list of words for an error message, eliding the tail of a large vocabulary. */
function listWords(words: readonly string[]): string {
  const shown = words.slice(0, MAX_LISTED).map((w) => JSON.stringify(w)).join(", ");
  return words.length > MAX_LISTED ? `${shown}, ... (${words.length} in all)` : shown;
}

/** A vocabulary: the unique tokens of a corpus in order of first appearance. */
export class Vocab {
  /** The words; `words[i]` is the word with index `i`. */
  readonly words: readonly string[];
  readonly #toIndex: ReadonlyMap<string, number>;

  /**
   * Build a vocabulary from distinct words.
   *
   * @param words The words in index order; must not repeat.
   * @throws {Error} When a word appears twice.
   */
  constructor(words: readonly string[]) {
    const toIndex = new Map<string, number>();
    words.forEach((w, i) => {
      if (toIndex.has(w)) {
        throw new Error(
          `Vocab(): words must be unique: ${JSON.stringify(w)} appears at indices ` +
            `${toIndex.get(w)} and ${i}`,
        );
      }
      toIndex.set(w, i);
    });
    this.words = Object.freeze([...words]);
    this.#toIndex = toIndex;
  }

  /**
   * Build a vocabulary from tokens in order of first appearance (the book's `L(*tokens).unique()`).
   *
   * @param tokens The tokens of a corpus.
   * @returns The vocabulary of their unique values.
   */
  static fromTokens(tokens: Iterable<string>): Vocab {
    return new Vocab([...new Set(tokens)]);
  }

  /** Number of words. */
  get size(): number {
    return this.words.length;
  }

  /**
   * Look up the index of a word.
   *
   * @param word A word of the vocabulary.
   * @returns Its index.
   * @throws {Error} When the word is not in the vocabulary.
   */
  index(word: string): number {
    const i = this.#toIndex.get(word);
    if (i === undefined) {
      throw new Error(
        `Vocab.index(): word ${JSON.stringify(word)} is unknown: expected one of ` +
          listWords(this.words),
      );
    }
    return i;
  }

  /**
   * Look up the word with an index.
   *
   * @param id An integer in `0..size-1`.
   * @returns The word.
   * @throws {RangeError} When `id` is not a valid index.
   */
  word(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      throw new RangeError(
        `Vocab.word(): id must be an integer in 0..${this.size - 1}: got ${id}`,
      );
    }
    return this.words[id];
  }

  /**
   * Turn tokens into indices.
   *
   * @param tokens Words of the vocabulary.
   * @returns Their indices, in order.
   */
  encode(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.index(t));
  }

  /**
   * Turn indices back into words.
   *
   * @param ids Valid indices.
   * @returns The words, in order.
   */
  decode(ids: readonly number[]): string[] {
    return ids.map((id) => this.word(id));
  }
}
