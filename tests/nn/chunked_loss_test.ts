// The chunked decoder and cross-entropy (a Loop over time steps that works out its own
// gradients): its gradients by finite differences, the same numbers as the one-piece loss in
// float64 at every chunk size, the eval graph's sums, when it chunks, and a float32 learner
// that trains to the one-piece loss's figures.
import { checkGradArtifact } from "../helpers/grad_artifact_fd.ts";
import {
  artifactFeeds,
  expectWasmMatchesNode,
  runArtifact,
  successorChain,
} from "../helpers/artifact_feeds.ts";
import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { GRUModel } from "../../models/gru_model.ts";
import { LMModel6 } from "../../models/lm_model6.ts";
import { LMModel7 } from "../../models/lm_model7.ts";
import { type Graph, saveGraph } from "../../src/graph/mod.ts";
import type { LanguageModel } from "../../src/nn/language_model.ts";
import { type Tensor, tensor } from "../../src/onnx/mod.ts";
import { Random } from "../../src/nn/random.ts";
import {
  chunkedCrossEntropy,
  LOSS_CHUNK_BYTES,
  lossChunkSteps,
} from "../../src/nn/chunked_loss.ts";
import { crossEntropy } from "../../src/nn/loss.ts";
import { backward } from "../../src/grad/backward.ts";
import { Graph as GraphClass } from "../../src/graph/graph.ts";
import { gemm } from "../../src/ops/linalg.ts";
import { reshape } from "../../src/ops/shape.ts";
import { type ArtifactOptions, buildArtifacts } from "../../src/train/artifacts.ts";
import { Learner } from "../../src/train/learner.ts";
import { streamBatches } from "../../src/data/stream_batches.ts";
import { Session } from "../../src/runtime/session.ts";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";

const checked: ModelToCheck[] = [];

/** Feeds for a float64 graph of `model`: its weights, random state, masks and tokens. */
const feedsFor = (
  model: LanguageModel,
  a: ReturnType<typeof buildArtifacts>,
  batch: number,
  seqLen: number,
) => artifactFeeds(model, a.spec, batch, seqLen, { seed: 11, initSeed: 5 });

/** Runs one graph of the artifacts once. */
const runOnce = (label: string, g: Graph, feeds: Record<string, Tensor>) =>
  runArtifact(label, g, feeds, checked);

const opTypes = (g: Graph) => new Set(g.nodes.map((n) => n.opType));

Deno.test("the chunked loss's gradients match finite differences (lm7: tied decoder, dropout, AR, TAR)", async () => {
  const model = new LMModel7(7, 3, 2, 0.4);
  const options: ArtifactOptions = { batchSize: 2, seqLen: 4, ar: 2, tar: 1, dtype: "float64" };
  const a = buildArtifacts(model, { ...options, lossChunk: 2 });
  assert.ok(opTypes(a.grad).has("Loop") && !opTypes(a.grad).has("LogSoftmax"));
  const feeds = feedsFor(model, a, 2, 4);
  assert.ok((feeds["drop.mask"].data as Float64Array).includes(0), "the mask drops something");
  const bytes = saveGraph(a.grad);
  const session = await Session.create(bytes, { threads: 1 });
  try {
    const out = await session.run(feeds);
    const elements = await checkGradArtifact(session, feeds, a.spec.params, out);
    // The tied embedding/decoder, two LSTM layers and the decoder's bias: every element.
    assert.equal(elements, 7 * 3 + 2 * (12 * 3 * 2 + 24) + 7);
  } finally {
    await session.release();
  }
});

const close = (label: string, got: Tensor, want: Tensor, rtol = 1e-12) => {
  assert.deepEqual(got.dims, want.dims, label);
  const g = got.data as Float64Array, w = want.data as Float64Array;
  const scale = Math.max(...Array.from(w, Math.abs), 1e-300);
  for (let i = 0; i < w.length; i++) {
    assert.ok(Math.abs(g[i] - w[i]) <= rtol * scale, `${label}[${i}]: ${g[i]} vs ${w[i]}`);
  }
};

const MODELS: [string, () => LanguageModel][] = [
  ["lm6", () => new LMModel6(9, 4, 2)],
  ["lm7", () => new LMModel7(9, 4, 2, 0.3)],
  ["gru", () => new GRUModel(9, 4, 1)],
];

