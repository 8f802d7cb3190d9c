import assert from "node:assert/strict";
import { type ModelEntry, ModelLoadError, PageModel } from "../../web/model.js";
import { fakeOrt, FakeSession, type FakeTensor } from "./fake_ort.ts";

/** A recurrent sidecar (as `src/export` writes one), with the page's `name` and `file`. */
function entry(overrides: Record<string, unknown> = {}): ModelEntry {
  const value = {
    format: "onnx-lm-export",
    version: 2,
    model: "toy",
    description: "",
    file: "toy.onnx",
    kind: "recurrent",
    context: 1,
    vocab: ["xxunk", "xxbos", "one", "two", "three"],
    tokenizer: { mode: "word", lower: true, specials: ["xxunk", "xxbos"] },
    state: [{ name: "h", shape: [2, "batch", 3] }],
    metrics: { accuracy: 0.5, valid_loss: 1, epochs: 1 },
    recipe: {},
    seed: 1,
    producer: "onnx-lm",
    opset: 17,
    ir_version: 8,
    name: "toy",
    bytes: Uint8Array.of(1, 2, 3),
    ...overrides,
  };
  return value as unknown as ModelEntry;
}

const FIXED = { kind: "fixed", context: 3, state: [] };
const LSTM_STATE = {
  state: [{ name: "h", shape: [2, "batch", 3] }, { name: "c", shape: [2, 4, 3] }],
};

/** A loaded model on a fake session whose inputs are the sidecar's. */
async function load(overrides: Record<string, unknown> = {}) {
  const e = entry(overrides);
  const states = (e as unknown as { state: { name: string }[] }).state.map((s) => s.name);
  const session = new FakeSession(["tokens", ...states], [
    "logits",
    ...states.map((s) => `${s}_out`),
  ]);
  const { ort, created } = fakeOrt(session);
  const model = await PageModel.load(ort, e);
  return { model, session, created, e };
}

/** Token ids a run was fed, and their shape. */
const tokensOf = (t: FakeTensor) => ({
  type: t.type,
  ids: Array.from(t.data as BigInt64Array, Number),
  dims: [...t.dims],
});

Deno.test("PageModel.load() opens the entry's bytes with the chosen execution provider", async () => {
  const { created, e } = await load();
  assert.equal(created.length, 1);
  assert.equal(created[0].bytes, e.bytes, "no fetch for a model that came with its bytes");
  assert.deepEqual(created[0].options, { executionProviders: ["wasm"] });
  const { ort, created: again } = fakeOrt(new FakeSession(["tokens", "h"], ["logits", "h_out"]));
  await PageModel.load(ort, entry(), "webgpu");
  assert.deepEqual(again[0].options, { executionProviders: ["webgpu"] });
});

Deno.test("PageModel.load() refuses a file that does not match its sidecar, and frees it", async () => {
  const session = new FakeSession(["tokens"], ["logits", "h_out"]);
  await assert.rejects(() => PageModel.load(fakeOrt(session).ort, entry()), {
    name: "ModelLoadError",
    message: "toy.onnx does not match toy.json: expected inputs tokens, h and output logits; " +
      "the file has inputs tokens and outputs logits, h_out",
  });
  assert.equal(session.released, 1);
});

Deno.test("PageModel.load() turns a failure to open into a ModelLoadError", async () => {
  const { ort } = fakeOrt(new Error("protobuf parsing failed"));
  await assert.rejects(() => PageModel.load(ort, entry()), (error) => {
    assert.ok(error instanceof ModelLoadError);
    assert.equal(
      error.message,
      "toy.onnx (3 bytes) is not a model onnxruntime-web can open: protobuf parsing failed",
    );
    return true;
  });
  const { ort: unused, created } = fakeOrt(new FakeSession([], []));
  await assert.rejects(
    () => PageModel.load(unused, entry({ error: "toy.onnx is missing" })),
    { name: "ModelLoadError", message: "toy.onnx is missing" },
  );
  assert.equal(created.length, 0, "an entry the server refused is not opened");
});

Deno.test("PageModel.logitsAfter() runs a recurrent model once per token from a zero state", async () => {
  const { model, session } = await load();
  const logits = await model.logitsAfter([1, 2, 3]);
  const { runs } = session;
  assert.deepEqual(runs.map((r) => tokensOf(r.feeds.tokens)), [
    { type: "int64", ids: [1], dims: [1, 1] },
    { type: "int64", ids: [2], dims: [1, 1] },
    { type: "int64", ids: [3], dims: [1, 1] },
  ]);
  const h0 = runs[0].feeds.h;
  assert.equal(h0.type, "float32");
  assert.deepEqual(h0.dims, [2, 1, 3], "the symbolic batch is 1");
  assert.deepEqual([...h0.data], [0, 0, 0, 0, 0, 0]);
  // Each run is fed the state the one before returned (h_out), the very tensor.
  assert.equal(runs[1].feeds.h, runs[0].outputs.h_out);
  assert.equal(runs[2].feeds.h, runs[1].outputs.h_out);
  assert.deepEqual(Object.keys(runs[2].feeds).sort(), ["h", "tokens"]);
  assert.equal(logits, runs[2].outputs.logits.data, "the last token's logits");
  assert.equal(model.runTimes.length, 3);
});

