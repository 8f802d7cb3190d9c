import assert from "node:assert/strict";
import * as ortWeb from "onnxruntime-web";
import { findModel } from "../../models/registry.ts";
import { HUMAN_NUMBERS_TOKENIZER } from "../../src/data/tokenizer.ts";
import { parseSidecar } from "../../src/export/sidecar.ts";
import { decodeCheckpoint } from "../../src/train/checkpoint.ts";
import { type OrtModule, webBackend } from "../../src/runtime/backend.ts";
import { Learner } from "../../src/train/learner.ts";
import { parseRunMeta } from "../../src/train/run_meta.ts";
import { TrainJob } from "../../src/web/train_job.ts";
import { textDefaults } from "../../src/run/corpus.ts";
import { defaultSettings, type TrainSettings } from "../../src/web/train_settings.ts";

// onnxruntime-web's wasm build runs in Deno too: the page's backend, without a browser.
const ort = ortWeb as unknown as OrtModule;
ort.env.wasm.numThreads = 1;
const web = webBackend(ort);

const settings = (over: Partial<TrainSettings> = {}): TrainSettings => ({
  ...defaultSettings("lm6"),
  epochs: 2,
  ...over,
});

Deno.test("TrainJob on onnxruntime-web (wasm) matches the CLI's learner on onnxruntime-node", async () => {
  const entry = findModel("lm6");
  const node = await Learner.create(entry.create(), entry.recipe, { seed: 42 });
  const expected = await node.fit(2);
  await node.release();
  const job = await TrainJob.create(settings(), web, "test");
  try {
    assert.equal(await job.run(), "finished");
    const got = job.history;
    assert.equal(got.length, 2);
    for (const [i, row] of got.entries()) {
      // wasm kernels round differently from native ones: 2 epochs leave them ~1e-6 apart.
      assert.ok(Math.abs(row.valid_loss - expected[i].valid_loss) < 1e-4, `epoch ${i} loss`);
      assert.ok(Math.abs(row.accuracy - expected[i].accuracy) < 1e-3, `epoch ${i} accuracy`);
    }
  } finally {
    await job.release();
  }
});

Deno.test("TrainJob: Stop then Resume ends exactly like an uninterrupted run; files follow the CLI's contracts", async () => {
  const whole = await TrainJob.create(settings(), web, "test");
  await whole.run();
  const stopped = await TrainJob.create(settings(), web, "test");
  try {
    let stops = 0;
    const outcome = await stopped.run({
      onBatch: (epoch, done) => {
        if (epoch === 1 && done === 20 && stops++ === 0) stopped.stop();
      },
    });
    assert.equal(outcome, "stopped");
    assert.equal(stopped.epoch, 1);
    assert.equal(await stopped.run(), "finished");
    assert.deepEqual(
      stopped.history.map((r) => [r.train_loss, r.valid_loss, r.accuracy]),
      whole.history.map((r) => [r.train_loss, r.valid_loss, r.accuracy]),
    );
    const bytes = stopped.checkpoint();
    assert.ok(bytes);
    const ckpt = decodeCheckpoint(bytes, "page.safetensors");
    const meta = parseRunMeta(ckpt.meta, "page.safetensors", {
      arch: () => findModel("lm6").arch,
      tokenizer: HUMAN_NUMBERS_TOKENIZER,
    });
    assert.equal(meta.learner.epoch, 2);
    assert.equal(meta.device, "wasm");
    const files = stopped.exportFiles();
    if (!files) throw new Error("no export after 2 epochs");
    assert.ok(files.has("lm6.onnx") && files.has("lm6.json"));
    const sidecar = parseSidecar(
      JSON.parse(new TextDecoder().decode(files.get("lm6.json")!)),
      "lm6.json",
    );
    assert.equal(sidecar.metrics.epochs, 2);
    assert.equal(sidecar.metrics.accuracy, stopped.history[1].accuracy);
  } finally {
    await Promise.all([whole.release(), stopped.release()]);
  }
});

