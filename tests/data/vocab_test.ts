import assert from "node:assert/strict";
import { humanNumbersLines, humanNumbersText, tokenize } from "../../src/data/human_numbers.ts";
import { Vocab } from "../../src/data/vocab.ts";

// First appearances in "one . two . three . ...": "one", then the separator ".", then the
// other units, the teens (10..19), the tens (20, 30, ..., 90), "hundred" (100) and
// finally "thousand" (1000).
const EXPECTED_VOCAB = [
  "one",
  ".",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
  "twenty",
  "thirty",
  "forty",
  "fifty",
  "sixty",
  "seventy",
  "eighty",
  "ninety",
  "hundred",
  "thousand",
];

const vocab = Vocab.fromTokens(tokenize(humanNumbersText(humanNumbersLines())));

Deno.test("Vocab.fromTokens() gives the book's 30 words in order of first appearance", () => {
  assert.equal(vocab.size, 30);
  assert.deepEqual([...vocab.words], EXPECTED_VOCAB);
  assert.equal(vocab.index("thousand"), 29);
  assert.equal(vocab.word(29), "thousand");
  assert.equal(
    vocab.words.slice(0, 10).join(" "),
    "one . two three four five six seven eight nine",
  );
});

Deno.test("Vocab.encode() and decode() round-trip and match the book's first indices", () => {
  const tokens = ["one", ".", "two", ".", "three", ".", "four", ".", "five", "."];
  const ids = vocab.encode(tokens);
  assert.deepEqual(ids, [0, 1, 2, 1, 3, 1, 4, 1, 5, 1]);
  assert.deepEqual(vocab.decode(ids), tokens);
});

Deno.test("Vocab.index() names an unknown word and lists the vocabulary", () => {
  const small = Vocab.fromTokens(["a", "b", "a", "c"]);
  assert.deepEqual([...small.words], ["a", "b", "c"]);
  assert.throws(() => small.index("zero"), {
    name: "Error",
    message: 'Vocab.index(): word "zero" is unknown: expected one of "a", "b", "c"',
  });
  assert.throws(() => vocab.encode(["one", "zero"]), /word "zero" is unknown.*"thousand"$/);
});

Deno.test("Vocab.index() cuts the listed vocabulary short when it is large", () => {
  const big = Vocab.fromTokens(Array.from({ length: 60 }, (_, i) => `w${i}`));
  assert.throws(() => big.index("x"), /"w49", \.\.\. \(60 in all\)$/);
});

Deno.test("Vocab.word() rejects ids out of range", () => {
  for (const id of [-1, 30, 1.5]) {
    assert.throws(() => vocab.word(id), {
      name: "RangeError",
      message: `Vocab.word(): id must be an integer in 0..29: got ${id}`,
    });
  }
  assert.throws(() => vocab.decode([0, 30]), /got 30$/);
});

Deno.test("new Vocab() rejects repeated words", () => {
  assert.throws(() => new Vocab(["a", "b", "a"]), {
    message: 'Vocab(): words must be unique: "a" appears at indices 0 and 2',
  });
});

Deno.test("Vocab.words cannot be modified", () => {
  assert.throws(() => (vocab.words as string[]).push("x"), TypeError);
});
