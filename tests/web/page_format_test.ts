import assert from "node:assert/strict";
import {
  filterVocab,
  formatBytes,
  formatMs,
  median,
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

Deno.test("filterVocab() puts prefix matches first and counts every match", () => {
  const vocab = ["xxunk", "the", "cat", "Catalan", "scatter", "dog"];
  assert.deepEqual(filterVocab(vocab, "cat", 10), { ids: [2, 3, 4], total: 3 });
  assert.deepEqual(filterVocab(vocab, "CAT", 2), { ids: [2, 3], total: 3 });
  assert.deepEqual(filterVocab(vocab, "", 2), { ids: [0, 1], total: 6 });
  assert.deepEqual(filterVocab(vocab, "zzz", 5), { ids: [], total: 0 });
});
