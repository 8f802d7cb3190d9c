import assert from "node:assert/strict";
import { Linear } from "../../src/nn/linear.ts";
import { type Dim, Graph } from "../../src/graph/mod.ts";
import { Random } from "../../src/nn/random.ts";
import type { LMModel7 } from "../../models/lm_model7.ts";
import { findModel, MODELS } from "../../models/registry.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose, rng } from "../helpers/reference.ts";
import { bindModel, runGraph, saved, t64, tI64 } from "../helpers/run_graph.ts";
import { H, initFeeds, linearRef, TOL, V } from "./weights.ts";

type Param = [name: string, shape: number[], decay: boolean];
const linear = (name: string, out: number, inp: number): Param[] => [
  [`${name}.weight`, [out, inp], true],
  [`${name}.bias`, [out], false], // fastai: no weight decay on Linear biases
];
const recurrent = (gates: number): Param[] =>
  [0, 1].flatMap((l): Param[] => [
    [`rnn.weight_ih_l${l}`, [gates * H, H], true],
    [`rnn.weight_hh_l${l}`, [gates * H, H], true],
    [`rnn.bias_ih_l${l}`, [gates * H], true],
    [`rnn.bias_hh_l${l}`, [gates * H], true],
  ]);
const LM1: Param[] = [
  ["i_h.weight", [30, 64], true],
  ["h_h.weight", [64, 64], true],
  ["h_h.bias", [64], false],
  ["h_o.weight", [30, 64], true],
  ["h_o.bias", [30], false],
];
const emb: Param = ["i_h.weight", [V, H], true];

/** PyTorch `named_parameters()` of the book's modules (a tied weight is listed once). */
const EXPECTED_PARAMS: Record<string, Param[]> = {
  lm1: LM1,
  lm2: LM1,
  lm3: LM1,
  lm4: LM1,
  lm5: [emb, ...recurrent(1), ...linear("h_o", V, H)],
  lm6: [emb, ...recurrent(4), ...linear("h_o", V, H)],
  lm7: [emb, ...recurrent(4), ["h_o.bias", [V], false]], // h_o.weight is i_h.weight
  gru: [emb, ...recurrent(3), ...linear("h_o", V, H)],
  gpt: babyGpt(),
};

/** nanoGPT's `named_parameters()` of its CPU baby GPT (4 layers, 128 features, block 64, no bias). */
function babyGpt(): Param[] {
  const E = 128;
  const block = (i: number): Param[] => [
    [`transformer.h.${i}.ln_1.weight`, [E], false],
    [`transformer.h.${i}.attn.c_attn.weight`, [3 * E, E], true],
    [`transformer.h.${i}.attn.c_proj.weight`, [E, E], true],
    [`transformer.h.${i}.ln_2.weight`, [E], false],
    [`transformer.h.${i}.mlp.c_fc.weight`, [4 * E, E], true],
    [`transformer.h.${i}.mlp.c_proj.weight`, [E, 4 * E], true],
  ];
  return [
    ["transformer.wte.weight", [V, E], true], // lm_head.weight is tied to it
    ["transformer.wpe.weight", [64, E], true],
    ...[0, 1, 2, 3].flatMap(block),
    ["transformer.ln_f.weight", [E], false],
  ];
}

const h1 = { name: "h", layers: 1, hidden: H };
const h2 = { name: "h", layers: 2, hidden: H };
const c2 = { name: "c", layers: 2, hidden: H };
const EXPECTED_STATE: Record<string, object[]> = {
  lm1: [],
  lm2: [],
  lm3: [h1],
  lm4: [h1],
  lm5: [h2],
  lm6: [h2, c2],
  lm7: [h2, c2],
  gru: [h2],
  gpt: [],
};

Deno.test("every model's parameters follow the book's state_dict names, shapes and decay", () => {
  assert.deepEqual(MODELS.map((m) => m.name), Object.keys(EXPECTED_PARAMS));
  for (const entry of MODELS) {
    const m = entry.create();
    const got = m.namedParameters().map(([n, p]) => [n, [...p.shape], p.decay]);
    assert.deepEqual(got, EXPECTED_PARAMS[entry.name], entry.name);
    assert.deepEqual(m.state, EXPECTED_STATE[entry.name], `${entry.name} state`);
    assert.equal(m.vocabSize, V, `${entry.name} vocab`);
  }
  const lm7 = findModel("lm7").create() as LMModel7;
  assert.ok(lm7.h_o instanceof Linear, "LMModel7's decoder is linear");
  assert.equal(lm7.h_o.weight, lm7.i_h.weight, "LMModel7 ties h_o.weight to i_h.weight");
  assert.equal(lm7.drop.p, 0.4);
});

