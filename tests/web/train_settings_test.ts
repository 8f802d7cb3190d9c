import assert from "node:assert/strict";
import {
  browserMachine,
  checkSettings,
  defaultSettings,
  defaultThreads,
  modelSizes,
  readTrainHash,
  SettingsError,
  SIZE_KEYS,
  sizeValues,
  TRAIN_MODELS,
  trainHash,
} from "../../src/web/train_settings.ts";
import { readSizes, SIZE_LIMITS } from "../../models/sizing.ts";

Deno.test("defaultSettings() are the book's recipe for every model the panel offers", () => {
  assert.deepEqual(TRAIN_MODELS, ["lm1", "lm2", "lm3", "lm4", "lm5", "lm6", "lm7", "gru", "gpt"]);
  const lm7 = defaultSettings("lm7");
  assert.deepEqual(
    [lm7.model, lm7.epochs, lm7.lr, lm7.seed, lm7.backend, lm7.threads],
    ["lm7", 15, 1e-2, 42, "wasm", 1],
  );
  assert.equal(defaultSettings("lstm").model, "lm6"); // aliases resolve
  assert.deepEqual(defaultSettings("lm1").corpus, { kind: "human-numbers" });
});

Deno.test("a URL hash round-trips the settings, and &start asks to start", () => {
  const { settings, start } = readTrainHash("#train=lm6&epochs=2&seed=7&lr=0.003&threads=2&start");
  assert.equal(start, true);
  assert.deepEqual(
    [settings.model, settings.epochs, settings.seed, settings.lr, settings.threads],
    ["lm6", 2, 7, 0.003, 2],
  );
  const hash = trainHash(settings);
  assert.equal(hash, "#train=lm6&epochs=2&lr=0.003&seed=7&backend=wasm&threads=2");
  assert.deepEqual(readTrainHash(hash), { settings, start: false });
  // Absent keys take the model's recipe.
  assert.equal(readTrainHash("#train=lm3").settings.epochs, 10);
});