for (const [name, create] of MODELS) {
  Deno.test(`${name}: the chunked loss and gradients equal the one-piece ones at every chunk size (float64)`, async () => {
    const model = create();
    const options: ArtifactOptions = {
      batchSize: 3,
      seqLen: 6,
      dtype: "float64",
      ...(name === "lm7" ? { ar: 2, tar: 1 } : {}),
    };
    const whole = buildArtifacts(model, { ...options, lossChunk: 0 });
    assert.ok(!opTypes(whole.grad).has("Loop"));
    const feeds = feedsFor(model, whole, 3, 6);
    const want = await runOnce(`${name} one-piece grad`, whole.grad, feeds);
    for (const steps of [1, 2, 3, 6]) {
      const a = buildArtifacts(model, { ...options, lossChunk: steps });
      const got = await runOnce(`${name} grad, ${steps} steps a chunk`, a.grad, feeds);
      for (const key of Object.keys(want)) {
        close(`${name}, ${steps} steps: ${key}`, got[key], want[key]);
      }
    }
  });
}

Deno.test("the chunked eval graph sums the loss and counts hits as the one-piece one, at another batch size", async () => {
  const model = new LMModel6(11, 4, 2);
  const options: ArtifactOptions = { batchSize: 2, seqLen: 4, dtype: "float64" };
  const whole = buildArtifacts(model, { ...options, lossChunk: 0 });
  const feeds = feedsFor(model, whole, 5, 4); // 5 rows: the eval graph's batch is symbolic
  const want = await runOnce("lm6 one-piece eval", whole.eval, feeds);
  for (const steps of [1, 2]) {
    const a = buildArtifacts(model, { ...options, lossChunk: steps });
    assert.ok(opTypes(a.eval).has("Loop"));
    const got = await runOnce(`lm6 eval, ${steps} steps a chunk`, a.eval, feeds);
    close(`loss_sum, ${steps} steps`, got.loss_sum, want.loss_sum);
    assert.deepEqual(got.correct.data, want.correct.data);
    close(`h_out, ${steps} steps`, got.h_out, want.h_out, 0);
  }
});

Deno.test("lossChunkSteps chunks only large logits, in the most steps that fit and divide the row", () => {
  assert.equal(lossChunkSteps(64, 64, 30, "float32"), 0, "the book's lm6");
  assert.equal(lossChunkSteps(64, 64, 1024, "float32"), 0, "16 MiB of logits: one piece");
  assert.equal(lossChunkSteps(64, 64, 1025, "float32"), 32, "a little more: two chunks");
  // 64 x 4 x 10,000 floats = 10.2 MB fit in 16 MiB; 8 steps (20.5 MB) do not.
  assert.equal(lossChunkSteps(64, 64, 10_000, "float32"), 4);
  assert.ok(64 * 8 * 10_000 * 4 > LOSS_CHUNK_BYTES);
  assert.equal(lossChunkSteps(64, 64, 60_000, "float32"), 1);
  assert.equal(lossChunkSteps(64, 72, 10_000, "float32"), 6, "a divisor of 72");
  assert.equal(lossChunkSteps(64, 37, 10_000, "float32"), 1, "a prime row length");
  assert.equal(lossChunkSteps(64, 64, 10_000, "float64"), 2);
});

Deno.test("a decoder without a bias: the chunked loss and gradients equal the one-piece ones", async () => {
  const [B, T, H, V] = [2, 4, 3, 7];
  const rng = new Random(4);
  const r = (n: number) => Array.from({ length: n }, () => rng.uniform(-1, 1));
  const feeds: Record<string, Tensor> = {
    x: tensor("float64", [B, T, H], r(B * T * H)),
    w: tensor("float64", [V, H], r(V * H)),
    t: tensor("int64", [B, T], Array.from({ length: B * T }, (_, i) => BigInt((i * 3) % V))),
  };
  const g = new GraphClass("no_bias", { maxNodeTensors: Infinity });
  const x = g.input("x", "float64", [B, T, H]);
  const w = g.input("w", "float64", [V, H]);
  const t = g.input("t", "int64", [B, T]);
  const chunked = chunkedCrossEntropy({ input: x, weight: w, bias: null }, t, 2);
  assert.equal(chunked.grads.length, 2, "no bias, no bias gradient");
  g.output(chunked.loss, "chunked");
  chunked.grads.forEach(([v, d]) => g.output(d, `chunked_${v.name}`));
  const logits = reshape(gemm(reshape(x, [-1, H]), w, null, { transB: true }), [B, T, V]);
  const whole = crossEntropy(logits, t);
  g.output(whole, "whole");
  backward(whole, [x, w]).forEach((d, i) => g.output(d, `whole_${["x", "w"][i]}`));
  const out = await runOnce("bias-less decoder", g, feeds);
  close("loss", out.chunked, out.whole);
  close("d x", out.chunked_x, out.whole_x);
  close("d w", out.chunked_w, out.whole_w);
});

