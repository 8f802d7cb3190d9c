import assert from "node:assert/strict";
import { type Dim, Graph } from "../../src/graph/mod.ts";
import { Embedding } from "../../src/nn/embedding.ts";
import { Linear } from "../../src/nn/linear.ts";
import { Module } from "../../src/nn/module.ts";
import { Parameter } from "../../src/nn/parameter.ts";
import { uniformInit } from "../../src/nn/init.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose, rng } from "../helpers/reference.ts";
import { bindModel, runGraph, saved, t64, tI64 } from "../helpers/run_graph.ts";

const TOL = { rtol: 1e-12, atol: 1e-12 };

const uniform = (r: () => number, n: number, lo = -1, hi = 1) =>
  Array.from({ length: n }, () => lo + (hi - lo) * r());

/** `x W^T + b` over the last axis: x has `rows * inF` elements, W is `[outF, inF]`. */
function linearRef(x: number[], w: number[], b: number[] | null, inF: number, outF: number) {
  const rows = x.length / inF;
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let k = 0; k < inF; k++) s += x[r * inF + k] * w[o * inF + k];
      y.push(s);
    }
  }
  return y;
}

/** Mean and (population) standard deviation. */
function stats(values: ArrayLike<number>): { mean: number; std: number } {
  const v = Array.from(values);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
}

Deno.test("Embedding.forward() gathers rows of the weight (rank 1, rank 2, symbolic)", async () => {
  const emb = new Embedding(6, 4);
  const g = new Graph("embedding");
  const ctx = bindModel(g, emb, "float64");
  g.output(emb.forward(ctx, g.input("ids", "int64", ["batch", 3])), "y");
  g.output(emb.forward(ctx, g.input("flat", "int64", [5])), "y_flat");
  const w = uniform(rng(1), 24);
  const row = (i: number) => w.slice(i * 4, i * 4 + 4);
  const ids = [5, 0, 2, 2, 3, 1];
  const flat = [0, 5, 4, 4, 1];
  const [got] = await runGraph("embedding", g, {
    weight: t64([6, 4], w),
    ids: tI64([2, 3], ids),
    flat: tI64([5], flat),
  });
  assert.deepEqual(got.y.dims, [2, 3, 4]);
  assert.deepEqual(got.y.data, ids.flatMap(row));
  assert.deepEqual(got.y_flat.dims, [5, 4]);
  assert.deepEqual(got.y_flat.data, flat.flatMap(row));
});

Deno.test("Embedding init is N(0, 1) (30 x 64 table)", () => {
  const emb = new Embedding(30, 64);
  assert.deepEqual(emb.namedParameters().map(([n, p]) => [n, [...p.shape], p.decay]), [
    ["weight", [30, 64], true],
  ]);
  for (const seed of [0, 1, 42]) {
    const { mean, std } = stats(emb.initParameters(seed).get("weight")!);
    // 1920 draws: the mean's standard error is 0.023, the std's about 0.016.
    assert.ok(Math.abs(mean) < 0.1, `seed ${seed}: mean ${mean}`);
    assert.ok(Math.abs(std - 1) < 0.1, `seed ${seed}: std ${std}`);
  }
});

interface LinearCase {
  label: string;
  declared: Dim[];
  fed: number[];
  bias: boolean;
}

const LINEAR_CASES: LinearCase[] = [
  { label: "rank 2", declared: [3, 5], fed: [3, 5], bias: true },
  { label: "rank 2 symbolic", declared: ["batch", 5], fed: [4, 5], bias: true },
  { label: "rank 3", declared: [2, 3, 5], fed: [2, 3, 5], bias: true },
  { label: "rank 3 symbolic batch", declared: ["batch", 3, 5], fed: [1, 3, 5], bias: true },
  { label: "rank 3 all symbolic", declared: ["batch", "T", 5], fed: [2, 4, 5], bias: true },
  { label: "rank 4 without bias", declared: [2, 1, 3, 5], fed: [2, 1, 3, 5], bias: false },
];

for (const c of LINEAR_CASES) {
  Deno.test(`Linear.forward() is x W^T + b: ${c.label}`, async () => {
    const lin = new Linear(5, 7, { bias: c.bias });
    const g = new Graph("linear");
    const ctx = bindModel(g, lin, "float64");
    const y = lin.forward(ctx, g.input("x", "float64", c.declared));
    assert.deepEqual(y.shape, [...c.declared.slice(0, -1), 7]);
    g.output(y, "y");
    const r = rng(c.fed.length * 10 + (c.bias ? 1 : 0));
    const x = uniform(r, c.fed.reduce((a, b) => a * b, 1));
    const w = uniform(r, 35);
    const b = uniform(r, 7);
    const feeds = {
      x: t64(c.fed, x),
      weight: t64([7, 5], w),
      ...(c.bias ? { bias: t64([7], b) } : {}),
    };
    const [got] = await runGraph(`linear ${c.label}`, g, feeds);
    assert.deepEqual(got.y.dims, [...c.fed.slice(0, -1), 7]);
    assertClose(got.y.data, linearRef(x, w, c.bias ? b : null, 5, 7), TOL, c.label);
  });
}

Deno.test("Linear refuses a rank-1 input", () => {
  const lin = new Linear(3, 2);
  const g = new Graph("linear");
  const ctx = bindModel(g, lin, "float64");
  assert.throws(() => lin.forward(ctx, g.input("x", "float64", [3])), {
    message: "Linear needs an input of rank >= 2: got [3]",
  });
});

