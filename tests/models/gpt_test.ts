// The GPT (nanoGPT's architecture): its parameter names and shapes as nanoGPT's state_dict,
// its initialization, every gradient element of a tiny one's grad artifact by central
// differences (dropout on), and a learner that trains one far above the baseline.
import assert from "node:assert/strict";
import { GPT, type GPTConfig } from "../../models/gpt.ts";
import { streamBatches } from "../../src/data/stream_batches.ts";
import { Graph, saveGraph } from "../../src/graph/mod.ts";
import { BuildContext } from "../../src/nn/build_context.ts";
import { dropoutMask } from "../../src/nn/dropout.ts";
import { Random } from "../../src/nn/random.ts";
import { type Tensor, tensor } from "../../src/onnx/mod.ts";
import { Session } from "../../src/runtime/session.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";
import { MAX_NODE_TENSORS } from "../../src/graph/limits.ts";
import { Learner } from "../../src/train/learner.ts";
import { checkGradArtifact } from "../helpers/grad_artifact_fd.ts";
import { expectWasmMatchesNode, runArtifact, successorChain } from "../helpers/artifact_feeds.ts";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";

const TINY: GPTConfig = {
  vocabSize: 7,
  block: 4,
  layers: 2,
  heads: 2,
  embd: 4,
  dropout: 0.2,
  bias: true,
};
const checked: ModelToCheck[] = [];

Deno.test("GPT's parameters are nanoGPT's state_dict keys and shapes; matrices decay, the rest not", () => {
  const [V, T, C] = [11, 8, 6];
  const m = new GPT({
    vocabSize: V,
    block: T,
    layers: 2,
    heads: 3,
    embd: C,
    dropout: 0,
    bias: true,
  });
  const block = (i: number) => [
    [`transformer.h.${i}.ln_1.weight`, [C], false],
    [`transformer.h.${i}.ln_1.bias`, [C], false],
    [`transformer.h.${i}.attn.c_attn.weight`, [3 * C, C], true],
    [`transformer.h.${i}.attn.c_attn.bias`, [3 * C], false],
    [`transformer.h.${i}.attn.c_proj.weight`, [C, C], true],
    [`transformer.h.${i}.attn.c_proj.bias`, [C], false],
    [`transformer.h.${i}.ln_2.weight`, [C], false],
    [`transformer.h.${i}.ln_2.bias`, [C], false],
    [`transformer.h.${i}.mlp.c_fc.weight`, [4 * C, C], true],
    [`transformer.h.${i}.mlp.c_fc.bias`, [4 * C], false],
    [`transformer.h.${i}.mlp.c_proj.weight`, [C, 4 * C], true],
    [`transformer.h.${i}.mlp.c_proj.bias`, [C], false],
  ];
  assert.deepEqual(m.namedParameters().map(([n, p]) => [n, [...p.shape], p.decay]), [
    ["transformer.wte.weight", [V, C], true],
    ["transformer.wpe.weight", [T, C], true],
    ...block(0),
    ...block(1),
    ["transformer.ln_f.weight", [C], false],
    ["transformer.ln_f.bias", [C], false],
  ]);
  assert.equal(m.lm_head.weight, m.transformer.wte.weight, "the decoder is the token embedding");
  const noBias = new GPT({
    vocabSize: V,
    block: T,
    layers: 1,
    heads: 2,
    embd: C,
    dropout: 0,
    bias: false,
  });
  assert.ok(noBias.namedParameters().every(([n]) => !n.endsWith(".bias")));
  assert.throws(
    () => new GPT({ vocabSize: V, block: T, layers: 1, heads: 4, embd: C, dropout: 0, bias: true }),
    /Attention heads must divide the features 6: got 4/,
  );
});

