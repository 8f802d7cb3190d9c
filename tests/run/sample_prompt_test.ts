import assert from "node:assert/strict";
import { openingPrompt, samplePrompt } from "../../src/run/sample_prompt.ts";
import { HUMAN_NUMBERS_TOKENIZER, type TokenizerSpec } from "../../src/data/tokenizer.ts";

const WORDS: TokenizerSpec = { mode: "word", lower: false, specials: ["xxunk", "xxbos"] };
const CHARS: TokenizerSpec = { mode: "char", lower: false, specials: ["xxunk", "xxbos"] };

Deno.test("samplePrompt() starts at the first line start, skips xxunk and stops at the line's end", () => {
  const vocab = ["xxunk", "xxbos", "the", "cat", "sat", ".", "end"];
  // "end . xxbos the xxunk cat sat . xxbos end": the split cut a line before the first xxbos.
  const ids = [6, 5, 1, 2, 0, 3, 4, 5, 1, 6];
  assert.equal(samplePrompt(ids, vocab, WORDS), "the cat sat.");
  // No line start near the beginning: the text's own start.
  assert.equal(samplePrompt([2, 3, 4, 5], vocab, WORDS), "the cat sat.");
  // Nothing but unknown tokens: no prompt to offer.
  assert.equal(samplePrompt([0, 0, 1, 0], vocab, WORDS), undefined);
});

Deno.test("samplePrompt() keeps about a line of characters", () => {
  const vocab = ["xxunk", "xxbos", "a", "b", " ", "\n"];
  const ids = Array.from({ length: 200 }, (_, i) => [2, 3, 4][i % 3]);
  const prompt = samplePrompt(ids, vocab, CHARS)!;
  assert.equal(prompt.length, 47); // 48 characters, the last one a space trimmed away
  assert.ok(prompt.startsWith("ab ab ab"));
  assert.equal(samplePrompt([2, 3, 5, 2, 2], vocab, CHARS), "ab"); // one line
});

Deno.test("openingPrompt() prefers the sidecar's sample, falls back to common tokens, and leaves Human Numbers to the page", () => {
  const vocab = ["xxunk", "xxbos", "the", " ", "cat", "sat"];
  assert.equal(openingPrompt({ prompt: "the cat", vocab, tokenizer: WORDS }), "the cat");
  assert.equal(openingPrompt({ vocab, tokenizer: WORDS }), "the cat sat"); // an older export
  assert.equal(
    openingPrompt({ vocab: ["one", "two"], tokenizer: HUMAN_NUMBERS_TOKENIZER }),
    undefined,
  );
});
