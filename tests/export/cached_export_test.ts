// A GPT's export (sidecar kind "cached"): one step graph with its attention caches as state.
// Read through StepCache as the model API and generate read it, every next-token logit equals
// the full-context graph's on the same window (nanoGPT's crop past the block) within 1e-5, and
// the calls are as few as the contract promises: a prompt in one call, each added token in one
// call of that token, an edit from its first changed token, past the block the last `block`
// tokens from position 0.
import assert from "node:assert/strict";
import { GPT, type GPTConfig } from "../../models/gpt.ts";
import { type RunStep, StepCache } from "../../src/api/step_cache.ts";
import { exportModel } from "../../src/export/export_model.ts";
import { parseSidecar, type Sidecar, sidecarMismatch } from "../../src/export/sidecar.ts";
import { decodeModel } from "../../src/onnx/decode.ts";
import { saveGraph } from "../../src/graph/mod.ts";
import { Random } from "../../src/nn/random.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import { Session } from "../../src/runtime/session.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";

const CONFIG: GPTConfig = {
  vocabSize: 9,
  block: 6,
  layers: 2,
  heads: 2,
  embd: 8,
  dropout: 0,
  bias: true,
};

/** CONFIG as a run records it. */
const GPT_ARCH = {
  vocabSize: CONFIG.vocabSize,
  hidden: CONFIG.embd,
  layers: CONFIG.layers,
  dropout: 0,
  tied: true,
  gpt: { heads: CONFIG.heads, block: CONFIG.block, bias: CONFIG.bias },
};

/** Weights far from the initialization's near-uniform logits, so positions matter. */
function weightsOf(model: GPT, seed: number): Map<string, Float32Array> {
  const rng = new Random(seed);
  return new Map(
    model.namedParameters().map(([name, p]) => {
      const n = p.shape.reduce((a, b) => a * b, 1);
      return [name, Float32Array.from({ length: n }, () => 0.5 * rng.normal())];
    }),
  );
}

function exported(model: GPT, weights: Map<string, Float32Array>) {
  return exportModel(model, weights, {
    name: "gpt",
    description: "a tiny GPT",
    vocab: Array.from({ length: CONFIG.vocabSize }, (_, i) => `t${i}`),
    metrics: { accuracy: 0, valid_loss: 0, epochs: 0 },
    recipe: {},
    seed: 1,
    context: 1,
  });
}

/** The full-context forward pass (the infer artifact) on `window`: the last token's logits. */
async function fullContext(
  model: GPT,
  weights: Map<string, Float32Array>,
  window: readonly number[],
): Promise<Float32Array> {
  const infer = buildArtifacts(model, { batchSize: 1, seqLen: window.length }).infer;
  const session = await Session.create(saveGraph(infer), { threads: 1 });
  try {
    const feeds: Record<string, Tensor> = {
      tokens: tensor("int64", [1, window.length], window.map(BigInt)),
    };
    for (const [name, p] of model.namedParameters()) {
      feeds[name] = tensor("float32", p.shape, weights.get(name)!);
    }
    const logits = (await session.run(feeds)).logits.data as Float32Array;
    return logits.slice(logits.length - CONFIG.vocabSize);
  } finally {
    await session.release();
  }
}

Deno.test("a GPT exports as a cached step graph: kind, context, cache state and inputs in the sidecar", () => {
  const model = new GPT(CONFIG);
  const { sidecar, files } = exported(model, weightsOf(model, 1));
  assert.equal(sidecar.kind, "cached");
  assert.equal(sidecar.context, CONFIG.block);
  assert.deepEqual(sidecar.state, [
    { name: "past_keys_0", shape: ["batch", 2, "past", 4] },
    { name: "past_values_0", shape: ["batch", 2, "past", 4] },
    { name: "past_keys_1", shape: ["batch", 2, "past", 4] },
    { name: "past_values_1", shape: ["batch", 2, "past", 4] },
  ]);
  const onnx = decodeModel(files.get("gpt.onnx")!);
  assert.deepEqual(onnx.graph.inputs.map((i) => [i.name, i.shape]), [
    ["tokens", ["batch", "steps"]],
    ["position", [1]],
    ...sidecar.state.map((s) => [s.name, s.shape]),
  ]);
  assert.deepEqual(onnx.graph.outputs.map((o) => o.name), [
    "logits",
    ...sidecar.state.map((s) => `${s.name}_out`),
  ]);
  const json = JSON.parse(new TextDecoder().decode(files.get("gpt.json")!));
  assert.deepEqual(parseSidecar(json, "gpt.json"), sidecar);
  assert.equal(sidecarMismatch(onnx, sidecar, "gpt.onnx"), undefined);
  // A graph without the position input is not this sidecar's.
  const noPosition = {
    ...onnx,
    graph: { ...onnx.graph, inputs: onnx.graph.inputs.filter((i) => i.name !== "position") },
  };
  assert.match(sidecarMismatch(noPosition, sidecar, "gpt.onnx")!, /no "position" input/);
});

