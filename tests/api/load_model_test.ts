/**
 * The model API on real exports: a Human Numbers LSTM (lm6), a fixed-context model (lm1) and
 * a char model trained on its own text, against the step graph run directly with `Session`.
 */
import assert from "node:assert/strict";
import * as ortWeb from "onnxruntime-web";
import { loadModel, ModelLoadError, PromptError, sidecarFromMetadata } from "../../src/api/mod.ts";
import { argmax, softmax } from "../../src/generate/sampling.ts";
import { decodeModel } from "../../src/onnx/decode.ts";
import { encodeModel } from "../../src/onnx/encode.ts";
import { readModelHeader } from "../../src/onnx/model_header.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import type { OrtModule } from "../../src/runtime/backend.ts";
import { Session } from "../../src/runtime/session.ts";
import { exportFixture } from "../e2e/fixture.ts";
import { trainOwnText } from "../e2e/own_text.ts";

ortWeb.env.wasm.numThreads = 1;

const dir = await Deno.makeTempDir({ prefix: "onnx-lm-api-" });
await exportFixture(dir, "lm6", 1);
await exportFixture(dir, "lm1", 1);
const lm6 = `${dir}/lm6.onnx`;

/** Next-token logits after ids, by the step graph run directly (state fed by hand). */
async function direct(path: string, ids: number[]): Promise<Float32Array> {
  const session = await Session.create(await Deno.readFile(path), { threads: 1 });
  try {
    let state: Record<string, Tensor> = {
      h: tensor("float32", [2, 1, 64], new Float32Array(128)),
      c: tensor("float32", [2, 1, 64], new Float32Array(128)),
    };
    let logits: Float32Array = new Float32Array();
    for (const id of ids) {
      const out = await session.run({ tokens: tensor("int64", [1, 1], [BigInt(id)]), ...state });
      state = { h: out.h_out, c: out.c_out };
      logits = out.logits.data as Float32Array;
    }
    return logits;
  } finally {
    await session.release();
  }
}

Deno.test("loadModel(path).nextTokens() gives the step graph's softmax, most likely first", async () => {
  const model = await loadModel(lm6);
  try {
    assert.equal(model.device, "cpu");
    assert.equal(model.name, "lm6");
    const top = await model.nextTokens("one . two .", 5);
    const probs = softmax(await direct(lm6, [0, 1, 2, 1]));
    assert.equal(top.length, 5);
    for (const t of top) {
      assert.ok(Math.abs(t.prob - probs[t.id]) < 1e-6, `${t.token}: ${t.prob} vs ${probs[t.id]}`);
      assert.equal(t.token, model.vocab[t.id]);
    }
    assert.equal(top[0].id, argmax(probs));
    assert.ok(top.every((t, i) => i === 0 || top[i - 1].prob >= t.prob));
  } finally {
    await model.release();
  }
});

Deno.test("TextModel: a prompt that grows by one token costs one run", async () => {
  const model = await loadModel(lm6);
  try {
    await model.nextTokens("one . two .");
    assert.equal(model.runTimes.length, 4);
    await model.nextTokens("one . two . three");
    assert.equal(model.runTimes.length, 5);
    await model.nextTokens("one . two . three");
    assert.equal(model.runTimes.length, 5, "the same prompt again runs nothing");
    const [a, b] = await Promise.all([model.nextTokens("two ."), model.nextTokens("one . two")]);
    assert.deepEqual(a, await model.nextTokens("two ."), "queued calls do not mix their states");
    assert.deepEqual(b, await model.nextTokens("one . two"));
  } finally {
    await model.release();
  }
});

Deno.test("TextModel.generate() at temperature 0 is the greedy continuation", async () => {
  const model = await loadModel(lm6);
  try {
    const ids = [0, 1];
    for (let i = 0; i < 6; i++) ids.push(argmax(await direct(lm6, ids)));
    const expected = ids.slice(2).map((id) => model.vocab[id]).join(" ").replaceAll(" .", ".");
    assert.equal(await model.generate("one .", { n: 6, temperature: 0 }), ` ${expected}`);
  } finally {
    await model.release();
  }
});