Deno.test("GPT draws nanoGPT's initialization: N(0, 0.02), residual projections N(0, 0.02/sqrt(2 layers)), zero biases, LayerNorms at 1", () => {
  const layers = 3;
  const m = new GPT({
    vocabSize: 500,
    block: 64,
    layers,
    heads: 4,
    embd: 64,
    dropout: 0,
    bias: true,
  });
  const init = m.initParameters(1);
  const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  const near = (name: string, want: number) => {
    const got = std(init.get(name)!);
    assert.ok(Math.abs(got - want) < 0.06 * want, `${name}: std ${got}, want ${want}`);
  };
  near("transformer.wte.weight", 0.02);
  near("transformer.h.0.attn.c_attn.weight", 0.02);
  near("transformer.h.2.mlp.c_fc.weight", 0.02);
  near("transformer.h.1.attn.c_proj.weight", 0.02 / Math.sqrt(2 * layers));
  near("transformer.h.1.mlp.c_proj.weight", 0.02 / Math.sqrt(2 * layers));
  assert.ok(init.get("transformer.h.0.mlp.c_fc.bias")!.every((v) => v === 0));
  assert.ok(init.get("transformer.ln_f.weight")!.every((v) => v === 1));
});

Deno.test("a tiny GPT's grad artifact: every parameter element matches central differences (float64, dropout on)", async () => {
  const model = new GPT(TINY);
  const [batch, steps] = [2, 4];
  const a = buildArtifacts(model, { batchSize: batch, seqLen: steps, dtype: "float64" });
  const rng = new Random(3);
  const init = model.initParameters(2);
  const feeds: Record<string, Tensor> = {};
  // Weights larger than nanoGPT's start, so every path carries a gradient worth checking.
  for (const p of a.spec.params) {
    feeds[p.name] = tensor(
      "float64",
      p.shape,
      Float64Array.from(init.get(p.name)!, (v) => (p.name.includes("ln_") ? v : 10 * v)),
    );
  }
  assert.ok(a.spec.masks.length >= 5, "embedding, attention and residual dropout masks");
  for (const m of a.spec.masks) {
    const n = m.shape.reduce((x, y) => x * y);
    feeds[m.name] = tensor("float64", m.shape, dropoutMask(rng, n, m.p, "float64"));
  }
  const ids = () => Array.from({ length: batch * steps }, () => BigInt(Math.floor(rng.next() * 7)));
  feeds.tokens = tensor("int64", [batch, steps], ids());
  feeds.targets = tensor("int64", [batch, steps], ids());
  const bytes = saveGraph(a.grad);
  checked.push({ label: "tiny GPT grad", bytes });
  const session = await Session.create(bytes, { threads: 1 });
  try {
    const out = await session.run(feeds);
    const elements = await checkGradArtifact(session, feeds, a.spec.params, out);
    assert.equal(elements, model.namedParameters().reduce((n, [, p]) => n + p.size, 0));
  } finally {
    await session.release();
  }
});

Deno.test("a float32 learner trains a small GPT far above the baseline", async () => {
  const model = new GPT({
    vocabSize: 60,
    block: 16,
    layers: 2,
    heads: 2,
    embd: 32,
    dropout: 0,
    bias: true,
  });
  // Each token mostly follows from the one before: a model that learns it predicts 80%.
  const ids = successorChain(8000, 60, 5);
  const batches = (from: number, to: number) =>
    streamBatches(ids.subarray(from, to), { data: "sequence", bs: 16, sl: 16 });
  const recipe = {
    data: "sequence",
    epochs: 6,
    lrMax: 3e-3,
    wd: 0.1,
    moms: [0.95, 0.85, 0.95],
    batchSize: 16,
    seqLen: 16,
  } as const;
  const learner = await Learner.create(model, recipe, {
    seed: 1,
    data: { train: batches(0, 7000), valid: batches(7000, 8000) },
  });
  try {
    const history = await learner.fit(6);
    const last = history.at(-1)!;
    // 0.81 here (the chain's ceiling); no token is 2% of the text.
    assert.ok(last.accuracy > 0.7, `accuracy ${last.accuracy}`);
    assert.ok(last.valid_loss < history[0].valid_loss, "the validation loss falls");
  } finally {
    await learner.release();
  }
});

