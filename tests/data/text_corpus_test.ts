import assert from "node:assert/strict";
import {
  CorpusError,
  idsChecksum,
  type TextCorpus,
  TextCorpusBuilder,
  type ValidSplit,
} from "../../src/data/text_corpus.ts";
import { chooseVocab, VocabLimitError } from "../../src/data/text_vocab.ts";

function build(
  files: string[],
  split: ValidSplit,
  limits = { minFreq: 1, maxVocab: 100 },
  mode: "word" | "char" = "word",
): TextCorpus {
  const b = new TextCorpusBuilder({ mode, lower: false }, 4);
  for (const f of files) {
    b.beginFile();
    // Chunks of 3 characters exercise the splitter's held-back word.
    for (let i = 0; i < f.length; i += 3) b.push(f.slice(i, i + 3));
    b.endFile();
  }
  return b.finish(limits, split);
}

const decode = (c: TextCorpus, ids: Int32Array) => Array.from(ids, (i) => c.vocab[i]);

Deno.test("chooseVocab() orders by frequency, ties by first appearance, with min-freq and max-vocab", () => {
  const words = ["xxbos", "b", "a", "c", "d"];
  const counts = [1, 2, 5, 2, 1];
  assert.deepEqual(chooseVocab(words, counts, { minFreq: 1, maxVocab: 100 }), [
    "xxunk",
    "xxbos",
    "a",
    "b",
    "c",
    "d",
  ]);
  assert.deepEqual(chooseVocab(words, counts, { minFreq: 2, maxVocab: 100 }), [
    "xxunk",
    "xxbos",
    "a",
    "b",
    "c",
  ]);
  assert.deepEqual(chooseVocab(words, counts, { minFreq: 1, maxVocab: 4 }), [
    "xxunk",
    "xxbos",
    "a",
    "b",
  ]);
  for (const maxVocab of [1, 2]) {
    assert.throws(
      () => chooseVocab(words, counts, { minFreq: 1, maxVocab }),
      (e) =>
        e instanceof VocabLimitError &&
        new RegExp(`--max-vocab must be at least 3 .*got ${maxVocab}`).test(e.message),
    );
  }
});

Deno.test("TextCorpusBuilder: xxbos starts every file, rare tokens become xxunk, ids match the vocabulary", () => {
  const c = build(["the cat sat. the cat ran.", "the dog sat."], { validFrom: 1 }, {
    minFreq: 2,
    maxVocab: 100,
  });
  // Counts come from the training file only: the 3, cat 2, . 2; sat and ran once.
  assert.deepEqual(c.vocab, ["xxunk", "xxbos", "the", "cat", "."]);
  assert.deepEqual(decode(c, c.train), [
    "xxbos",
    "the",
    "cat",
    "xxunk",
    ".",
    "the",
    "cat",
    "xxunk",
    ".",
  ]);
  assert.deepEqual(decode(c, c.valid), ["xxbos", "the", "xxunk", "xxunk", "."]);
  assert.deepEqual(c.files, { train: 1, valid: 1 });
  assert.equal(c.unkRate, 2 / 9);
});

Deno.test("TextCorpusBuilder: validation is the last share of one file's tokens, or of a folder's files", () => {
  const one = build(["a b c d e f g h i"], { validPct: 0.2 });
  assert.equal(one.train.length + one.valid.length, 10); // xxbos + 9 words
  assert.equal(one.valid.length, 2);
  assert.deepEqual(decode(one, one.valid), ["xxunk", "xxunk"]); // "h", "i": only in validation
  const folder = build(["a", "b", "c", "d", "e"], { validPct: 0.2 });
  assert.deepEqual(folder.files, { train: 4, valid: 1 });
  assert.deepEqual(decode(folder, folder.valid), ["xxbos", "xxunk"]); // "e" never seen in training
  // At least one file each side, however small the share.
  assert.deepEqual(build(["a", "b"], { validPct: 0.01 }).files, { train: 1, valid: 1 });
});

Deno.test("TextCorpusBuilder refuses text without tokens or without validation files", () => {
  assert.throws(() => build(["  \n "], { validPct: 0.1 }), CorpusError);
  assert.throws(() => build(["a b"], { validFrom: 1 }), /the validation text has no files/);
});

Deno.test("TextCorpusBuilder in char mode counts code points and grows past its capacity", () => {
  const text = "ab😀\n".repeat(100);
  const c = build([text], { validPct: 0.1 }, { minFreq: 1, maxVocab: 100 }, "char");
  assert.equal(c.train.length + c.valid.length, 401);
  assert.deepEqual(c.vocab.slice(2).sort(), ["\n", "a", "b", "😀"].sort());
});

Deno.test("idsChecksum() changes when one id changes and is stable otherwise", () => {
  const a = Int32Array.from([1, 2, 3, 4]);
  const b = Int32Array.from([1, 2, 3, 5]);
  assert.equal(idsChecksum(a), idsChecksum(Int32Array.from(a)));
  assert.notEqual(idsChecksum(a), idsChecksum(b));
  assert.equal(idsChecksum(a.subarray(0, 2), a.subarray(2)), idsChecksum(a));
});