Deno.test("TextModel: the same seed gives the same text on onnxruntime-node and onnxruntime-web", async () => {
  const node = await loadModel(lm6);
  const web = await loadModel(lm6, { ort: ortWeb as unknown as OrtModule });
  try {
    assert.equal(web.device, "wasm", "onnxruntime-web without a hardware GPU runs on wasm");
    const options = { n: 30, temperature: 1, topK: 10, topP: 0.9, seed: 7 };
    const a = await node.generate("one . two .", options);
    assert.equal(await node.generate("one . two .", options), a);
    assert.equal(await web.generate("one . two .", options), a);
    assert.notEqual(await node.generate("one . two .", { ...options, seed: 8 }), a);
  } finally {
    await node.release();
    await web.release();
  }
});

Deno.test("TextModel.stream() yields each token with the text so far, and stops when asked", async () => {
  const model = await loadModel(lm6);
  try {
    const options = { n: 8, seed: 3 };
    const seen = [];
    for await (const t of model.stream("one .", options)) seen.push(t);
    assert.equal(seen.length, 8);
    assert.equal(seen.at(-1)!.text, await model.generate("one .", options));
    assert.ok(seen.every((t) => t.token === model.vocab[t.id]));
    const before = model.runTimes.length;
    let taken = 0;
    for await (const _ of model.stream("two .", { n: 100, seed: 1 })) if (++taken === 2) break;
    assert.equal(model.runTimes.length - before, 2 + 1, "the prompt's tokens, then one more");
  } finally {
    await model.release();
  }
});

Deno.test("TextModel: a fixed-context model (lm1) reads the last 3 tokens", async () => {
  const model = await loadModel(`${dir}/lm1.onnx`);
  try {
    assert.equal(model.minTokens, 3);
    const text = await model.generate("one . two", { n: 5, temperature: 0 });
    assert.equal(text.split(/\s+|(?=\.)/).filter(Boolean).length, 5);
    await assert.rejects(
      model.nextTokens("one ."),
      (e) => e instanceof PromptError && /lm1 reads the last 3 tokens/.test(e.message),
    );
  } finally {
    await model.release();
  }
});

Deno.test("TextModel refuses bad prompts and options with a clear error", async () => {
  const model = await loadModel(lm6);
  try {
    await assert.rejects(model.nextTokens("one twoo"), /^PromptError: Unknown word "twoo"/);
    await assert.rejects(model.generate("one", { n: -1 }), /n must be an integer from 0/);
    await assert.rejects(model.generate("one", { topP: 0 }), /topP must be in \(0, 1\]: got 0/);
    await assert.rejects(model.generate("one", { temperature: NaN }), /temperature must be/);
    await assert.rejects(model.generate("one", { seed: 1.5 }), /seed must be an integer/);
    await assert.rejects(model.nextTokens([0, 99]), /Token id 99 at position 1 is outside/);
  } finally {
    await model.release();
  }
});

Deno.test("loadModel(bytes) reads the sidecar the export wrote into the file", async () => {
  const bytes = await Deno.readFile(lm6);
  const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/lm6.json`));
  const fromMeta = sidecarFromMetadata(readModelHeader(bytes, "lm6.onnx"), "lm6.onnx");
  for (
    const key of ["model", "kind", "context", "vocab", "tokenizer", "state", "metrics", "seed"]
  ) {
    assert.deepEqual(fromMeta[key as keyof typeof fromMeta], sidecar[key], key);
  }
  const model = await loadModel(bytes);
  const withSidecar = await loadModel(bytes.buffer, { sidecar });
  const fromUrl = await loadModel(new URL(`file://${lm6}`));
  try {
    const expected = await model.nextTokens("one .", 3);
    assert.deepEqual(await withSidecar.nextTokens("one .", 3), expected);
    assert.deepEqual(await fromUrl.nextTokens("one .", 3), expected);
  } finally {
    await Promise.all([model.release(), withSidecar.release(), fromUrl.release()]);
  }
});