referenceCheckTest("GPT graphs pass the reference ONNX checker", checked);

/** `[rows, out]` = `x [rows, in]` times `w [out, in]` transposed, plus `b`. */
function linear(x: number[][], w: Float64Array, b: Float64Array | undefined): number[][] {
  const inner = x[0].length;
  const out = w.length / inner;
  return x.map((row) =>
    Array.from({ length: out }, (_, o) => {
      let s = b ? b[o] : 0;
      for (let k = 0; k < inner; k++) s += row[k] * w[o * inner + k];
      return s;
    })
  );
}

function layerNorm(x: number[][], w: Float64Array, b: Float64Array): number[][] {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, k) => ((v - mean) / Math.sqrt(variance + 1e-5)) * w[k] + b[k]);
  });
}

/** erf by its positive-term series (exact to float64 for |x| <= 6). */
function erfRef(x: number): number {
  const z = Math.max(-6, Math.min(6, x));
  let t = 1;
  for (let k = 120; k >= 1; k--) t = 1 + z * z * (2 / (2 * k + 1)) * t;
  return (2 / Math.sqrt(Math.PI)) * z * Math.exp(-z * z) * t;
}

/** nanoGPT's forward in plain float64 for one row of tokens: logits `[T, vocab]`. */
function referenceLogits(c: GPTConfig, w: Map<string, Float64Array>, tokens: number[]): number[][] {
  const C = c.embd;
  const hs = C / c.heads;
  const p = (name: string) => w.get(name)!;
  let x = tokens.map((tok, pos) =>
    Array.from(
      { length: C },
      (_, k) => p("transformer.wte.weight")[tok * C + k] + p("transformer.wpe.weight")[pos * C + k],
    )
  );
  for (let l = 0; l < c.layers; l++) {
    const h = (name: string) => p(`transformer.h.${l}.${name}`);
    const qkv = linear(
      layerNorm(x, h("ln_1.weight"), h("ln_1.bias")),
      h("attn.c_attn.weight"),
      h("attn.c_attn.bias"),
    );
    const joined = x.map((_, i) =>
      Array.from({ length: C }, (_, k) => {
        const head = Math.floor(k / hs);
        const q = (j: number, d: number) => qkv[j][head * hs + d];
        const key = (j: number, d: number) => qkv[j][C + head * hs + d];
        const value = (j: number, d: number) => qkv[j][2 * C + head * hs + d];
        // Position i attends to 0..i only.
        const scores = Array.from({ length: i + 1 }, (_, j) => {
          let s = 0;
          for (let d = 0; d < hs; d++) s += q(i, d) * key(j, d);
          return s / Math.sqrt(hs);
        });
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        return e.reduce((s, ej, j) => s + (ej / z) * value(j, k - head * hs), 0);
      })
    );
    const attended = linear(joined, h("attn.c_proj.weight"), h("attn.c_proj.bias"));
    x = x.map((row, i) => row.map((v, k) => v + attended[i][k]));
    const hidden = linear(
      layerNorm(x, h("ln_2.weight"), h("ln_2.bias")),
      h("mlp.c_fc.weight"),
      h("mlp.c_fc.bias"),
    )
      .map((row) => row.map((v) => 0.5 * v * (1 + erfRef(v / Math.SQRT2))));
    const mlp = linear(hidden, h("mlp.c_proj.weight"), h("mlp.c_proj.bias"));
    x = x.map((row, i) => row.map((v, k) => v + mlp[i][k]));
  }
  const final = layerNorm(x, p("transformer.ln_f.weight"), p("transformer.ln_f.bias"));
  return linear(final, p("transformer.wte.weight"), undefined);
}