Deno.test("Linear init is U(-1/sqrt(in), 1/sqrt(in)); its bias is not decayed", () => {
  const lin = new Linear(64, 30);
  assert.deepEqual(lin.namedParameters().map(([n, p]) => [n, [...p.shape], p.decay]), [
    ["weight", [30, 64], true],
    ["bias", [30], false],
  ]);
  assert.deepEqual(new Linear(4, 2, { bias: false }).namedParameters().map(([n]) => n), [
    "weight",
  ]);
  const bound = 1 / 8;
  for (const [name, values] of new Linear(64, 30).initParameters(5)) {
    const max = Math.max(...values);
    const min = Math.min(...values);
    assert.ok(min >= -bound && max <= bound, `${name}: [${min}, ${max}]`);
    assert.ok(min < -0.5 * bound && max > 0.5 * bound, `${name} spans the interval`);
  }
  const { mean, std } = stats(new Linear(64, 30).initParameters(6).get("weight")!);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - bound / Math.sqrt(3)) < 0.005, `std ${std}`); // U(-a, a): a/sqrt(3)
});

/** LMModel7's tying: the decoder's weight is the embedding's. */
class Tied extends Module {
  readonly i_h = new Embedding(30, 64);
  readonly h_o = new Linear(64, 30, { weight: this.i_h.weight });
}

Deno.test("Linear weight tying shares the Parameter and lists it once", () => {
  const m = new Tied();
  assert.equal(m.h_o.weight, m.i_h.weight);
  assert.deepEqual(m.namedParameters().map(([n]) => n), ["i_h.weight", "h_o.bias"]);
  assert.deepEqual([...m.initParameters(1).keys()], ["i_h.weight", "h_o.bias"]);
  assert.throws(() => new Linear(30, 64, { weight: m.i_h.weight }), {
    message: "Linear(30, 64): a tied weight must have shape [64, 30]: got [30, 64]",
  });
  assert.throws(() => new Linear(64, 30, { weight: new Parameter([30], uniformInit(1)) }), {
    message: "Linear(64, 30): a tied weight must have shape [30, 64]: got [30]",
  });
});

Deno.test("a tied decoder reads the embedding's single input in the graph", async () => {
  const m = new Tied();
  const g = new Graph("tied");
  const ctx = bindModel(g, m, "float64");
  assert.deepEqual(g.inputs.map((v) => v.name), ["i_h.weight", "h_o.bias"]);
  g.output(m.h_o.forward(ctx, m.i_h.forward(ctx, g.input("ids", "int64", [2, 2]))), "logits");
  const r = rng(9);
  const w = uniform(r, 30 * 64);
  const b = uniform(r, 30);
  const ids = [29, 0, 7, 29];
  const [got] = await runGraph("tied", g, {
    "i_h.weight": t64([30, 64], w),
    "h_o.bias": t64([30], b),
    ids: tI64([2, 2], ids),
  });
  const x = ids.flatMap((i) => w.slice(i * 64, i * 64 + 64));
  assert.deepEqual(got.logits.dims, [2, 2, 30]);
  assertClose(got.logits.data, linearRef(x, w, b, 64, 30), TOL, "tied logits");
});

class Inner extends Module {
  readonly a = new Linear(2, 3);
  readonly b = new Linear(3, 2, { bias: false });
}

class Outer extends Module {
  readonly first = new Embedding(4, 2);
  readonly blocks = [new Inner(), new Inner()];
  readonly extra = [new Parameter([1], uniformInit(1))];
  readonly again: Inner; // a module reachable twice keeps its first path
  readonly note = "not a module";
  readonly last = new Linear(2, 4);
  constructor() {
    super();
    this.again = this.blocks[1];
  }
}

Deno.test("Module.namedParameters() and namedModules() follow field order and nesting", () => {
  const m = new Outer();
  const block = (
    i: number,
  ) => [`blocks.${i}.a.weight`, `blocks.${i}.a.bias`, `blocks.${i}.b.weight`];
  const names = ["first.weight", ...block(0), ...block(1), "extra.0", "last.weight", "last.bias"];
  assert.deepEqual(m.namedParameters().map(([n]) => n), names);
  assert.deepEqual(m.namedParameters("model.").map(([n]) => n), names.map((n) => `model.${n}`));
  assert.equal(m.namedParameters()[4][1], m.blocks[1].a.weight);
  const mods = m.namedModules();
  assert.deepEqual(mods.map(([n]) => n), [
    "",
    "first",
    "blocks.0",
    "blocks.0.a",
    "blocks.0.b",
    "blocks.1",
    "blocks.1.a",
    "blocks.1.b",
    "last",
  ]);
  assert.equal(mods[0][1], m);
  assert.equal(mods[5][1], m.again);
});

Deno.test("Module.initParameters(seed) is deterministic", () => {
  const bytes = (m: Map<string, Float32Array>) =>
    [...m].map(([n, v]) => [n, Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))]);
  const a = bytes(new Outer().initParameters(123));
  const b = bytes(new Outer().initParameters(123));
  const c = bytes(new Outer().initParameters(124));
  assert.deepEqual(a, b);
  assert.deepEqual(a.map(([n]) => n), c.map(([n]) => n));
  for (let i = 0; i < a.length; i++) assert.notDeepEqual(a[i][1], c[i][1], `${a[i][0]} differs`);
  const tied = new Tied().initParameters(7);
  assert.equal(tied.get("i_h.weight")!.length, 30 * 64);
  assert.deepEqual(bytes(tied), bytes(new Tied().initParameters(7)));
});

referenceCheckTest("layer graphs pass the reference ONNX checker", saved);
