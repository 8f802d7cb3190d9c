import assert from "node:assert/strict";
import { numberToWords } from "../../src/data/number_words.ts";

const EDGE_CASES: [number, string][] = [
  [1, "one"],
  [10, "ten"],
  [11, "eleven"],
  [19, "nineteen"],
  [20, "twenty"],
  [21, "twenty one"],
  [99, "ninety nine"],
  [100, "one hundred"],
  [101, "one hundred one"],
  [110, "one hundred ten"],
  [119, "one hundred nineteen"],
  [999, "nine hundred ninety nine"],
  [1000, "one thousand"],
  [1001, "one thousand one"],
  [1010, "one thousand ten"],
  [7999, "seven thousand nine hundred ninety nine"],
  [8000, "eight thousand"],
  [8001, "eight thousand one"],
  [9999, "nine thousand nine hundred ninety nine"],
];

Deno.test("numberToWords() spells the edge cases in the book's wording", () => {
  for (const [n, words] of EDGE_CASES) assert.equal(numberToWords(n), words, `n = ${n}`);
});

Deno.test("numberToWords() never uses 'and', hyphens, capitals or double spaces", () => {
  for (let n = 1; n <= 9999; n++) {
    const w = numberToWords(n);
    assert.match(w, /^[a-z]+( [a-z]+)*$/, `n = ${n}: ${JSON.stringify(w)}`);
    assert.ok(!w.split(" ").includes("and"), `n = ${n}: ${w}`);
  }
});

Deno.test("numberToWords() gives distinct words for distinct numbers", () => {
  const seen = new Set<string>();
  for (let n = 1; n <= 9999; n++) seen.add(numberToWords(n));
  assert.equal(seen.size, 9999);
});

Deno.test("numberToWords() rejects non-integers and out-of-range numbers", () => {
  for (const n of [0, -1, 10000, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => numberToWords(n), {
      name: "RangeError",
      message: `numberToWords(): n must be an integer in 1..9999: got ${n}`,
    });
  }
  assert.throws(() => numberToWords(0), {
    message: "numberToWords(): n must be an integer in 1..9999: got 0",
  });
});