Deno.test("bad settings name the setting, its range and the value given", () => {
  for (
    const [hash, message] of [
      ["#train=lm9", /unknown model "lm9": expected one of lm1, lm2, .*, gru/],
      ["#train=lm6&epochs=0", /epochs must be an integer from 1 to 1000: got "0"/],
      ["#train=lm6&epochs=2.5", /epochs must be an integer from 1 to 1000: got "2\.5"/],
      ["#train=lm6&lr=-1", /lr must be a number above 0 and at most 10: got "-1"/],
      ["#train=lm6&lr=abc", /lr must be a number above 0 and at most 10: got "abc"/],
      ["#train=lm6&seed=4294967296", /seed must be an integer from 0 to 4294967295/],
      ["#train=lm6&backend=cuda", /backend must be wasm or webgpu: got "cuda"/],
      ["#train=lm6&threads=0", /threads must be an integer from 1 to 64: got "0"/],
      ["#train=lm6&epoch=2", /the link's "epoch" is not a training setting: expected train, /],
    ] as const
  ) {
    assert.throws(() => readTrainHash(hash), (e: Error) => {
      assert.ok(e instanceof SettingsError, hash);
      assert.match(e.message, message, hash);
      return true;
    });
  }
  assert.throws(
    () =>
      checkSettings({ train: "lm6" }, {
        kind: "text",
        name: "a.txt",
        text: "  \n",
        tokens: "char",
        lower: false,
        minFreq: 1,
        maxVocab: 100,
        validPct: 0.1,
      }),
    /the text to train on is empty/,
  );
});

Deno.test("browserMachine() names the browser, its cores and the backend's threads", () => {
  const s = defaultSettings("lm6");
  const chromium = {
    userAgentData: {
      brands: [{ brand: "Not A(Brand", version: "8" }, { brand: "Chromium", version: "120" }],
    },
    userAgent: "Mozilla/5.0",
    hardwareConcurrency: 2,
  };
  assert.equal(browserMachine(chromium, s), "Chromium 120 (2 logical cores, wasm 1 thread)");
  assert.equal(
    browserMachine({ userAgent: "Firefox/1", hardwareConcurrency: 8 }, { ...s, threads: 4 }),
    "Firefox/1 (8 logical cores, wasm 4 threads)",
  );
  assert.equal(
    browserMachine(chromium, { ...s, backend: "webgpu" }),
    "Chromium 120 (2 logical cores, WebGPU)",
  );
});

Deno.test("defaultThreads() takes every core up to 4", () => {
  assert.deepEqual([1, 2, 4, 16].map(defaultThreads), [1, 2, 4, 4]);
});

Deno.test("size settings: the CLI's limits and messages, the model's own checks, and the hash", () => {
  const { settings } = readTrainHash("#train=lm6&hidden=32&layers=3&bs=16&sl=8");
  assert.deepEqual(settings.sizes, { hidden: 32, layers: 3, batchSize: 16, seqLen: 8 });
  assert.equal(
    trainHash(settings),
    "#train=lm6&epochs=15&lr=0.01&seed=42&backend=wasm&hidden=32&layers=3&bs=16&sl=8",
  );
  assert.deepEqual(readTrainHash(trainHash(settings)).settings, settings);
  assert.deepEqual(sizeValues(settings), { hidden: 32, layers: 3, dropout: 0, bs: 16, sl: 8 });
  // The panel always sends every field: the book's values are not a change, and stay out of links.
  const book = checkSettings({
    train: "lm7",
    hidden: "64",
    layers: "2",
    dropout: "0.4",
    bs: "64",
    sl: "16",
  });
  assert.deepEqual(book.sizes, {});
  assert.equal(trainHash(book), "#train=lm7&epochs=15&lr=0.01&seed=42&backend=wasm");
  assert.deepEqual(checkSettings({ train: "lm7", dropout: "0.25" }).sizes, { dropout: 0.25 });
  for (
    const [fields, message] of [
      [{ hidden: "0" }, `hidden must be an integer from 1 to ${SIZE_LIMITS.hidden}: got "0"`],
      [{ hidden: "8193" }, `hidden must be an integer from 1 to 8192: got "8193"`],
      [{ layers: "17" }, `layers must be an integer from 1 to 16: got "17"`],
      [{ bs: "4097" }, `bs must be an integer from 1 to 4096: got "4097"`],
      [{ sl: "1.5" }, `sl must be an integer from 1 to 4096: got "1.5"`],
      [{ dropout: "1" }, `dropout must be a number in [0, 1): got "1"`],
      [{ train: "lm1", layers: "2" }, /^layers does not apply to lm1: /],
      [{ train: "lm6", dropout: "0.1" }, /^dropout does not apply to lm6: it has no dropout/],
      [{ train: "lm3", sl: "8" }, /^sl does not apply to lm3: it reads 3 tokens/],
      [{ train: "lm7", sl: "1" }, /^sl must be at least 2 for lm7/],
    ] as const
  ) {
    assert.throws(() => checkSettings({ train: "lm6", ...fields }), (e: Error) => {
      assert.ok(e instanceof SettingsError, JSON.stringify(fields));
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    });
  }
  // The same reader gives the CLI its messages, with the flags' dashes.
  assert.throws(
    () => readSizes({ hidden: "0" }, "--"),
    { message: '--hidden must be an integer from 1 to 8192: got "0"' },
  );
  assert.deepEqual(modelSizes("lm3").resizable, {
    hidden: true,
    embd: false,
    layers: false,
    heads: false,
    block: false,
    dropout: false,
    bs: true,
    sl: false,
    bias: false,
  });
});

Deno.test("gpt's settings: Steps for Epochs, its own size fields, a link that carries them", () => {
  const d = defaultSettings("gpt");
  assert.deepEqual([d.steps, d.epochs, d.lr], [2000, 8, 1e-3]);
  assert.equal(defaultSettings("lm6").steps, undefined);
  const sizes = modelSizes("gpt");
  assert.deepEqual(
    [sizes.book.embd, sizes.book.heads, sizes.book.block, sizes.book.bias, sizes.book.bs],
    [128, 4, 64, false, 12],
  );
  assert.deepEqual(
    SIZE_KEYS.filter((k) => sizes.applies[k]),
    ["embd", "layers", "heads", "block", "dropout", "bs", "bias"],
  );
  assert.deepEqual(
    SIZE_KEYS.filter((k) => modelSizes("lm6").applies[k]),
    ["hidden", "layers", "dropout", "bs", "sl"],
  );
  // The fields a model does not have are not read: a GPT's hidden and sl, an RNN's heads.
  const s = checkSettings({
    train: "gpt",
    steps: "40",
    embd: "32",
    heads: "2",
    block: "16",
    bias: "true",
    hidden: "7",
    sl: "3",
  });
  assert.deepEqual(s.sizes, { embd: 32, heads: 2, block: 16, bias: true });
  assert.deepEqual([s.steps, s.epochs], [40, 8]);
  assert.deepEqual(checkSettings({ train: "lm6", heads: "3" }).sizes, {});
  const hash = trainHash(s);
  assert.equal(
    hash,
    "#train=gpt&steps=40&lr=0.001&seed=42&backend=wasm&embd=32&heads=2&block=16&bias=true",
  );
  assert.deepEqual(readTrainHash(hash).settings, s);
  assert.throws(() => checkSettings({ train: "gpt", heads: "3", embd: "32" }), {
    message: "heads 3 must divide --embd 32 (each head takes embd / heads features)",
  });
  assert.throws(() => checkSettings({ train: "lm6", steps: "40" }), /steps applies to gpt/);
  // A link that asks a model for what it does not have is refused, by name.
  assert.throws(() => readTrainHash("#train=gpt&epochs=3"), {
    message: "epochs does not apply to gpt in the page: it trains for steps (steps=N)",
  });
  assert.throws(
    () => readTrainHash("#train=gpt&hidden=256"),
    /hidden does not apply to gpt: its sizes are embd, layers, heads, block, dropout, bs, bias/,
  );
  assert.throws(() => readTrainHash("#train=lm6&heads=2"), /heads does not apply to lm6/);
  assert.throws(() => checkSettings({ train: "gpt", steps: "1" }), /steps must be an integer/);
});