Deno.test("a cached sidecar with a state that is not [batch, heads, past, head size] is refused by name", () => {
  const model = new GPT(CONFIG);
  const { sidecar } = exported(model, weightsOf(model, 1));
  const bad = (state: unknown) => ({ ...sidecar, state: [{ name: "past_keys_0", shape: state }] });
  for (const shape of [[1, "batch", 8], ["batch", 2, 3, 4], ["batch", 0, "past", 4]]) {
    assert.throws(
      () => parseSidecar(bad(shape), "gpt.json"),
      (e: Error) =>
        e.message.includes("gpt.json") && e.message.includes('["batch", heads, "past", head size]'),
      JSON.stringify(shape),
    );
  }
  assert.throws(
    () => parseSidecar({ ...sidecar, state: [] }, "gpt.json"),
    /must list the state of a cached model/,
  );
  assert.throws(
    () => parseSidecar({ ...sidecar, state: sidecar.state.slice(1) }, "gpt.json"),
    /"state" must be a key and a value cache per layer, all of one shape: got 3/,
  );
  assert.throws(
    () => parseSidecar({ ...sidecar, arch: GPT_ARCH, context: 7 }, "gpt.json"),
    /"context" must be the model's block 6: got 7/,
  );
  assert.throws(
    () => parseSidecar({ ...sidecar, seq: { file: "gpt_seq4.onnx", length: 4 } }, "gpt.json"),
    /"seq" must be absent for a cached model/,
  );
  assert.deepEqual(parseSidecar({ ...sidecar, arch: GPT_ARCH }, "gpt.json").arch, GPT_ARCH);
});

Deno.test("StepCache reads a GPT export with as few calls as the contract allows, each logit the full context's within 1e-5", async () => {
  const model = new GPT(CONFIG);
  const weights = weightsOf(model, 2);
  const { sidecar, files } = exported(model, weights);
  const session = await Session.create(files.get(sidecar.file)!, { threads: 1 });
  const calls: { tokens: number[]; position: number; past: number }[] = [];
  const run: RunStep = (feeds) => {
    calls.push({
      tokens: Array.from(feeds.tokens.data as BigInt64Array, Number),
      position: Number((feeds.position.data as BigInt64Array)[0]),
      past: feeds.past_keys_0.dims[2],
    });
    return session.run(feeds);
  };
  const cache = new StepCache(sidecar as Sidecar, run);
  const rng = new Random(3);
  const ids = Array.from({ length: 15 }, () => Math.floor(rng.next() * CONFIG.vocabSize));
  const check = async (prefix: readonly number[], what: string) => {
    const got = await cache.logitsAfter(prefix);
    const want = await fullContext(model, weights, prefix.slice(-CONFIG.block));
    for (let k = 0; k < want.length; k++) {
      assert.ok(
        Math.abs(got[k] - want[k]) <= 1e-5 * Math.max(1, Math.abs(want[k])),
        `${what}, token ${k}: ${got[k]} vs ${want[k]}`,
      );
    }
  };
  try {
    // A prompt: one call from empty caches.
    await check(ids.slice(0, 3), "a prompt of 3");
    assert.deepEqual(calls.at(-1), { tokens: ids.slice(0, 3), position: 0, past: 0 });
    // Each added token: one call of that token after the cached positions.
    for (let n = 4; n <= CONFIG.block; n++) {
      await check(ids.slice(0, n), `a prompt of ${n}`);
      assert.deepEqual(calls.at(-1), { tokens: [ids[n - 1]], position: n - 1, past: n - 1 });
    }
    assert.equal(calls.length, 1 + CONFIG.block - 3);
    // The same ids again: no call.
    await cache.logitsAfter(ids.slice(0, CONFIG.block));
    assert.equal(calls.length, 1 + CONFIG.block - 3);
    // An edit at position 2: one call from there, the caches cut to 2 positions.
    const edited = [...ids.slice(0, 2), (ids[2] + 1) % CONFIG.vocabSize, ...ids.slice(3, 5)];
    await check(edited, "an edited prompt");
    assert.deepEqual(calls.at(-1), { tokens: edited.slice(2), position: 2, past: 2 });
    // Past the block: the last `block` tokens, from position 0, one call each.
    for (let n = CONFIG.block + 1; n <= ids.length; n++) {
      const before = calls.length;
      await check(ids.slice(0, n), `${n} tokens, past the block`);
      assert.equal(calls.length, before + 1);
      assert.deepEqual(calls.at(-1), {
        tokens: ids.slice(n - CONFIG.block, n),
        position: 0,
        past: 0,
      });
    }
  } finally {
    await session.release();
  }
});
