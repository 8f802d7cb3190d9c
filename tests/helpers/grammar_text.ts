/**
 * A small grammar's sentences, from a seed ("the cat sat on a mat ."): text made in the test
 * whose words are partly free choices and partly fixed by the words before, so a model that
 * learns stands far above the most-frequent-token baseline.
 *
 * @module
 */

import { mulberry32 } from "../../src/generate/sampling.ts";

/** The grammar's word choices, slot by slot (the default: six nouns, four places). */
export interface Grammar {
  readonly nouns: readonly string[];
  readonly places: readonly string[];
}

const WIDE: Grammar = {
  nouns: ["cat", "dog", "bird", "fox", "owl", "cow"],
  places: ["mat", "tree", "house", "barn"],
};

/**
 * Sentences of the grammar, one per line.
 *
 * @param sentences How many.
 * @param seed The seed of the choices.
 * @param grammar The nouns and places to choose from.
 * @returns The text.
 */
export function grammarText(sentences: number, seed: number, grammar: Grammar = WIDE): string {
  const r = mulberry32(seed);
  const pick = (xs: readonly string[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: sentences }, () =>
    [
      pick(["the", "a"]),
      pick(grammar.nouns),
      pick(["sat", "ran", "slept"]),
      pick(["on", "under"]),
      pick(["the", "a"]),
      pick(grammar.places),
      ".",
    ].join(" ")).join("\n");
}
