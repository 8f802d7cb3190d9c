import assert from "node:assert/strict";
import { type RunStep, StepCache } from "../../src/api/step_cache.ts";
import type { Sidecar } from "../../src/export/sidecar.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";

const VOCAB = ["xxunk", "xxbos", "one", "two", "three"];

function sidecar(overrides: Partial<Sidecar> = {}): Sidecar {
  return {
    format: "onnx-lm-export",
    version: 2,
    model: "toy",
    description: "",
    file: "toy.onnx",
    kind: "recurrent",
    context: 1,
    vocab: VOCAB,
    tokenizer: { mode: "word", lower: true, specials: ["xxunk", "xxbos"] },
    state: [{ name: "h", shape: [1, "batch", 2] }, { name: "c", shape: [1, "batch", 2] }],
    metrics: { accuracy: 0, valid_loss: 0, epochs: 0 },
    recipe: {},
    seed: 0,
    producer: "",
    opset: 17,
    ir_version: 8,
    ...overrides,
  };
}

/**
 * A fake recurrent step: the state counts the tokens (h) and sums their ids (c), and the
 * logits encode both, so each result says exactly which prefix produced it.
 */
function fakeRun(): { run: RunStep; calls: Record<string, Tensor>[] } {
  const calls: Record<string, Tensor>[] = [];
  const run: RunStep = (feeds) => {
    calls.push(feeds);
    const id = Number((feeds.tokens.data as BigInt64Array).at(-1));
    const window = Array.from(feeds.tokens.data as BigInt64Array, Number);
    if (!feeds.h) {
      const logits = new Float32Array(VOCAB.length).fill(window.reduce((a, b) => a * 10 + b, 0));
      return Promise.resolve({ logits: tensor("float32", [1, VOCAB.length], logits) });
    }
    const h = (feeds.h.data as Float32Array)[0] + 1;
    const c = (feeds.c.data as Float32Array)[0] + id;
    const logits = new Float32Array(VOCAB.length).fill(h * 100 + c);
    return Promise.resolve({
      logits: tensor("float32", [1, 1, VOCAB.length], logits),
      h_out: tensor("float32", [1, 1, 2], [h, h]),
      c_out: tensor("float32", [1, 1, 2], [c, c]),
    });
  };
  return { run, calls };
}

Deno.test("StepCache.logitsAfter() runs a recurrent model once per token from a zero state", async () => {
  const { run, calls } = fakeRun();
  const cache = new StepCache(sidecar(), run);
  const logits = await cache.logitsAfter([1, 2, 3]);
  assert.equal(logits[0], 3 * 100 + 6);
  assert.equal(calls.length, 3);
  assert.deepEqual([...calls[0].h.data], [0, 0], "a zero state first");
  assert.deepEqual(calls[0].h.dims, [1, 1, 2], "the symbolic batch is 1");
  assert.deepEqual(calls.map((c) => c.tokens.dims), [[1, 1], [1, 1], [1, 1]]);
  assert.deepEqual([...calls[2].c.data], [3, 3], "c is fed back as well as h");
});

Deno.test("StepCache.logitsAfter(): a prompt grown by one token costs one run; an edit reruns from it", async () => {
  const { run, calls } = fakeRun();
  const cache = new StepCache(sidecar(), run);
  await cache.logitsAfter([1, 2, 3]);
  assert.equal((await cache.logitsAfter([1, 2, 3, 4]))[0], 4 * 100 + 10);
  assert.equal(calls.length, 4, "one run for one more token");
  assert.equal((await cache.logitsAfter([1, 2, 3, 4]))[0], 410);
  assert.equal(calls.length, 4, "no run for the same prompt");
  assert.equal((await cache.logitsAfter([1, 2, 4, 4]))[0], 4 * 100 + 11);
  assert.equal(calls.length, 6, "an edit at position 2 reruns positions 2 and 3");
  assert.equal((await cache.logitsAfter([1, 2]))[0], 2 * 100 + 3);
  assert.equal(calls.length, 7, "a shorter prompt reruns its last token only");
  assert.deepEqual([...calls[6].h.data], [1, 1], "from the state after its first token");
});

Deno.test("StepCache.logitsAfter() runs a fixed-context model once, on the last context tokens", async () => {
  const { run, calls } = fakeRun();
  const cache = new StepCache(sidecar({ kind: "fixed", context: 3, state: [] }), run);
  assert.equal((await cache.logitsAfter([1, 2, 3, 4]))[0], 234);
  assert.deepEqual(calls[0].tokens.dims, [1, 3]);
  await cache.logitsAfter([1, 2, 3, 4]);
  assert.equal(calls.length, 1, "the same window is not rerun");
  await assert.rejects(cache.logitsAfter([1, 2]), /toy needs at least 3 tokens: got 2/);
  assert.equal(calls.length, 1, "nothing runs for too short a prompt");
});

Deno.test("StepCache.logitsAfter() refuses ids outside the vocabulary, naming the position", async () => {
  const cache = new StepCache(sidecar(), fakeRun().run);
  await assert.rejects(
    cache.logitsAfter([1, 5]),
    /Token id 5 at position 1 is outside toy's vocabulary of 5/,
  );
  await assert.rejects(cache.logitsAfter([]), /toy needs at least 1 tokens: got 0/);
});

Deno.test("StepCache.logitsAfter() passes a failed run on and recovers on the next call", async () => {
  const { run } = fakeRun();
  let fail = false;
  const cache = new StepCache(
    sidecar(),
    (feeds) => fail ? Promise.reject(new Error("boom")) : run(feeds),
  );
  await cache.logitsAfter([1, 2]);
  fail = true;
  await assert.rejects(cache.logitsAfter([1, 2, 3]), /boom/);
  fail = false;
  assert.equal((await cache.logitsAfter([1, 2, 3]))[0], 306);
});