Deno.test("loadModel() refuses missing, foreign and mismatched files by name", async () => {
  const refuses = (p: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(p, (e) => e instanceof ModelLoadError && pattern.test(e.message));
  await refuses(loadModel(`${dir}/none.onnx`), /Cannot load .*none\.onnx: there is no such file/);
  await Deno.copyFile(lm6, `${dir}/alone.onnx`);
  await refuses(loadModel(`${dir}/alone.onnx`), /its sidecar .*alone\.json is missing/);
  await Deno.copyFile(`${dir}/lm1.json`, `${dir}/alone.json`);
  await refuses(
    loadModel(`${dir}/alone.onnx`),
    /come from different exports \(export id [0-9a-f]{16} in the file, [0-9a-f]{16} in the sidecar\)/,
  );
  await Deno.writeTextFile(`${dir}/alone.json`, "{");
  await refuses(loadModel(`${dir}/alone.onnx`), /alone\.json.*not JSON/);
  await refuses(loadModel(Uint8Array.of(1, 2, 3)), /the model's bytes/);
  await refuses(loadModel(lm6, { backend: "wasm" }), /on "wasm": onnxruntime-node .* runs "cpu"/);
  await refuses(
    loadModel(lm6, { ort: ortWeb as unknown as OrtModule, backend: "cuda" }),
    /onnxruntime-web .* runs "wasm", "webgpu"/,
  );
  await refuses(loadModel(42 as unknown as string), /takes a URL, a path or the bytes.*got number/);
});

Deno.test("loadModel() refuses weights holding NaN/Inf, naming the file, tensor and count", async () => {
  const model = decodeModel(await Deno.readFile(lm6));
  const [first, ...rest] = model.graph.initializers;
  const data = Float32Array.from(first.tensor.data as Float32Array);
  data.fill(NaN, 0, 12);
  const broken = encodeModel({
    ...model,
    graph: {
      ...model.graph,
      initializers: [{ name: first.name, tensor: { ...first.tensor, data } }, ...rest],
    },
  });
  await Deno.writeFile(`${dir}/nan.onnx`, broken);
  await Deno.copyFile(`${dir}/lm6.json`, `${dir}/nan.json`);
  const expected = `Cannot load ${dir}/nan.onnx: weight "${first.name}" holds 12 NaN/Inf values ` +
    `of ${data.length.toLocaleString("en")}: the model diverged during training (train again ` +
    `with a lower --lr) or the file is damaged`;
  await assert.rejects(loadModel(`${dir}/nan.onnx`), new ModelLoadError(expected));
  await assert.rejects(loadModel(broken), /^ModelLoadError: Cannot load the model's bytes: weight/);
});

Deno.test("TextModel on own text: xxbos first, unknown tokens reported, xxunk never chosen", async () => {
  const own = await Deno.makeTempDir({ prefix: "onnx-lm-api-own-" });
  try {
    const text = "the cat sat on the mat. the dog sat on the log. ".repeat(300);
    await trainOwnText(own, "mats", text, ["--tokens", "char", "--epochs", "1", "--hidden", "16"]);
    const model = await loadModel(`${own}/models/mats.onnx`);
    try {
      const read = model.readPrompt("the zoo");
      assert.equal(model.vocab[read.ids[0]], "xxbos");
      assert.deepEqual(read.unknown, ["z"]);
      const unk = model.vocab.indexOf("xxunk");
      let chosen = 0;
      for await (const t of model.stream("the c", { n: 300, temperature: 20, seed: 2 })) {
        assert.notEqual(t.id, unk, "xxunk is never sampled");
        chosen++;
      }
      assert.equal(chosen, 300);
    } finally {
      await model.release();
    }
  } finally {
    await Deno.remove(own, { recursive: true });
  }
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