Deno.test("PageModel.logitsAfter() keeps the state after every token: only new tokens run", async () => {
  const { model, session } = await load();
  const { runs } = session;
  await model.logitsAfter([1, 2, 3]); // runs 0-2
  // One more token: one run, from the state after [1, 2, 3].
  assert.equal(await model.logitsAfter([1, 2, 3, 4]), runs[3].outputs.logits.data);
  assert.equal(runs.length, 4);
  assert.equal(runs[3].feeds.h, runs[2].outputs.h_out);
  // A prefix already seen: no run, the logits cached after its last token.
  assert.equal(await model.logitsAfter([1, 2]), runs[1].outputs.logits.data);
  assert.equal(runs.length, 4);
  // A prompt edited at its end: rerun from where it differs, on the state after [1, 2].
  assert.equal(await model.logitsAfter([1, 2, 4]), runs[4].outputs.logits.data);
  assert.equal(runs.length, 5);
  assert.deepEqual(tokensOf(runs[4].feeds.tokens).ids, [4]);
  assert.equal(runs[4].feeds.h, runs[1].outputs.h_out);
  // ... and goes on from the edited prompt's state, not the old one's.
  assert.equal(await model.logitsAfter([1, 2, 4, 4]), runs[5].outputs.logits.data);
  assert.equal(runs.length, 6);
  assert.equal(runs[5].feeds.h, runs[4].outputs.h_out);
  // The old continuation was forgotten: [1, 2, 3] runs token 3 again.
  await model.logitsAfter([1, 2, 3]);
  assert.equal(runs.length, 7);
  assert.equal(runs[6].feeds.h, runs[1].outputs.h_out);
  // A new first token starts again from zeros.
  await model.logitsAfter([2]);
  assert.deepEqual([...runs[7].feeds.h.data], [0, 0, 0, 0, 0, 0]);
  assert.equal(model.runTimes.length, 8);
});

Deno.test("PageModel.logitsAfter() feeds and carries every state of an LSTM (h and c)", async () => {
  const { model, session } = await load(LSTM_STATE);
  await model.logitsAfter([2, 3]);
  const [first, second] = session.runs;
  assert.deepEqual(first.feeds.c.dims, [2, 4, 3], "a static batch is kept");
  assert.deepEqual([...first.feeds.c.data], new Array(24).fill(0));
  assert.equal(second.feeds.h, first.outputs.h_out);
  assert.equal(second.feeds.c, first.outputs.c_out);
});

Deno.test("PageModel.logitsAfter() runs a fixed-context model once, on the last context tokens", async () => {
  const { model, session } = await load(FIXED);
  assert.equal(model.minTokens, 3);
  const logits = await model.logitsAfter([1, 2, 3, 4, 2]);
  assert.equal(session.runs.length, 1);
  assert.deepEqual(Object.keys(session.runs[0].feeds), ["tokens"], "no state");
  assert.deepEqual(tokensOf(session.runs[0].feeds.tokens), {
    type: "int64",
    ids: [3, 4, 2],
    dims: [1, 3],
  });
  assert.equal(logits, session.runs[0].outputs.logits.data);
  await model.logitsAfter([1, 2, 3, 4, 2]);
  assert.equal(session.runs.length, 2, "nothing to cache: every call runs");
});

Deno.test("PageModel.logitsAfter() refuses too short a prompt before running anything", async () => {
  const fixed = await load(FIXED);
  await assert.rejects(() => fixed.model.logitsAfter([1, 2]), {
    name: "RangeError",
    message: "toy needs at least 3 tokens",
  });
  assert.equal(fixed.session.runs.length, 0);
  const recurrent = await load();
  await assert.rejects(() => recurrent.model.logitsAfter([]), {
    name: "RangeError",
    message: "toy needs at least 1 tokens",
  });
  assert.equal(recurrent.session.runs.length, 0);
});

Deno.test("PageModel.logitsAfter() passes a failed run on and keeps the states computed before", async () => {
  const { model, session } = await load();
  const { runs } = session;
  session.failAt = 2; // the third token's run
  await assert.rejects(() => model.logitsAfter([1, 2, 3]), session.failure);
  assert.equal(runs.length, 3);
  // Retried: tokens 1 and 2 are cached; only token 3 runs, on the state after them.
  const logits = await model.logitsAfter([1, 2, 3]);
  assert.equal(runs.length, 4);
  assert.deepEqual(tokensOf(runs[3].feeds.tokens).ids, [3]);
  assert.equal(runs[3].feeds.h, runs[1].outputs.h_out);
  assert.equal(logits, runs[3].outputs.logits.data);
  assert.equal(model.runTimes.length, 3, "a failed run is not timed");
});

Deno.test("PageModel.release() frees the session", async () => {
  const { model, session } = await load();
  await model.release();
  assert.equal(session.released, 1);
});