Deno.test("a GPT's logits and loss equal a plain float64 reference of nanoGPT's forward (causal: no position sees a later one)", async () => {
  const c: GPTConfig = { ...TINY, vocabSize: 9, block: 5, embd: 6, heads: 3, dropout: 0 };
  const model = new GPT(c);
  const [batch, steps] = [2, 5];
  const a = buildArtifacts(model, { batchSize: batch, seqLen: steps, dtype: "float64" });
  const rng = new Random(8);
  // Weights far from nanoGPT's small start, so every term of the forward pass counts.
  const weights = new Map(
    model.namedParameters().map(([n, p]) => [
      n,
      Float64Array.from(
        { length: p.size },
        () => rng.uniform(-0.8, 0.8) + (n.includes("ln_") && n.endsWith("weight") ? 1 : 0),
      ),
    ]),
  );
  const tokens = Array.from({ length: batch * steps }, () => Math.floor(rng.next() * c.vocabSize));
  const targets = Array.from({ length: batch * steps }, () => Math.floor(rng.next() * c.vocabSize));
  const feeds: Record<string, Tensor> = {
    tokens: tensor("int64", [batch, steps], tokens.map(BigInt)),
    targets: tensor("int64", [batch, steps], targets.map(BigInt)),
  };
  for (const p of a.spec.params) feeds[p.name] = tensor("float64", p.shape, weights.get(p.name)!);
  const run = (g: typeof a.infer) => runArtifact(g.name, g, feeds, checked);
  const logits = (await run(a.infer)).logits.data as Float64Array;
  const lossSum = ((await run(a.eval)).loss_sum.data as Float64Array)[0];
  let nll = 0;
  for (let r = 0; r < batch; r++) {
    const want = referenceLogits(c, weights, tokens.slice(r * steps, (r + 1) * steps));
    want.forEach((row, i) => {
      row.forEach((v, k) => {
        const got = logits[(r * steps + i) * c.vocabSize + k];
        assert.ok(
          Math.abs(got - v) <= 1e-12 * Math.max(1, Math.abs(v)),
          `logit [${r}, ${i}, ${k}]: ${got} vs ${v}`,
        );
      });
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      nll += lse - row[targets[r * steps + i]];
    });
  }
  assert.ok(Math.abs(lossSum - nll) <= 1e-12 * nll, `loss_sum ${lossSum} vs ${nll}`);
});

Deno.test("the KV-cache step, one token at a time from an empty cache, gives the full-context graph's logits within 1e-5 (float32)", async () => {
  const c: GPTConfig = { ...TINY, vocabSize: 11, block: 6, embd: 8, heads: 2, dropout: 0 };
  const model = new GPT(c);
  const [batch, steps, size] = [2, 6, 4];
  const rng = new Random(4);
  const weights = new Map(
    model.namedParameters().map(([n, p]) => [
      n,
      Float32Array.from(
        { length: p.size },
        () => rng.uniform(-0.5, 0.5) + (n.includes("ln_") && n.endsWith("weight") ? 1 : 0),
      ),
    ]),
  );
  const tokens = Array.from({ length: batch * steps }, () => Math.floor(rng.next() * c.vocabSize));
  const paramFeeds = Object.fromEntries(
    model.namedParameters().map(([n, p]) => [n, tensor("float32", p.shape, weights.get(n)!)]),
  );
  // The full context at once: the infer graph.
  const a = buildArtifacts(model, { batchSize: batch, seqLen: steps });
  const full = await Session.create(saveGraph(a.infer), { threads: 1 });
  const whole = (await full.run({
    ...paramFeeds,
    tokens: tensor("int64", [batch, steps], tokens.map(BigInt)),
  })).logits.data as Float32Array;
  await full.release();
  // One token a step, the cache fed back.
  const g = new Graph("gpt_step");
  const params = new Map(
    model.namedParameters().map(([n, p]) => [p, g.input(n, "float32", p.shape)]),
  );
  const ctx = new BuildContext(g, { parameters: params });
  const past = model.transformer.h.map((_, i) => ({
    keys: g.input(`past.${i}.keys`, "float32", ["batch", c.heads, "past", size]),
    values: g.input(`past.${i}.values`, "float32", ["batch", c.heads, "past", size]),
  }));
  const out = model.step(
    ctx,
    g.input("token", "int64", ["batch", 1]),
    g.input("position", "int64", [1]),
    past,
  );
  g.output(out.logits, "logits");
  out.present.forEach((p, i) => {
    g.output(p.keys, `present.${i}.keys`);
    g.output(p.values, `present.${i}.values`);
  });
  const step = await Session.create(saveGraph(g), { threads: 1 });
  try {
    let cache: Record<string, Tensor> = {};
    model.transformer.h.forEach((_, i) => {
      for (const kind of ["keys", "values"]) {
        cache[`past.${i}.${kind}`] = tensor(
          "float32",
          [batch, c.heads, 0, size],
          new Float32Array(0),
        );
      }
    });
    for (let t = 0; t < steps; t++) {
      const r = await step.run({
        ...paramFeeds,
        ...cache,
        token: tensor(
          "int64",
          [batch, 1],
          Array.from({ length: batch }, (_, b) => BigInt(tokens[b * steps + t])),
        ),
        position: tensor("int64", [1], [BigInt(t)]),
      });
      const logits = r.logits.data as Float32Array;
      for (let b = 0; b < batch; b++) {
        for (let k = 0; k < c.vocabSize; k++) {
          const want = whole[(b * steps + t) * c.vocabSize + k];
          const got = logits[b * c.vocabSize + k];
          assert.ok(
            Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)),
            `row ${b}, step ${t}, token ${k}: ${got} vs ${want}`,
          );
        }
      }
      cache = Object.fromEntries(
        Object.entries(r).filter(([k]) => k.startsWith("present.")).map((
          [k, v],
        ) => [k.replace("present.", "past."), v]),
      );
      assert.deepEqual(cache["past.0.keys"].dims, [batch, c.heads, t + 1, size]);
    }
  } finally {
    await step.release();
  }
});

