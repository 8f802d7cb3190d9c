import assert from "node:assert/strict";
import { type Dim, Graph } from "../../src/graph/mod.ts";
import { LSTM } from "../../src/nn/lstm.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose, rng } from "../helpers/reference.ts";
import { bindModel, runGraph, saved, t64 } from "./run_graph.ts";

const TOL = { rtol: 1e-12, atol: 1e-12 };

/** One layer's weights, flat row-major, as PyTorch stores them. */
interface LayerWeights {
  wih: number[]; // [4H, in]
  whh: number[]; // [4H, H]
  bih: number[]; // [4H]
  bhh: number[]; // [4H]
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * PyTorch `nn.LSTM(batch_first=True)` in float64 loops. Gates are rows [0,H) i, [H,2H) f,
 * [2H,3H) g, [3H,4H) o of `W_ih x + b_ih + W_hh h + b_hh`; `c' = f*c + i*g`,
 * `h' = o*tanh(c')`. Layer l > 0 reads layer l-1's outputs.
 */
function referenceLstm(
  x: number[], // [B, T, inSize]
  dims: { B: number; T: number; inSize: number; H: number },
  layers: LayerWeights[],
  h0: number[], // [L, B, H]
  c0: number[], // [L, B, H]
): { out: number[]; hN: number[]; cN: number[] } {
  const { B, T, H } = dims;
  let input = x;
  let inSize = dims.inSize;
  const hN: number[] = [];
  const cN: number[] = [];
  layers.forEach((w, l) => {
    const output = new Array<number>(B * T * H).fill(0);
    for (let b = 0; b < B; b++) {
      let h = h0.slice((l * B + b) * H, (l * B + b + 1) * H);
      let c = c0.slice((l * B + b) * H, (l * B + b + 1) * H);
      for (let t = 0; t < T; t++) {
        const xt = input.slice((b * T + t) * inSize, (b * T + t + 1) * inSize);
        const gate = (r: number) => {
          let s = w.bih[r] + w.bhh[r];
          for (let k = 0; k < inSize; k++) s += w.wih[r * inSize + k] * xt[k];
          for (let k = 0; k < H; k++) s += w.whh[r * H + k] * h[k];
          return s;
        };
        const nextC: number[] = [];
        const nextH: number[] = [];
        for (let j = 0; j < H; j++) {
          const i = sigmoid(gate(j));
          const f = sigmoid(gate(H + j));
          const g = Math.tanh(gate(2 * H + j));
          const o = sigmoid(gate(3 * H + j));
          nextC.push(f * c[j] + i * g);
          nextH.push(o * Math.tanh(nextC[j]));
        }
        [h, c] = [nextH, nextC];
        for (let j = 0; j < H; j++) output[(b * T + t) * H + j] = h[j];
      }
      hN.push(...h);
      cN.push(...c);
    }
    input = output;
    inSize = H;
  });
  return { out: input, hN, cN };
}

Deno.test("referenceLstm() matches a hand computation with one unit", () => {
  // Zero weights; biases split by gate: i = 0.3, f = -0.2, g = 0.7, o = 1.1 (b_ih + b_hh).
  const w = {
    wih: [0, 0, 0, 0],
    whh: [0, 0, 0, 0],
    bih: [0.1, -0.1, 0.5, 1],
    bhh: [0.2, -0.1, 0.2, 0.1],
  };
  const r = referenceLstm([5], { B: 1, T: 1, inSize: 1, H: 1 }, [w], [0.4], [-0.8]);
  const c = sigmoid(-0.2) * -0.8 + sigmoid(0.3) * Math.tanh(0.7);
  const h = sigmoid(1.1) * Math.tanh(c);
  assertClose(r.cN, [c], TOL, "c");
  assertClose(r.hN, [h], TOL, "h");
  assertClose(r.out, [h], TOL, "out");
});

/** Random float64 values in [lo, hi). */
function uniform(r: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

interface Case {
  label: string;
  layers: number;
  T: number;
  inSize: number;
  H: number;
  B: number;
}

/** Builds `LSTM.forward` with parameter, x, h and c inputs (batch may be symbolic). */
function buildLstm(c: Case, batch: Dim): { g: Graph; lstm: LSTM } {
  const lstm = new LSTM(c.inSize, c.H, c.layers);
  const g = new Graph("lstm");
  bindModel(g, lstm, "float64");
  const x = g.input("x", "float64", [batch, c.T, c.inSize]);
  const h = g.input("h", "float64", [c.layers, batch, c.H]);
  const cc = g.input("c", "float64", [c.layers, batch, c.H]);
  const [out, [hN, cN]] = lstm.forward(x, [h, cc]);
  assert.deepEqual(out.shape, [batch, c.T, c.H]);
  assert.deepEqual(hN.shape, [c.layers, batch, c.H]);
  g.output(out, "out");
  g.output(hN, "h_n");
  g.output(cN, "c_n");
  return { g, lstm };
}

/** Random weights, input and (non-zero) state; returns feeds and the reference result. */
function randomRun(c: Case, lstm: LSTM, B: number, seed: number) {
  const r = rng(seed);
  const feeds: Record<string, Tensor> = {};
  const weights: LayerWeights[] = [];
  for (let l = 0; l < c.layers; l++) {
    const inSize = l === 0 ? c.inSize : c.H;
    const w = {
      wih: uniform(r, 4 * c.H * inSize, -0.8, 0.8),
      whh: uniform(r, 4 * c.H * c.H, -0.8, 0.8),
      bih: uniform(r, 4 * c.H, -0.5, 0.5),
      bhh: uniform(r, 4 * c.H, -0.5, 0.5),
    };
    weights.push(w);
    feeds[`weight_ih_l${l}`] = t64([4 * c.H, inSize], w.wih);
    feeds[`weight_hh_l${l}`] = t64([4 * c.H, c.H], w.whh);
    feeds[`bias_ih_l${l}`] = t64([4 * c.H], w.bih);
    feeds[`bias_hh_l${l}`] = t64([4 * c.H], w.bhh);
  }
  assert.deepEqual(Object.keys(feeds).sort(), lstm.namedParameters().map(([n]) => n).sort());
  const x = uniform(r, B * c.T * c.inSize, -2, 2);
  const h0 = uniform(r, c.layers * B * c.H, -1, 1);
  const c0 = uniform(r, c.layers * B * c.H, -2, 2);
  feeds.x = t64([B, c.T, c.inSize], x);
  feeds.h = t64([c.layers, B, c.H], h0);
  feeds.c = t64([c.layers, B, c.H], c0);
  const ref = referenceLstm(x, { B, T: c.T, inSize: c.inSize, H: c.H }, weights, h0, c0);
  return { feeds, ref };
}

type Outputs = Record<string, { dims: number[]; data: number[] }>;

function compare(c: Case, B: number, got: Outputs, ref: ReturnType<typeof referenceLstm>) {
  const what = `${c.label} (batch ${B})`;
  assert.deepEqual(got.out.dims, [B, c.T, c.H], `${what}: out dims`);
  assert.deepEqual(got.h_n.dims, [c.layers, B, c.H], `${what}: h_n dims`);
  assert.deepEqual(got.c_n.dims, [c.layers, B, c.H], `${what}: c_n dims`);
  assertClose(got.out.data, ref.out, TOL, `${what}: out`);
  assertClose(got.h_n.data, ref.hN, TOL, `${what}: h_n`);
  assertClose(got.c_n.data, ref.cN, TOL, `${what}: c_n`);
}

const CASES: Case[] = [
  { label: "1 layer, T=1", layers: 1, T: 1, inSize: 3, H: 3, B: 2 },
  { label: "2 layers, T=5", layers: 2, T: 5, inSize: 4, H: 4, B: 3 },
  { label: "2 layers, input 7 != hidden 5", layers: 2, T: 3, inSize: 7, H: 5, B: 2 },
  { label: "3 layers, input 2 != hidden 6", layers: 3, T: 4, inSize: 2, H: 6, B: 1 },
];

for (const c of CASES) {
  Deno.test(`LSTM.forward() matches PyTorch nn.LSTM semantics: ${c.label}`, async () => {
    const { g, lstm } = buildLstm(c, c.B);
    const { feeds, ref } = randomRun(c, lstm, c.B, 100 + c.layers * 10 + c.T);
    const [got] = await runGraph(`lstm ${c.label}`, g, feeds);
    compare(c, c.B, got, ref);
  });
}

Deno.test("LSTM.forward() with a symbolic batch runs at batch 1 and 3", async () => {
  const c: Case = { label: "symbolic batch", layers: 2, T: 4, inSize: 3, H: 5, B: 0 };
  const { g, lstm } = buildLstm(c, "batch");
  const one = randomRun(c, lstm, 1, 7);
  const three = randomRun(c, lstm, 3, 8);
  const [got1, got3] = await runGraph("lstm symbolic batch", g, one.feeds, three.feeds);
  compare(c, 1, got1, one.ref);
  compare(c, 3, got3, three.ref);
});

Deno.test("LSTM state_dict names, shapes and order follow PyTorch", () => {
  const lstm = new LSTM(7, 5, 2);
  assert.deepEqual(lstm.namedParameters().map(([n, p]) => [n, [...p.shape]]), [
    ["weight_ih_l0", [20, 7]],
    ["weight_hh_l0", [20, 5]],
    ["bias_ih_l0", [20]],
    ["bias_hh_l0", [20]],
    ["weight_ih_l1", [20, 5]],
    ["weight_hh_l1", [20, 5]],
    ["bias_ih_l1", [20]],
    ["bias_hh_l1", [20]],
  ]);
  assert.ok(lstm.namedParameters().every(([, p]) => p.decay), "fastai decays LSTM biases");
  assert.deepEqual(lstm.namedParameters("rnn.")[0][0], "rnn.weight_ih_l0");
});

Deno.test("LSTM init is U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias", () => {
  for (const [inSize, H] of [[64, 64], [3, 5]]) {
    const bound = 1 / Math.sqrt(H);
    const init = new LSTM(inSize, H, 2).initParameters(3);
    for (const [name, values] of init) {
      const max = Math.max(...values);
      const min = Math.min(...values);
      assert.ok(max <= Math.fround(bound) && min >= -Math.fround(bound), `${name} in bounds`);
      // Wide enough to be the full interval (with 20+ draws per tensor).
      assert.ok(max > 0.6 * bound && min < -0.6 * bound, `${name}: [${min}, ${max}]`);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      assert.ok(Math.abs(mean) < (values.length > 1000 ? 0.05 : 0.5) * bound, `${name} mean`);
    }
  }
});

Deno.test("LSTM refuses a symbolic sequence length", () => {
  const lstm = new LSTM(2, 3, 1);
  const g = new Graph("lstm");
  bindModel(g, lstm, "float64");
  const x = g.input("x", "float64", [2, "T", 2]);
  const h = g.input("h", "float64", [1, 2, 3]);
  assert.throws(
    () => lstm.forward(x, [h, h]),
    { message: "LSTM needs a static sequence length: got T" },
  );
});

referenceCheckTest("LSTM graphs pass the reference ONNX checker", saved);
