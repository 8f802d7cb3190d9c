import assert from "node:assert/strict";
import { joinTokens, splitText, StreamSplitter } from "../../src/data/tokenizer.ts";
import { mulberry32 } from "../../src/generate/sampling.ts";

const word = { mode: "word", lower: false } as const;
const char = { mode: "char", lower: false } as const;

Deno.test("splitText() keeps letters, digits and combining marks in words, splits punctuation", () => {
  assert.deepEqual(splitText("Hello, world! It's 2026.", word), [
    "Hello",
    ",",
    "world",
    "!",
    "It",
    "'",
    "s",
    "2026",
    ".",
  ]);
  // "e" + U+0301 COMBINING ACUTE stays one word; CJK and Cyrillic letters are letters.
  assert.deepEqual(splitText("cafe\u0301 東京 привет…", word), [
    "cafe\u0301",
    "東京",
    "привет",
    "…",
  ]);
  assert.deepEqual(splitText("a--b  \n\t c", word), ["a", "-", "-", "b", "c"]);
  assert.deepEqual(splitText("ÉTÉ Été", { mode: "word", lower: true }), ["été", "été"]);
  assert.deepEqual(splitText("", word), []);
});

Deno.test("splitText() in char mode gives one token per code point, newlines included", () => {
  assert.deepEqual(splitText("a😀\nb", char), ["a", "😀", "\n", "b"]); // 😀 is 2 UTF-16 units
  assert.deepEqual(splitText("Ab", { mode: "char", lower: true }), ["a", "b"]);
});

Deno.test("StreamSplitter gives the same tokens however the text is cut into chunks", () => {
  const text = "Naïve cafe\u0301s, 東京の夜 — 😀😀 and more words; x1 y22 zzz.\nEnd";
  for (const spec of [word, char]) {
    const whole = splitText(text, spec);
    const random = mulberry32(7);
    for (let trial = 0; trial < 50; trial++) {
      const s = new StreamSplitter(spec);
      const got: string[] = [];
      const units = Array.from(text); // cut between code points, as TextDecoder does
      let i = 0;
      while (i < units.length) {
        const n = 1 + Math.floor(random() * 6);
        got.push(...s.push(units.slice(i, i + n).join("")));
        i += n;
      }
      got.push(...s.end());
      assert.deepEqual(got, whole, `${spec.mode}, trial ${trial}`);
    }
  }
});

Deno.test("joinTokens() attaches punctuation to words and joins characters as they are", () => {
  assert.equal(joinTokens(["hello", ",", "world", "."], "word"), "hello, world.");
  assert.equal(joinTokens(["say", "(", "hi", ")", "!"], "word"), "say (hi)!");
  assert.equal(joinTokens(["more", "words"], "word", true), " more words");
  assert.equal(joinTokens(["a", "b", "xxbos", "c"], "word"), "a b\nc");
  assert.equal(joinTokens(["a", " ", "😀", "\n"], "char"), "a 😀\n");
});