Deno.test("a GPT built for WebGPU uses only ops its EP has kernels for, each node within its bindings", () => {
  const model = new GPT({ ...TINY, layers: 3 });
  const a = buildArtifacts(model, { batchSize: 2, seqLen: 4, webgpu: true, clipGradNorm: 1 });
  for (const kind of ["train", "grad", "eval", "infer"] as const) {
    const g = a[kind];
    const ops = new Set<string>(g.nodes.map((n) => n.opType));
    for (const missing of ["LogSoftmax", "Sum"]) {
      assert.ok(!ops.has(missing), `${kind}: ${missing} has no WebGPU kernel`);
    }
    const widest = Math.max(...g.nodes.map((n) => n.inputs.length + n.outputs.length));
    assert.ok(widest <= MAX_NODE_TENSORS, `${kind}: a node binds ${widest} tensors`);
  }
});

Deno.test("a GPT's grad graph (dropout, clipping) runs on onnxruntime-web's wasm (the Train panel's backend) as on node", async () => {
  const model = new GPT({ ...TINY, embd: 8 });
  const a = buildArtifacts(model, { batchSize: 2, seqLen: 4, clipGradNorm: 1 });
  const rng = new Random(6);
  const feeds: Record<string, Tensor> = {
    tokens: tensor(
      "int64",
      [2, 4],
      Array.from({ length: 8 }, () => BigInt(Math.floor(rng.next() * 7))),
    ),
    targets: tensor(
      "int64",
      [2, 4],
      Array.from({ length: 8 }, () => BigInt(Math.floor(rng.next() * 7))),
    ),
  };
  const init = model.initParameters(3);
  for (const p of a.spec.params) feeds[p.name] = tensor("float32", p.shape, init.get(p.name)!);
  for (const m of a.spec.masks) {
    feeds[m.name] = tensor(
      "float32",
      m.shape,
      dropoutMask(rng, m.shape.reduce((x, y) => x * y), m.p),
    );
  }
  const node = await expectWasmMatchesNode(saveGraph(a.grad), feeds);
  assert.ok(Object.keys(node).some((k) => k.startsWith("grad.transformer.h.1.")));
});
