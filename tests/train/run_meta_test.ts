import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { ContractError } from "../../src/contract/fields.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../../src/data/tokenizer.ts";
import { parseRunMeta, type RunMeta } from "../../src/train/run_meta.ts";

const legacy = { arch: (m: string) => findModel(m).arch, tokenizer: HUMAN_NUMBERS_TOKENIZER };
const lm7 = findModel("lm7");
const META: RunMeta = {
  format: "onnx-lm-run",
  version: 2,
  producer: "onnx-lm 0.1.0",
  model: "lm7",
  recipe: lm7.recipe,
  arch: { ...lm7.arch, vocabSize: 4 },
  epochs: 3,
  lrMax: 0.01,
  seed: 1,
  device: "cpu",
  corpus: {
    kind: "text",
    text: "notes/",
    valid: null,
    validPct: 0.1,
    minFreq: 3,
    maxVocab: 60000,
    files: { train: 9, valid: 1 },
    tokens: { train: 900, valid: 100 },
    checksum: "0123abcd",
  },
  tokenizer: { mode: "word", lower: true, specials: ["xxunk", "xxbos"] },
  vocab: ["xxunk", "xxbos", "a", "."],
  learner: {
    epoch: 1,
    step: 10,
    smooth: { val: 1.5, count: 10 },
    history: [{
      epoch: 0,
      train_loss: 2,
      train_loss_mean: 2.1,
      valid_loss: 1.9,
      accuracy: 0.4,
      time: 0.5,
    }],
  },
};

Deno.test("parseRunMeta() reads back what a run writes", () => {
  assert.deepEqual(parseRunMeta(JSON.parse(JSON.stringify(META)), "ck", legacy), META);
});

Deno.test("parseRunMeta() names the file and the field of malformed metadata", () => {
  const cases: [unknown, string][] = [
    [null, `ck: expected onnx-lm run metadata (a JSON object): got null`],
    [{ ...META, format: "x" }, `ck: "format" must be "onnx-lm-run"`],
    [{ ...META, learner: undefined }, `ck: "learner" must be an object: got nothing`],
    [
      { ...META, recipe: { ...META.recipe, batchSize: "64" } },
      `ck: "recipe.batchSize" must be an integer >= 1: got "64"`,
    ],
    [{ ...META, vocab: ["a", null] }, `ck: "vocab[1]" must be a string: got null`],
    [
      { ...META, arch: { ...META.arch, vocabSize: 5 } },
      `ck: "arch.vocabSize" must equal the vocabulary's 4 tokens: got 5`,
    ],
    [
      { ...META, tokenizer: { ...META.tokenizer, mode: "bpe" } },
      `ck: "tokenizer.mode" must be one of "word", "char": got "bpe"`,
    ],
    [
      { ...META, learner: { ...META.learner, history: [null] } },
      `ck: "learner.history[0]" must be an object: got null`,
    ],
    [{ ...META, version: 3 }, `ck: "version" must be one of 1, 2: got 3`],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => parseRunMeta(value, "ck", legacy),
      (e) => e instanceof ContractError && e.message.startsWith(message),
      message,
    );
  }
});

Deno.test("parseRunMeta() reads version 1 (Human Numbers, book sizes)", () => {
  const { arch: _a, corpus: _c, tokenizer: _t, device: _d, ...rest } = META;
  const v1 = { ...rest, version: 1, vocab: Array.from({ length: 30 }, (_, i) => `w${i}`) };
  const meta = parseRunMeta(v1, "ck", legacy);
  assert.deepEqual(meta.arch, lm7.arch);
  assert.deepEqual(meta.corpus, { kind: "human-numbers" });
  assert.deepEqual(meta.tokenizer, HUMAN_NUMBERS_TOKENIZER);
});

Deno.test("parseRunMeta() reads lines, rules and --ext where recorded, and runs made before them as they were", () => {
  // A run made before issue 22 has neither: it splits as it did (line breaks are whitespace).
  const old = parseRunMeta(JSON.parse(JSON.stringify(META)), "ck", legacy);
  assert.equal(old.tokenizer.lines, undefined);
  assert.equal(old.tokenizer.rules, undefined);
  assert.ok(old.corpus.kind === "text" && old.corpus.ext === undefined);
  const specials = ["xxunk", "xxbos", "xxrep", "xxwrep", "xxup", "xxmaj"];
  const now: RunMeta = {
    ...META,
    corpus: { ...META.corpus, ext: [".md", ".txt"] } as RunMeta["corpus"],
    tokenizer: { mode: "word", lower: true, lines: true, rules: "fastai", specials },
    vocab: [...specials, "a", "\n"],
    arch: { ...META.arch, vocabSize: 8 },
  };
  assert.deepEqual(parseRunMeta(JSON.parse(JSON.stringify(now)), "ck", legacy), now);
  // `lines: false` is the old split, read as absent.
  const off = { ...META, tokenizer: { ...META.tokenizer, lines: false } };
  assert.equal(parseRunMeta(off, "ck", legacy).tokenizer.lines, undefined);
  const char = { ...META, tokenizer: { ...META.tokenizer, mode: "char" } };
  const cases: [unknown, string][] = [
    [
      { ...META, tokenizer: { ...META.tokenizer, lines: "yes" } },
      `ck: "tokenizer.lines" must be true or false: got "yes"`,
    ],
    [
      { ...META, tokenizer: { ...META.tokenizer, rules: "spacy" } },
      `ck: "tokenizer.rules" must be one of "fastai": got "spacy"`,
    ],
    [
      { ...char, tokenizer: { ...char.tokenizer, lines: true } },
      `ck: "tokenizer.lines" applies to word tokens only: got true with mode "char"`,
    ],
    [
      { ...now, tokenizer: { ...now.tokenizer, specials: ["xxunk", "xxbos", "xxup"] } },
      `ck: "tokenizer.specials" must hold the markers of rules "fastai" (xxrep, xxwrep, xxup, ` +
      `xxmaj): xxrep, xxwrep, xxmaj missing`,
    ],
    [
      { ...META, corpus: { ...META.corpus, ext: ["md"] } },
      `ck: "corpus.ext" must be file endings such as ".txt": got ["md"]`,
    ],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => parseRunMeta(value, "ck", legacy),
      (e) => e instanceof ContractError && e.message.startsWith(message),
      message,
    );
  }
});
