import assert from "node:assert/strict";
import {
  counted,
  filterVocab,
  formatBytes,
  formatMs,
  median,
  visibleText,
  visibleToken,
} from "../../src/web/page_format.ts";

Deno.test("formatBytes(), formatMs() and median() read well", () => {
  assert.equal(formatBytes(812), "812 B");
  assert.equal(formatBytes(33_800), "33.8 kB");
  assert.equal(formatBytes(1_200_000), "1.2 MB");
  assert.equal(formatMs(0.0841), "0.084 ms");
  assert.equal(formatMs(12.34), "12.3 ms");
  assert.equal(formatMs(1204.4), "1,204 ms");
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("visibleToken() shows whitespace tokens as marks", () => {
  assert.deepEqual([" ", "\n", "\t", "\u00a0", "a", "xxbos"].map(visibleToken), [
    "␣",
    "↵",
    "⇥",
    "U+00A0",
    "a",
    "xxbos",
  ]);
});

Deno.test("visibleText() marks control and bidi formatting characters, keeps the rest", () => {
  assert.equal(visibleText("a\u202Eb\u0000c"), "a⟨U+202E⟩b⟨U+0000⟩c");
  assert.equal(
    visibleText("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069"),
    "⟨U+061C⟩⟨U+200E⟩⟨U+200F⟩⟨U+202A⟩⟨U+202B⟩⟨U+202C⟩⟨U+202D⟩⟨U+2066⟩⟨U+2067⟩⟨U+2068⟩⟨U+2069⟩",
  );
  assert.equal(visibleText("\x1b[31m\x7f\x9f"), "⟨U+001B⟩[31m⟨U+007F⟩⟨U+009F⟩");
  // Layout whitespace, joiners (emoji sequences), right-to-left letters and marks stay.
  const kept = "line\nnext\ttab\r\n👨‍👩‍👧 שלום مرحبا q\u0301 \u00a0";
  assert.equal(visibleText(kept), kept);
  assert.equal(visibleText(""), "");
});

Deno.test("visibleToken() shows a token's control and bidi characters as marks", () => {
  assert.deepEqual(["\u202Eab", "\u0000", "x\u200fy", "\x85", "\u2028"].map(visibleToken), [
    "⟨U+202E⟩ab",
    "⟨U+0000⟩",
    "x⟨U+200F⟩y",
    "⟨U+0085⟩", // NEL: a C1 control (JavaScript's \s leaves it out)
    "U+2028", // a whitespace token: its code point, as U+00A0
  ]);
});

Deno.test("filterVocab() puts prefix matches first and counts every match", () => {
  const vocab = ["xxunk", "the", "cat", "Catalan", "scatter", "dog"];
  assert.deepEqual(filterVocab(vocab, "cat", 10), { ids: [2, 3, 4], total: 3 });
  assert.deepEqual(filterVocab(vocab, "CAT", 2), { ids: [2, 3], total: 3 });
  assert.deepEqual(filterVocab(vocab, "", 2), { ids: [0, 1], total: 6 });
  assert.deepEqual(filterVocab(vocab, "zzz", 5), { ids: [], total: 0 });
});

Deno.test("counted() makes the noun plural unless the count is 1", () => {
  assert.equal(counted(1, "epoch"), "1 epoch");
  assert.equal(counted(0, "epoch"), "0 epochs");
  assert.equal(counted(3, "layer"), "3 layers");
});
