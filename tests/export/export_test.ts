import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { humanNumbers } from "../../src/data/pipelines.ts";
import { exportModel } from "../../src/export/export_model.ts";
import { decodeModel, type Tensor, tensor } from "../../src/onnx/mod.ts";
import { saveGraph } from "../../src/graph/mod.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";
import { Session } from "../../src/runtime/session.ts";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose } from "../helpers/reference.ts";

const checked: ModelToCheck[] = [];

function exportFor(name: string, seed: number, seq?: number) {
  const entry = findModel(name);
  const model = entry.create();
  const weights = model.initParameters(seed);
  const files = exportModel(model, weights, {
    name: entry.name,
    description: entry.description,
    vocab: humanNumbers().vocab.words,
    metrics: { accuracy: 0.5, valid_loss: 1.5, epochs: 1 },
    recipe: entry.recipe,
    seed,
    context: entry.recipe.seqLen,
  }, seq);
  for (const [file, bytes] of files.files) {
    if (file.endsWith(".onnx")) checked.push({ label: file, bytes });
  }
  return { entry, model, weights, ...files };
}

const zeros = (shape: number[]) =>
  tensor("float32", shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));

/** Runs the training-time infer artifact on `tokens` from zero state. */
async function inferLogits(name: string, weights: Map<string, Float32Array>, tokens: bigint[][]) {
  const entry = findModel(name);
  const model = entry.create();
  const a = buildArtifacts(model, { batchSize: 1, seqLen: entry.recipe.seqLen });
  const s = await Session.create(saveGraph(a.infer));
  const feeds: Record<string, Tensor> = {};
  for (const [key, p] of model.namedParameters()) {
    feeds[key] = tensor("float32", p.shape, weights.get(key)!);
  }
  const b = tokens.length;
  feeds.tokens = tensor("int64", [b, tokens[0].length], tokens.flat());
  for (const st of model.state) feeds[st.name] = zeros([st.layers, b, st.hidden]);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

const sample = (n: number, row: number) =>
  Array.from({ length: n }, (_, t) => BigInt((t * 7 + row * 3) % 30));

for (const name of ["lm3", "lm4", "lm5", "lm6", "lm7", "gru"]) {
  Deno.test(`the one-step ${name} graph, run token by token, equals the infer artifact's logits`, async () => {
    const { entry, weights, files, sidecar } = exportFor(name, 11, findModel(name).recipe.seqLen);
    const T = entry.recipe.seqLen;
    const tokens = [sample(T, 0), sample(T, 1)];
    const expected = await inferLogits(name, weights, tokens);
    const step = await Session.create(files.get(sidecar.file)!);
    const whole = await Session.create(files.get(sidecar.seq!.file)!);
    try {
      let state: Record<string, Tensor> = {};
      for (const st of sidecar.state) {
        state[st.name] = zeros(
          (st.shape as (number | string)[]).map((d) => d === "batch" ? 2 : d as number),
        );
      }
      const perStep: number[][] = [];
      for (let t = 0; t < T; t++) {
        const out = await step.run({
          tokens: tensor("int64", [2, 1], tokens.map((r) => r[t])),
          ...state,
        });
        assert.deepEqual(out.logits.dims, [2, 1, 30]);
        perStep.push(Array.from(out.logits.data as Float32Array));
        state = Object.fromEntries(sidecar.state.map((st) => [st.name, out[`${st.name}_out`]]));
      }
      const want = Array.from(expected.logits.data as Float32Array);
      if (expected.logits.dims.length === 3) {
        // [2, T, 30]: compare every step's prediction.
        const got = [0, 1].flatMap((b) => perStep.flatMap((row) => row.slice(b * 30, b * 30 + 30)));
        assertClose(got, want, { rtol: 1e-4, atol: 1e-4 }, `${name} per-step logits`);
      } else {
        assertClose(perStep[T - 1], want, { rtol: 1e-4, atol: 1e-4 }, `${name} last logits`);
      }
      for (const st of sidecar.state) {
        assertClose(
          Array.from(state[st.name].data as Float32Array),
          Array.from(expected[`${st.name}_out`].data as Float32Array),
          { rtol: 1e-4, atol: 1e-5 },
          `${name} ${st.name}_out`,
        );
      }
      const seqOut = await whole.run({
        tokens: tensor("int64", [2, T], tokens.flat()),
        ...Object.fromEntries(
          sidecar.state.map((st) => [
            st.name,
            zeros((st.shape as (number | string)[]).map((d) => d === "batch" ? 2 : d as number)),
          ]),
        ),
      });
      assert.deepEqual(seqOut.logits.dims, [2, T, 30]);
      const lastOfSeq = [0, 1].flatMap((b) =>
        Array.from(
          (seqOut.logits.data as Float32Array).slice((b * T + T - 1) * 30, (b * T + T) * 30),
        )
      );
      assertClose(
        lastOfSeq,
        perStep[T - 1],
        { rtol: 1e-4, atol: 1e-4 },
        `${name} seq graph's last step`,
      );
    } finally {
      await step.release();
      await whole.release();
    }
  });
}

Deno.test("the fixed-context lm1 graph equals the infer artifact", async () => {
  const { weights, files, sidecar } = exportFor("lm1", 5);
  assert.equal(sidecar.kind, "fixed");
  assert.equal(sidecar.context, 3);
  assert.deepEqual(sidecar.state, []);
  const tokens = [sample(3, 0), sample(3, 4), sample(3, 9)];
  const expected = await inferLogits("lm1", weights, tokens);
  const s = await Session.create(files.get("lm1.onnx")!);
  try {
    const out = await s.run({ tokens: tensor("int64", [3, 3], tokens.flat()) });
    assert.deepEqual(out.logits.dims, [3, 30]);
    assertClose(
      Array.from(out.logits.data as Float32Array),
      Array.from(expected.logits.data as Float32Array),
      { rtol: 1e-5, atol: 1e-5 },
      "lm1",
    );
  } finally {
    await s.release();
  }
  assert.throws(
    () => exportFor("lm1", 5, 4),
    /--seq needs a recurrent model: lm1 always reads 3 tokens/,
  );
});

Deno.test("exported files hold only the weights (tied once), the documented inputs and metadata", () => {
  const { files, sidecar } = exportFor("lm7", 3);
  const model = decodeModel(files.get("lm7.onnx")!);
  assert.deepEqual(model.graph.initializers.map((i) => i.name), [
    "i_h.weight",
    ...[0, 1].flatMap((l) =>
      ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map((w) => `rnn.${w}_l${l}`)
    ),
    "h_o.bias",
  ]);
  assert.deepEqual(model.graph.inputs.map((v) => [v.name, v.dtype, v.shape]), [
    ["tokens", "int64", ["batch", 1]],
    ["h", "float32", [2, "batch", 64]],
    ["c", "float32", [2, "batch", 64]],
  ]);
  assert.deepEqual(model.graph.outputs.map((v) => [v.name, v.shape]), [
    ["logits", ["batch", 1, 30]],
    ["h_out", [2, "batch", 64]],
    ["c_out", [2, "batch", 64]],
  ]);
  const meta = new Map(model.metadata);
  assert.deepEqual(JSON.parse(meta.get("onnx_lm.vocab")!), humanNumbers().vocab.words);
  assert.equal(meta.get("onnx_lm.model"), "lm7");
  assert.equal(meta.get("onnx_lm.producer"), "onnx-lm 0.1.0");
  assert.equal(meta.get("onnx_lm.opset"), "17");
  assert.deepEqual(JSON.parse(meta.get("onnx_lm.metrics")!), {
    accuracy: 0.5,
    valid_loss: 1.5,
    epochs: 1,
  });
  assert.equal(model.producerName, "onnx-lm");
  const json = JSON.parse(new TextDecoder().decode(files.get("lm7.json")!));
  assert.deepEqual(json, JSON.parse(JSON.stringify(sidecar)));
  assert.equal(json.vocab[29], "thousand");
  assert.ok(
    !model.graph.nodes.some((n) => ["Sqrt", "Pow", "ScatterElements"].includes(n.opType)),
    "no optimizer or gradient nodes",
  );
});

referenceCheckTest("every exported graph passes the reference ONNX checker", checked);