Deno.test("TrainJob: no checkpoint or export before the first epoch ends", async () => {
  const job = await TrainJob.create(settings({ epochs: 1 }), web, "test");
  try {
    const outcome = await job.run({ onBatch: (_e, done) => done === 3 ? job.stop() : undefined });
    assert.equal(outcome, "stopped");
    assert.equal(job.checkpoint(), undefined);
    assert.equal(job.exportFiles(), undefined);
  } finally {
    await job.release();
  }
});

Deno.test("TrainJob: one's own text (char tokens) trains above its baseline", async () => {
  const text = "the quick brown fox jumps over the lazy dog. ".repeat(400);
  const job = await TrainJob.create(
    settings({
      model: "lm4",
      epochs: 2,
      lr: 3e-3,
      corpus: {
        kind: "text",
        name: "fox.txt",
        text,
        tokens: "char",
        lower: false,
        minFreq: 1,
        maxVocab: 60000,
        validPct: 0.1,
      },
    }),
    web,
    "test",
  );
  try {
    await job.run();
    assert.match(job.header.corpus, /^fox\.txt: \d+ train \/ \d+ valid char tokens/);
    assert.ok(job.history[1].accuracy > job.header.baseline.accuracy + 0.2);
  } finally {
    await job.release();
  }
});

Deno.test("TrainJob: word tokens split as deno task train's do, line breaks kept as tokens", async () => {
  const text = "the cat sat on the mat.\nthe dog ran.\n\n".repeat(1000);
  const corpus = {
    kind: "text" as const,
    name: "lines.txt",
    text,
    tokens: "word" as const,
    lower: false,
    ...textDefaults("word"), // what the panel passes, as the CLI's flags do
  };
  const job = await TrainJob.create(settings({ model: "lm4", epochs: 1, corpus }), web, "test");
  try {
    const { tokenizer, vocab } = job.info.meta;
    assert.deepEqual(tokenizer, {
      mode: "word",
      lower: false,
      lines: true,
      specials: ["xxunk", "xxbos"],
    });
    assert.ok(vocab.includes("\n"));
  } finally {
    await job.release();
  }
});

Deno.test("TrainJob: the page's size settings reach the run, which records them as the CLI's does", async () => {
  const sizes = { hidden: 16, layers: 1, batchSize: 16, seqLen: 8 };
  const job = await TrainJob.create(settings({ epochs: 1, sizes }), web, "test");
  try {
    assert.equal(job.learner.train.batch(0).xDims.join(), "16,8");
    assert.equal(await job.run(), "finished");
    const bytes = job.checkpoint();
    if (!bytes) throw new Error("no checkpoint after an epoch");
    const meta = parseRunMeta(decodeCheckpoint(bytes, "page.safetensors").meta, "page", {
      arch: () => findModel("lm6").arch,
      tokenizer: HUMAN_NUMBERS_TOKENIZER,
    });
    assert.deepEqual(
      [meta.arch.hidden, meta.arch.layers, meta.recipe.batchSize, meta.recipe.seqLen],
      [16, 1, 16, 8],
    );
    assert.equal(meta.recipe.epochs, 1); // the run's own schedule, as a CLI run records it
  } finally {
    await job.release();
  }
});

Deno.test("TrainJob: a short pasted text trains on fewer validation rows and says so, as the CLI does", async () => {
  const words = ["the", "cat", "sat", "on", "a", "mat", "."];
  const text = Array.from({ length: 300 }, (_, i) => words[i % words.length]).join(" ");
  const corpus = {
    kind: "text" as const,
    name: "short.txt",
    text,
    tokens: "word" as const,
    lower: false,
    ...textDefaults("word"),
  };
  const job = await TrainJob.create(settings({ epochs: 1, corpus }), web, "test");
  try {
    // 301 tokens: 270 for training (16 rows of 16), 31 for validation (1 row of 16).
    assert.equal(job.learner.train.batch(0).xDims.join(), "16,16");
    assert.equal(job.learner.valid.batch(0).xDims.join(), "1,16");
    assert.match(job.header.warning ?? "", /training on batches of 16 rows/);
    assert.match(job.header.warning ?? "", /validating on 1 row of 16 tokens/);
    assert.equal(await job.run(), "finished");
  } finally {
    await job.release();
  }
});
