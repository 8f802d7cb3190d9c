import assert from "node:assert/strict";
import { humanNumbersLines, humanNumbersText, tokenize } from "../../src/data/human_numbers.ts";

Deno.test("humanNumbersLines() has 7999 train and 1999 valid lines, 9998 in all", () => {
  const { train, valid } = humanNumbersLines();
  assert.equal(train.length, 7999);
  assert.equal(valid.length, 1999);
  assert.equal(train.length + valid.length, 9998);
});

Deno.test("humanNumbersLines() covers 1..7999 and 8001..9999, leaving out 8000", () => {
  const { train, valid } = humanNumbersLines();
  assert.equal(train[0], "one");
  assert.equal(train.at(-1), "seven thousand nine hundred ninety nine");
  assert.equal(valid[0], "eight thousand one");
  assert.equal(valid.at(-1), "nine thousand nine hundred ninety nine");
  assert.ok(!train.includes("eight thousand") && !valid.includes("eight thousand"));
});

Deno.test("humanNumbersText() joins train then valid with ' . '", () => {
  const text = humanNumbersText({ train: ["one", "two"], valid: ["three"] });
  assert.equal(text, "one . two . three");
  const full = humanNumbersText(humanNumbersLines());
  assert.ok(full.startsWith("one . two . three . "));
  assert.ok(full.includes(
    "seven thousand nine hundred ninety nine . eight thousand one . ",
  ));
  assert.ok(full.endsWith(" . nine thousand nine hundred ninety nine"));
});

Deno.test("tokenize() splits the corpus into 63,095 tokens", () => {
  assert.equal(tokenize(humanNumbersText(humanNumbersLines())).length, 63095);
});

Deno.test("tokenize() splits on single spaces like Python's split(' ')", () => {
  assert.deepEqual(tokenize("one . two"), ["one", ".", "two"]);
  assert.deepEqual(tokenize("a  b"), ["a", "", "b"]);
  assert.deepEqual(tokenize(""), [""]);
});
