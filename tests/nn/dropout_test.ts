import assert from "node:assert/strict";
import { Graph } from "../../src/graph/mod.ts";
import { Dropout } from "../../src/nn/dropout.ts";
import { BuildContext } from "../../src/nn/build_context.ts";
import { Random } from "../../src/nn/random.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { rng } from "../helpers/reference.ts";
import { runGraph, saved, t64 } from "../helpers/run_graph.ts";

Deno.test("Dropout.sampleMask() holds only 0 and 1/(1-p), dropping about p", () => {
  for (const p of [0.1, 0.4, 0.75]) {
    const d = new Dropout(p);
    const mask = d.sampleMask(new Random(1), 100_000);
    assert.equal(mask.length, 100_000);
    const keep = Math.fround(1 / (1 - p)); // the mask is float32
    assert.ok(mask.every((v) => v === 0 || v === keep), `p ${p}: values 0 or ${keep}`);
    const rate = mask.filter((v) => v === 0).length / mask.length;
    // Standard error of the rate: at most 0.0016.
    assert.ok(Math.abs(rate - p) < 0.01, `p ${p}: drop rate ${rate}`);
    // Inverted dropout keeps the expectation: mean(mask) is about 1.
    const mean = mask.reduce((a, b) => a + b, 0) / mask.length;
    assert.ok(Math.abs(mean - 1) < 0.03, `p ${p}: mean ${mean}`);
  }
  assert.ok(new Dropout(0).sampleMask(new Random(2), 1000).every((v) => v === 1));
  assert.equal(new Dropout(0.5).sampleMask(new Random(2), 0).length, 0);
});

Deno.test("Dropout.sampleMask() draws a fresh mask each call, the same ones for a seed", () => {
  const d = new Dropout(0.4);
  const masks = (seed: number) => {
    const r = new Random(seed);
    return Array.from({ length: 5 }, () => Array.from(d.sampleMask(r, 64 * 16 * 64)));
  };
  const a = masks(7);
  for (let i = 1; i < a.length; i++) assert.notDeepEqual(a[i], a[i - 1], `mask ${i}`);
  assert.deepEqual(masks(7), a);
  assert.notDeepEqual(masks(8)[0], a[0]);
});

Deno.test("Dropout in a training graph multiplies by a declared mask input", async () => {
  const g = new Graph("train");
  const d = new Dropout(0.4);
  const ctx = new BuildContext(g, { training: true, names: new Map([[d, "drop"]]) });
  assert.ok(ctx.training);
  const x = g.input("x", "float64", [2, 3, 4]);
  const before = g.nodes.length;
  const y = d.forward(ctx, x);
  assert.notEqual(y, x);
  const mask = g.inputs.find((v) => v.name === "drop.mask");
  assert.ok(mask, "declares the mask input");
  assert.equal(mask.dtype, "float64");
  assert.deepEqual(mask.shape, [2, 3, 4]);
  assert.deepEqual(g.nodes.slice(before).map((n) => [n.opType, ...n.inputs]), [
    ["Mul", "x", "drop.mask"],
  ]);
  assert.deepEqual(y.shape, [2, 3, 4]);
  g.output(y, "y");
  const xs = Array.from({ length: 24 }, rng(3)).map((v) => 4 * v - 2);
  const m = Array.from(d.sampleMask(new Random(4), 24));
  assert.ok(m.includes(0) && m.some((v) => v > 1), "the mask drops and keeps");
  const [got] = await runGraph("dropout train", g, {
    x: t64([2, 3, 4], xs),
    "drop.mask": t64([2, 3, 4], m),
  });
  assert.deepEqual(got.y.dims, [2, 3, 4]);
  assert.deepEqual(got.y.data, xs.map((v, i) => v * m[i]));
});

Deno.test("Dropout in an evaluation graph is the identity and adds nothing", () => {
  for (const training of [undefined, false]) {
    const g = new Graph("eval");
    const ctx = new BuildContext(g, training === undefined ? {} : { training });
    assert.equal(ctx.training, false);
    const x = g.input("x", "float32", ["batch", 16, 64]);
    const y = new Dropout(0.4).forward(ctx, x);
    assert.equal(y, x);
    assert.equal(g.nodes.length, 0);
    assert.deepEqual(g.inputs.map((v) => v.name), ["x"]);
  }
  // p = 0 needs no mask even in training.
  const g = new Graph("train");
  const ctx = new BuildContext(g, { training: true });
  const x = g.input("x", "float32", [2, 2]);
  assert.equal(new Dropout(0).forward(ctx, x), x);
  assert.equal(g.inputs.length, 1);
});

Deno.test("Dropout refuses p outside [0, 1) and symbolic shapes in training", () => {
  for (const p of [-0.1, 1, 1.5, NaN, Infinity]) {
    assert.throws(() => new Dropout(p), { message: `Dropout p must be in [0, 1): got ${p}` });
  }
  const g = new Graph("train");
  const ctx = new BuildContext(g, { training: true });
  const x = g.input("x", "float32", ["batch", 3]);
  assert.throws(() => new Dropout(0.5).forward(ctx, x), {
    message: "Dropout in training needs static shapes: got [batch, 3]",
  });
});

referenceCheckTest("dropout graphs pass the reference ONNX checker", saved);