Deno.test("an asked chunk takes the most steps up to it that divide each graph's rows", () => {
  const model = new LMModel6(11, 4, 1);
  const a = buildArtifacts(model, { batchSize: 2, seqLen: 6, evalSeqLen: 5, lossChunk: 4 });
  const trips = (g: Graph) => {
    const loop = g.nodes.find((n) => n.opType === "Loop")!;
    return g.known.get(loop.inputs[0])![0];
  };
  assert.equal(trips(a.train), 2, "3 steps a chunk of 6");
  assert.equal(trips(a.eval), 5, "1 step a chunk of 5: no larger divisor up to 4");
  assert.throws(
    () => buildArtifacts(model, { batchSize: 2, seqLen: 6, lossChunk: -1 }),
    /lossChunk must be an integer >= 0 \(0: one piece\): got -1/,
  );
});

Deno.test("webgpu graphs and models without a linear decoder head keep the one-piece loss", () => {
  const big = { batchSize: 64, seqLen: 64 };
  const lm6 = new LMModel6(10_000, 8, 1);
  assert.ok(opTypes(buildArtifacts(lm6, big).train).has("Loop"), "chunked on the CPU");
  assert.ok(!opTypes(buildArtifacts(lm6, { ...big, webgpu: true }).train).has("Loop"));
  const lm3 = findModel("lm3");
  const g = buildArtifacts(lm3.create({ ...lm3.arch, vocabSize: 10_000 }), big).train;
  assert.ok(!opTypes(g).has("Loop"), "lm3 predicts one token a sample: no decoder head");
});

Deno.test("a float32 learner with the chunked loss trains to the one-piece loss's figures", async () => {
  const entry = findModel("lm6");
  const arch = { ...entry.arch, vocabSize: 300, hidden: 16, layers: 1 };
  const recipe = { ...entry.recipe, batchSize: 8, seqLen: 8, epochs: 2 };
  // A text with structure to learn: each token mostly follows from the one before.
  const ids = successorChain(4000, 300, 3);
  const cut = 3200;
  const batches = (from: number, to: number) =>
    streamBatches(ids.subarray(from, to), { data: "sequence", bs: 8, sl: 8 });
  const fit = async (lossChunk: number) => {
    const learner = await Learner.create(entry.create(arch), recipe, {
      seed: 2,
      data: { train: batches(0, cut), valid: batches(cut, ids.length) },
      lossChunk,
    });
    try {
      assert.equal(opTypes(learner.artifacts.train).has("Loop"), lossChunk > 0);
      return await learner.fit(2);
    } finally {
      await learner.release();
    }
  };
  const [whole, chunked] = [await fit(0), await fit(2)];
  assert.ok(whole[1].valid_loss < whole[0].valid_loss, "it learns");
  whole.forEach((row, i) => {
    for (const key of ["train_loss", "valid_loss"] as const) {
      const [a, b] = [chunked[i][key], row[key]];
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b), `epoch ${i} ${key}: ${a} vs ${b}`);
    }
    assert.ok(Math.abs(chunked[i].accuracy - row.accuracy) <= 0.01, `epoch ${i} accuracy`);
  });
});

Deno.test("the chunked graphs run on onnxruntime-web's wasm (the Train panel's backend) as on node", async () => {
  const model = new LMModel7(13, 6, 2, 0.3);
  const a = buildArtifacts(model, { batchSize: 3, seqLen: 6, ar: 2, tar: 1, lossChunk: 2 });
  const feeds: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(feedsFor(model, a, 3, 6))) {
    feeds[name] = t.dtype === "float64"
      ? tensor("float32", t.dims, Float32Array.from(t.data as Float64Array))
      : t;
  }
  await expectWasmMatchesNode(saveGraph(a.grad), feeds);
});

referenceCheckTest("chunked-loss graphs pass the reference ONNX checker", checked);
