import assert from "node:assert/strict";
import { encodePrompt } from "../../src/data/prompt.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../../src/data/tokenizer.ts";

const NUMBERS = ["one", ".", "two", "three", "thousand"];
const OWN = { mode: "word", lower: false, specials: ["xxunk", "xxbos"] } as const;

Deno.test("encodePrompt() reads Human Numbers as the page did: lower case, '.' split off", () => {
  const ids = (text: string) => encodePrompt(text, HUMAN_NUMBERS_TOKENIZER, NUMBERS);
  assert.deepEqual(ids("  one .\ntwo  ").map((t) => [t.token, t.id]), [
    ["one", 0],
    [".", 1],
    ["two", 2],
  ]);
  assert.deepEqual(ids("Three. one.two").map((t) => t.token), ["three", ".", "one", ".", "two"]);
  // No xxunk in the book's vocabulary: an unknown word keeps its text and id -1.
  assert.deepEqual(ids("twoo"), [{ text: "twoo", id: -1, token: "twoo", unknown: true }]);
  assert.deepEqual(ids("   "), []);
});

Deno.test("encodePrompt() reads an unknown word as xxunk when the model has it", () => {
  const vocab = ["xxunk", "xxbos", "the", "cat", "."];
  assert.deepEqual(encodePrompt("the dog.", OWN, vocab), [
    { text: "the", id: 2, token: "the", unknown: false },
    { text: "dog", id: 0, token: "xxunk", unknown: true },
    { text: ".", id: 4, token: ".", unknown: false },
  ]);
  // Without --lower, "The" is another token than "the".
  assert.equal(encodePrompt("The", OWN, vocab)[0].token, "xxunk");
});