const BATCH = 2;
const seqLen = (name: string) => findModel(name).recipe.seqLen;

for (const entry of MODELS) {
  Deno.test(`${entry.name}: forward() builds the documented shapes and runs`, async () => {
    const m = entry.create();
    const T = seqLen(entry.name);
    const g = new Graph(entry.name);
    const ctx = bindModel(g, m, "float64");
    const x = g.input("x", "int64", ["batch", T]);
    const state = m.state.map((s) => g.input(s.name, "float64", [s.layers, "batch", s.hidden]));
    const out = m.forward(ctx, x, state);
    const logits: Dim[] = T === 3 ? ["batch", V] : ["batch", T, V];
    assert.deepEqual(out.logits.shape, logits, "logits shape");
    assert.equal(out.state.length, m.state.length);
    m.state.forEach((s, i) => {
      assert.deepEqual(out.state[i].shape, [s.layers, "batch", s.hidden], `${s.name}_out`);
      g.output(out.state[i], `${s.name}_out`);
    });
    g.output(out.logits, "logits");
    const seq = T === 16 && entry.name !== "lm4";
    assert.equal(out.raw !== undefined, seq, "raw");
    if (out.raw) {
      assert.deepEqual(out.raw.shape, ["batch", T, H]);
      assert.equal(out.out, out.raw, "evaluation graphs skip dropout");
      g.output(out.raw, "raw");
    }
    const r = rng(40);
    const feeds = initFeeds(m, 41);
    feeds.x = tI64([BATCH, T], Array.from({ length: BATCH * T }, () => Math.floor(r() * V)));
    for (const s of m.state) {
      const n = s.layers * BATCH * H;
      feeds[s.name] = t64([s.layers, BATCH, H], Array.from({ length: n }, () => r() - 0.5));
    }
    const [got] = await runGraph(`${entry.name} forward`, g, feeds);
    assert.deepEqual(got.logits.dims, logits.map((d) => d === "batch" ? BATCH : d));
    assert.ok(got.logits.data.every(Number.isFinite), "finite logits");
    for (const s of m.state) assert.deepEqual(got[`${s.name}_out`].dims, [s.layers, BATCH, H]);
    if (got.raw) {
      // The decoder: logits = raw h_o.weight^T + h_o.bias (LMModel7: i_h.weight, tied).
      const w = feeds[entry.name === "lm7" ? "i_h.weight" : "h_o.weight"].data as Float64Array;
      const b = feeds["h_o.bias"].data as Float64Array;
      assertClose(got.logits.data, linearRef(got.raw.data, w, b, H), TOL, "h_o(raw)");
    }
  });
}

Deno.test("LMModel7 applies dropout in training graphs: out = raw * mask", async () => {
  const m = findModel("lm7").create() as LMModel7;
  const g = new Graph("lm7_train");
  const ctx = bindModel(g, m, "float64", true);
  const x = g.input("x", "int64", [BATCH, 16]);
  const state = m.state.map((s) => g.input(s.name, "float64", [s.layers, BATCH, s.hidden]));
  const out = m.forward(ctx, x, state);
  assert.deepEqual(g.inputs.at(-1)!.name, "dropout.mask"); // a bare context names no module
  assert.deepEqual(g.inputs.at(-1)!.shape, [BATCH, 16, H]);
  g.output(out.logits, "logits");
  g.output(out.raw!, "raw");
  g.output(out.out!, "out");
  const feeds = initFeeds(m, 51);
  feeds.x = tI64([BATCH, 16], Array.from({ length: BATCH * 16 }, (_, i) => (7 * i) % V));
  for (const s of m.state) feeds[s.name] = t64([2, BATCH, H], new Float64Array(2 * BATCH * H));
  const mask = m.drop.sampleMask(new Random(52), BATCH * 16 * H, "float64");
  assert.ok(mask.some((v) => v === 0) && mask.some((v) => Math.abs(v - 1 / 0.6) < 1e-15));
  feeds["dropout.mask"] = t64([BATCH, 16, H], mask);
  const [got] = await runGraph("lm7 training forward", g, feeds);
  assertClose(got.out.data, got.raw.data.map((v, i) => v * mask[i]), TOL, "out");
  const w = feeds["i_h.weight"].data as Float64Array;
  const b = feeds["h_o.bias"].data as Float64Array;
  assertClose(got.logits.data, linearRef(got.out.data, w, b, H), TOL, "h_o(out)");
});

referenceCheckTest("model graphs pass the reference ONNX checker", saved);
