import assert from "node:assert/strict";
import { Graph } from "../../src/graph/mod.ts";
import { BuildContext } from "../../src/nn/build_context.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { LMModel1 } from "../../models/lm_model1.ts";
import { LMModel2 } from "../../models/lm_model2.ts";
import { LMModel3 } from "../../models/lm_model3.ts";
import { LMModel4 } from "../../models/lm_model4.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose, rng } from "../helpers/reference.ts";
import { bindModel, runGraph, saved, t64, tI64 } from "../helpers/run_graph.ts";
import { H, initFeeds, linearRef, TOL, V } from "./weights.ts";

/** Float64 weights of LMModel1..4 by role. */
interface SimpleWeights {
  emb: ArrayLike<number>;
  hhW: ArrayLike<number>;
  hhB: ArrayLike<number>;
  hoW: ArrayLike<number>;
  hoB: ArrayLike<number>;
}

function simpleWeights(feeds: Record<string, Tensor>): SimpleWeights {
  const d = (n: string) => feeds[n].data as Float64Array;
  return {
    emb: d("i_h.weight"),
    hhW: d("h_h.weight"),
    hhB: d("h_h.bias"),
    hoW: d("h_o.weight"),
    hoB: d("h_o.bias"),
  };
}

const relu = (v: number[]) => v.map((a) => Math.max(a, 0));
const plus = (a: number[], b: number[]) => a.map((v, i) => v + b[i]);

/** LMModel1.forward for one sample of 3 tokens, line by line as in the book. */
function lm1Ref(w: SimpleWeights, x: number[]): number[] {
  const i_h = (tok: number) => Array.from(w.emb).slice(tok * H, (tok + 1) * H);
  const h_h = (h: number[]) => linearRef(h, w.hhW, w.hhB, H);
  const h_o = (h: number[]) => linearRef(h, w.hoW, w.hoB, H);
  let h = relu(h_h(i_h(x[0])));
  h = plus(h, i_h(x[1]));
  h = relu(h_h(h));
  h = plus(h, i_h(x[2]));
  h = relu(h_h(h));
  return h_o(h);
}

/** LMModel4.forward for one sample from state `h0`: one prediction per token, and the last h. */
function lm4Ref(w: SimpleWeights, x: number[], h0: number[]): { outs: number[][]; h: number[] } {
  let h = h0;
  const outs: number[][] = [];
  for (const tok of x) {
    h = plus(h, Array.from(w.emb).slice(tok * H, (tok + 1) * H));
    h = relu(linearRef(h, w.hhW, w.hhB, H));
    outs.push(linearRef(h, w.hoW, w.hoB, H));
  }
  return { outs, h };
}

Deno.test("LMModel1, LMModel2 and LMModel3 (zero state) compute the same logits", async () => {
  const [m1, m2, m3] = [new LMModel1(V, H), new LMModel2(V, H), new LMModel3(V, H)];
  const B = 4;
  const g = new Graph("lm123");
  const ctx1 = bindModel(g, m1, "float64");
  // m2 and m3 read the same inputs as m1: their parameters are the graph's values by name.
  const [ctx2, ctx3] = [m2, m3].map((m) =>
    new BuildContext(g, {
      parameters: new Map(m.namedParameters().map(([n, p]) => [p, g.value(n)])),
    })
  );
  const x = g.input("x", "int64", [B, 3]);
  const h = g.input("h", "float64", [1, B, H]);
  g.output(m1.forward(ctx1, x).logits, "lm1");
  g.output(m2.forward(ctx2, x).logits, "lm2");
  const out3 = m3.forward(ctx3, x, [h]);
  g.output(out3.logits, "lm3");
  g.output(out3.state[0], "h_out");
  const feeds = initFeeds(m1, 61);
  const w = simpleWeights(feeds);
  const r = rng(62);
  const tokens = Array.from({ length: B * 3 }, () => Math.floor(r() * V));
  tokens.splice(0, 3, 29, 0, 29); // repeated tokens and the vocab's ends
  const h0 = Array.from({ length: B * H }, () => r() - 0.2);
  feeds.x = tI64([B, 3], tokens);
  const zero = { ...feeds, h: t64([1, B, H], new Float64Array(B * H)) };
  const warm = { ...feeds, h: t64([1, B, H], h0) };
  const [got0, got1] = await runGraph("lm1 lm2 lm3", g, zero, warm);
  const sample = (b: number) => tokens.slice(b * 3, b * 3 + 3);
  const ref = Array.from({ length: B }, (_, b) => lm1Ref(w, sample(b))).flat();
  for (const name of ["lm1", "lm2", "lm3"]) {
    assert.deepEqual(got0[name].dims, [B, V]);
    assertClose(got0[name].data, ref, TOL, `${name} vs the book's LMModel1`);
  }
  assert.ok(ref.some((v) => Math.abs(v) > 0.1), "non-trivial logits");
  // LMModel3's state: its last h, and with a non-zero h0 it differs from LMModel1/2.
  const refs = (hs: number[]) =>
    Array.from({ length: B }, (_, b) => lm4Ref(w, sample(b), hs.slice(b * H, (b + 1) * H)));
  assertClose(got0.h_out.data, refs(new Array(B * H).fill(0)).flatMap((s) => s.h), TOL, "h_out");
  const warmRef = refs(h0);
  assertClose(got1.lm3.data, warmRef.flatMap((s) => s.outs[2]), TOL, "lm3 from h0");
  assertClose(got1.h_out.data, warmRef.flatMap((s) => s.h), TOL, "h_out from h0");
  assertClose(got1.lm1.data, ref, TOL, "lm1 ignores h");
  assert.ok(got1.lm3.data.some((v, i) => Math.abs(v - ref[i]) > 1e-6), "h0 matters to lm3");
});

Deno.test("LMModel4.forward() matches the book's loop over 16 tokens with a carried h", async () => {
  const m = new LMModel4(V, H);
  const [B, T] = [3, 16];
  const g = new Graph("lm4");
  const ctx = bindModel(g, m, "float64");
  const out = m.forward(ctx, g.input("x", "int64", [B, T]), [g.input("h", "float64", [1, B, H])]);
  g.output(out.logits, "logits");
  g.output(out.state[0], "h_out");
  const feeds = initFeeds(m, 71);
  const r = rng(72);
  const tokens = Array.from({ length: B * T }, () => Math.floor(r() * V));
  const h0 = Array.from({ length: B * H }, () => r() - 0.3);
  feeds.x = tI64([B, T], tokens);
  feeds.h = t64([1, B, H], h0);
  const [got] = await runGraph("lm4 reference", g, feeds);
  const w = simpleWeights(feeds);
  const ref = Array.from(
    { length: B },
    (_, b) => lm4Ref(w, tokens.slice(b * T, (b + 1) * T), h0.slice(b * H, (b + 1) * H)),
  );
  assert.deepEqual(got.logits.dims, [B, T, V]);
  assertClose(got.logits.data, ref.flatMap((s) => s.outs.flat()), TOL, "logits [B, T, V]");
  assertClose(got.h_out.data, ref.flatMap((s) => s.h), TOL, "h_out");
});

referenceCheckTest("LMModel1-4 reference graphs pass the reference ONNX checker", saved);
