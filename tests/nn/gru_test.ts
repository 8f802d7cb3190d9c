import assert from "node:assert/strict";
import { type Dim, Graph } from "../../src/graph/mod.ts";
import { GRU } from "../../src/nn/gru.ts";
import type { Tensor } from "../../src/onnx/tensor.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose, rng } from "../helpers/reference.ts";
import { bindModel, runGraph, saved, t64 } from "./run_graph.ts";

const TOL = { rtol: 1e-12, atol: 1e-12 };

/** One layer's weights, flat row-major, as PyTorch stores them. */
interface LayerWeights {
  wih: number[]; // [3H, in]
  whh: number[]; // [3H, H]
  bih: number[]; // [3H]
  bhh: number[]; // [3H]
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * PyTorch `nn.GRU(batch_first=True)` in float64 loops. Rows [0,H) are r, [H,2H) z, [2H,3H) n:
 * `r = σ(W_ir x + b_ir + W_hr h + b_hr)`, `z = σ(W_iz x + b_iz + W_hz h + b_hz)`,
 * `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, `h' = (1 - z) * n + z * h`.
 * Layer l > 0 reads layer l-1's outputs.
 */
function referenceGru(
  x: number[], // [B, T, inSize]
  dims: { B: number; T: number; inSize: number; H: number },
  layers: LayerWeights[],
  h0: number[], // [L, B, H]
): { out: number[]; hN: number[] } {
  const { B, T, H } = dims;
  let input = x;
  let inSize = dims.inSize;
  const hN: number[] = [];
  layers.forEach((w, l) => {
    const output = new Array<number>(B * T * H).fill(0);
    for (let b = 0; b < B; b++) {
      let h = h0.slice((l * B + b) * H, (l * B + b + 1) * H);
      for (let t = 0; t < T; t++) {
        const xt = input.slice((b * T + t) * inSize, (b * T + t + 1) * inSize);
        const wx = (row: number) => {
          let s = w.bih[row];
          for (let k = 0; k < inSize; k++) s += w.wih[row * inSize + k] * xt[k];
          return s;
        };
        const wh = (row: number) => {
          let s = w.bhh[row];
          for (let k = 0; k < H; k++) s += w.whh[row * H + k] * h[k];
          return s;
        };
        const next: number[] = [];
        for (let j = 0; j < H; j++) {
          const r = sigmoid(wx(j) + wh(j));
          const z = sigmoid(wx(H + j) + wh(H + j));
          const n = Math.tanh(wx(2 * H + j) + r * wh(2 * H + j));
          next.push((1 - z) * n + z * h[j]);
        }
        h = next;
        for (let j = 0; j < H; j++) output[(b * T + t) * H + j] = h[j];
      }
      hN.push(...h);
    }
    input = output;
    inSize = H;
  });
  return { out: input, hN };
}

Deno.test("referenceGru() matches a hand computation with one unit", () => {
  // in = 1, H = 1; rows r, z, n.
  const w = {
    wih: [0.5, -1, 0.7],
    whh: [0.2, 0.3, -0.4],
    bih: [0.1, 0.2, 0.3],
    bhh: [-0.1, 0.4, 0.6],
  };
  const [x, h] = [2, -0.6];
  const r = sigmoid(0.5 * x + 0.1 + 0.2 * h - 0.1);
  const z = sigmoid(-1 * x + 0.2 + 0.3 * h + 0.4);
  const n = Math.tanh(0.7 * x + 0.3 + r * (-0.4 * h + 0.6));
  const got = referenceGru([x], { B: 1, T: 1, inSize: 1, H: 1 }, [w], [h]);
  assertClose(got.hN, [(1 - z) * n + z * h], TOL, "h");
  assertClose(got.out, got.hN, TOL, "out");
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

/** Builds `GRU.forward` with parameter, x and h inputs (batch may be symbolic). */
function buildGru(c: Case, batch: Dim): { g: Graph; gru: GRU } {
  const gru = new GRU(c.inSize, c.H, c.layers);
  const g = new Graph("gru");
  bindModel(g, gru, "float64");
  const x = g.input("x", "float64", [batch, c.T, c.inSize]);
  const h = g.input("h", "float64", [c.layers, batch, c.H]);
  const [out, hN] = gru.forward(x, h);
  assert.deepEqual(out.shape, [batch, c.T, c.H]);
  assert.deepEqual(hN.shape, [c.layers, batch, c.H]);
  g.output(out, "out");
  g.output(hN, "h_n");
  return { g, gru };
}

/** Random weights, input and (non-zero) state; returns feeds and the reference result. */
function randomRun(c: Case, gru: GRU, B: number, seed: number) {
  const r = rng(seed);
  const feeds: Record<string, Tensor> = {};
  const weights: LayerWeights[] = [];
  for (let l = 0; l < c.layers; l++) {
    const inSize = l === 0 ? c.inSize : c.H;
    const w = {
      wih: uniform(r, 3 * c.H * inSize, -0.8, 0.8),
      whh: uniform(r, 3 * c.H * c.H, -0.8, 0.8),
      bih: uniform(r, 3 * c.H, -0.5, 0.5),
      bhh: uniform(r, 3 * c.H, -0.5, 0.5),
    };
    weights.push(w);
    feeds[`weight_ih_l${l}`] = t64([3 * c.H, inSize], w.wih);
    feeds[`weight_hh_l${l}`] = t64([3 * c.H, c.H], w.whh);
    feeds[`bias_ih_l${l}`] = t64([3 * c.H], w.bih);
    feeds[`bias_hh_l${l}`] = t64([3 * c.H], w.bhh);
  }
  assert.deepEqual(Object.keys(feeds).sort(), gru.namedParameters().map(([n]) => n).sort());
  const x = uniform(r, B * c.T * c.inSize, -2, 2);
  const h0 = uniform(r, c.layers * B * c.H, -1, 1);
  feeds.x = t64([B, c.T, c.inSize], x);
  feeds.h = t64([c.layers, B, c.H], h0);
  const ref = referenceGru(x, { B, T: c.T, inSize: c.inSize, H: c.H }, weights, h0);
  return { feeds, ref };
}

type Outputs = Record<string, { dims: number[]; data: number[] }>;

function compare(c: Case, B: number, got: Outputs, ref: ReturnType<typeof referenceGru>) {
  const what = `${c.label} (batch ${B})`;
  assert.deepEqual(got.out.dims, [B, c.T, c.H], `${what}: out dims`);
  assert.deepEqual(got.h_n.dims, [c.layers, B, c.H], `${what}: h_n dims`);
  assertClose(got.out.data, ref.out, TOL, `${what}: out`);
  assertClose(got.h_n.data, ref.hN, TOL, `${what}: h_n`);
  // The last layer's h_n is its output at the last step.
  const last = got.out.data.filter((_, i) => Math.floor(i / c.H) % c.T === c.T - 1);
  assertClose(got.h_n.data.slice((c.layers - 1) * B * c.H), last, TOL, `${what}: h_n = out[:, -1]`);
}

const CASES: Case[] = [
  { label: "1 layer, T=1", layers: 1, T: 1, inSize: 3, H: 3, B: 2 },
  { label: "2 layers, T=5", layers: 2, T: 5, inSize: 4, H: 4, B: 3 },
  { label: "2 layers, input 7 != hidden 5", layers: 2, T: 3, inSize: 7, H: 5, B: 2 },
  { label: "3 layers, input 2 != hidden 6", layers: 3, T: 4, inSize: 2, H: 6, B: 1 },
];

for (const c of CASES) {
  Deno.test(`GRU.forward() matches PyTorch nn.GRU semantics: ${c.label}`, async () => {
    const { g, gru } = buildGru(c, c.B);
    const { feeds, ref } = randomRun(c, gru, c.B, 300 + c.layers * 10 + c.T);
    const [got] = await runGraph(`gru ${c.label}`, g, feeds);
    compare(c, c.B, got, ref);
  });
}

Deno.test("GRU.forward() with a symbolic batch runs at batch 1 and 3", async () => {
  const c: Case = { label: "symbolic batch", layers: 2, T: 4, inSize: 3, H: 5, B: 0 };
  const { g, gru } = buildGru(c, "batch");
  const one = randomRun(c, gru, 1, 27);
  const three = randomRun(c, gru, 3, 28);
  const [got1, got3] = await runGraph("gru symbolic batch", g, one.feeds, three.feeds);
  compare(c, 1, got1, one.ref);
  compare(c, 3, got3, three.ref);
});

Deno.test("GRU state_dict names, shapes and order follow PyTorch", () => {
  const gru = new GRU(7, 5, 2);
  assert.deepEqual(gru.namedParameters().map(([n, p]) => [n, [...p.shape]]), [
    ["weight_ih_l0", [15, 7]],
    ["weight_hh_l0", [15, 5]],
    ["bias_ih_l0", [15]],
    ["bias_hh_l0", [15]],
    ["weight_ih_l1", [15, 5]],
    ["weight_hh_l1", [15, 5]],
    ["bias_ih_l1", [15]],
    ["bias_hh_l1", [15]],
  ]);
  assert.ok(gru.namedParameters().every(([, p]) => p.decay), "fastai decays GRU biases");
  assert.deepEqual(gru.namedParameters("gru.")[0][0], "gru.weight_ih_l0");
  assert.deepEqual(new GRU(3, 4, 1).namedParameters().map(([n]) => n), [
    "weight_ih_l0",
    "weight_hh_l0",
    "bias_ih_l0",
    "bias_hh_l0",
  ]);
});

Deno.test("GRU init is U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias", () => {
  for (const [inSize, H] of [[64, 64], [3, 5]]) {
    const bound = Math.fround(1 / Math.sqrt(H));
    for (const [name, values] of new GRU(inSize, H, 2).initParameters(5)) {
      const [min, max] = [Math.min(...values), Math.max(...values)];
      assert.ok(max <= bound && min >= -bound, `${name} in bounds`);
      // Wide enough to be the full interval (only checked with 20+ draws per tensor).
      if (values.length >= 20) {
        assert.ok(max > 0.6 * bound && min < -0.6 * bound, `${name}: [${min}, ${max}]`);
      }
    }
  }
});

Deno.test("GRU refuses a wrong-shaped state with the expected shape in the message", () => {
  const gru = new GRU(3, 4, 2);
  const g = new Graph("gru");
  bindModel(g, gru, "float64");
  const x = g.input("x", "float64", [2, 5, 3]);
  const cases: [Dim[], string][] = [
    [[1, 2, 4], "GRU state h must be [2, batch, 4]: got [1, 2, 4]"],
    [[2, 2, 3], "GRU state h must be [2, batch, 4]: got [2, 2, 3]"],
    [[2, 4], "GRU state h must be [2, batch, 4]: got [2, 4]"],
  ];
  cases.forEach(([shape, message], i) => {
    const h = g.input(`h${i}`, "float64", shape);
    assert.throws(() => gru.forward(x, h), { message });
  });
});

Deno.test("GRU refuses a symbolic sequence length", () => {
  const gru = new GRU(2, 3, 1);
  const g = new Graph("gru");
  bindModel(g, gru, "float64");
  const x = g.input("x", "float64", [2, "T", 2]);
  const h = g.input("h", "float64", [1, 2, 3]);
  assert.throws(() => gru.forward(x, h), { message: "GRU needs a static sequence length: got T" });
});

referenceCheckTest("GRU graphs pass the reference ONNX checker", saved);
