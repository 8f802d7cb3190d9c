/**
 * Behaviour of `backward()` beyond single rules: zeros for unused `wrt`, `detach`, inputs
 * outside `wrt`, refusals.
 */

import assert from "node:assert/strict";
import { Graph, saveGraph, type Value } from "../../src/graph/mod.ts";
import { backward, GradError } from "../../src/grad/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import { Session } from "../../src/runtime/session.ts";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertNoDeadNodes, checkGrad, f64 } from "./fd.ts";

const models: ModelToCheck[] = [];

/** Saves `g` (recording it for the checker), runs it once and returns its outputs. */
async function run(g: Graph, feeds: Record<string, Tensor>): Promise<Record<string, number[]>> {
  const bytes = saveGraph(g);
  models.push({ label: g.name, bytes });
  const session = await Session.create(bytes, { threads: 1, source: g.name });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(out).map(([name, t]) => [name, Array.from(t.data as Float64Array)]),
    );
  } finally {
    await session.release();
  }
}

const sumAll = (v: Value) => ops.reduceSum(v, [], { keepdims: false });

Deno.test("backward() gives zeros of its shape to a wrt value the loss does not use", async () => {
  const g = new Graph("unused_wrt");
  const x = g.input("x", "float64", [2, 3]);
  const u = g.input("u", "float64", [4, 1, 2]);
  const loss = sumAll(ops.tanh(x));
  const [, du] = backward(loss, [x, u]);
  assert.equal(du.dtype, "float64");
  assert.deepEqual(du.shape, [4, 1, 2]);
  g.output(du, "du");
  const out = await run(g, {
    x: tensor("float64", [2, 3], [1, 2, 3, 4, 5, 6]),
    u: tensor("float64", [4, 1, 2], new Array(8).fill(7)),
  });
  assert.deepEqual(out.du, new Array(8).fill(0));
  await checkGrad(
    "unused wrt by central differences",
    { x: f64([2], 600), u: f64([3], 601) },
    (x) => {
      return ops.exp(x.x);
    },
    { models },
  );
});

Deno.test("backward() treats a detached value as a constant", async () => {
  // loss = sum(x * stop(tanh(x))): d loss / dx = tanh(x), without the x * (1 - tanh^2) term.
  const g = new Graph("detach");
  const x = g.input("x", "float64", [4]);
  const t = ops.tanh(x);
  const loss = sumAll(ops.mul(x, t));
  const [dx] = backward(loss, [x], { detach: [t] });
  g.output(dx, "dx");
  g.output(loss, "loss");
  assertNoDeadNodes(g);
  const data = [-1.5, -0.2, 0.3, 2];
  const out = await run(g, { x: tensor("float64", [4], data) });
  out.dx.forEach((d, i) => assert.ok(Math.abs(d - Math.tanh(data[i])) < 1e-15, `dx[${i}]`));
});

Deno.test("backward() gives zeros when every path from wrt is detached", async () => {
  const g = new Graph("detach_all");
  const x = g.input("x", "float64", [3]);
  const [dx] = backward(sumAll(ops.exp(x)), [x], { detach: [x] });
  g.output(dx, "dx");
  const out = await run(g, { x: tensor("float64", [3], [1, 2, 3]) });
  assert.deepEqual(out.dx, [0, 0, 0]);
});

/** One RNN step: h' = tanh(x @ w_ih + h @ w_hh); the state h is an input outside wrt. */
function rnnStep(g: Graph): { loss: Value; wih: Value; whh: Value } {
  const x = g.input("x", "float64", [2, 3]);
  const h = g.input("h", "float64", [2, 4]);
  const wih = g.input("w_ih", "float64", [3, 4]);
  const whh = g.input("w_hh", "float64", [4, 4]);
  const hNext = ops.tanh(ops.add(ops.matMul(x, wih), ops.matMul(h, whh)));
  g.output(hNext, "h_next");
  return { loss: sumAll(ops.mul(hNext, hNext)), wih, whh };
}

Deno.test("backward() adds no nodes for a graph input outside wrt (the state h)", () => {
  const g = new Graph("state");
  const { loss, wih, whh } = rnnStep(g);
  const forward = g.nodes.length;
  const grads = backward(loss, [wih, whh]);
  assert.equal(grads.length, 2);
  grads.forEach((d, i) => g.output(d, `grad.${i}`));
  g.output(loss, "loss");
  assertNoDeadNodes(g);
  // dh = dy @ w_hh^T would be the only gradient node reading w_hh.
  const added = g.nodes.slice(forward);
  assert.deepEqual(added.filter((n) => n.inputs.includes("w_hh")).map((n) => n.opType), []);
  assert.ok(!g.values.has("grad.h"));
});

Deno.test("backward() through an RNN step matches central differences for the weights", async () => {
  await checkGrad(
    "RNN step",
    { x: f64([2, 3], 610), h: f64([2, 4], 611), w_ih: f64([3, 4], 612), w_hh: f64([4, 4], 613) },
    (x) => ops.tanh(ops.add(ops.matMul(x.x, x.w_ih), ops.matMul(x.h, x.w_hh))),
    { models, wrt: ["w_ih", "w_hh"] },
  );
});

Deno.test("backward() refuses a loss built from argMax cast to float, naming the path", () => {
  const g = new Graph("argmax");
  const x = g.input("x", "float64", [2, 3]);
  const w = g.input("w", "float64", [2, 1]);
  const loss = sumAll(ops.mul(ops.cast(ops.argMax(x, 1), "float64"), w));
  assert.throws(() => backward(loss, [x, w]), (e: Error) => {
    assert.ok(e instanceof GradError);
    assert.equal(
      e.message,
      `Cannot differentiate through "ArgMax" (node "ArgMax"): it has no gradient. ` +
        `Path from the loss: "ReduceSum" <- ReduceSum "ReduceSum" <- Mul "Mul" <- Cast "Cast" ` +
        `<- ArgMax "ArgMax". Pass the value to backward()'s "detach" option if a zero ` +
        `gradient is intended`,
    );
    return true;
  });
});

Deno.test("backward() follows a chain of Casts to the argMax, and adds no node when it refuses", () => {
  const g = new Graph("casts");
  const x = g.input("x", "float32", [2, 3]);
  const mask = ops.cast(ops.cast(ops.argMax(x, 1, { keepdims: true }), "bool"), "float32");
  const loss = sumAll(ops.mul(x, mask));
  const nodes = g.nodes.length;
  assert.throws(() => backward(loss, [x]), {
    name: "GradError",
    message: /^Cannot differentiate through "ArgMax" .* <- Cast "Cast_1" <- Cast "Cast" <- ArgMax/,
  });
  assert.equal(g.nodes.length, nodes, "a refused graph keeps its nodes");
});

Deno.test("backward() accepts a Pow exponent of another type made by argMax: no gradient flows there", () => {
  const g = new Graph("pow");
  const x = g.input("x", "float32", [2, 3]);
  const p = ops.cast(ops.argMax(x, 1, { keepdims: true }), "float64");
  const [dx] = backward(sumAll(ops.pow(x, p)), [x]);
  assert.deepEqual(dx.shape, [2, 3]);
});

Deno.test("backward() refuses a comparison cast to float and accepts it detached", async () => {
  const g = new Graph("greater");
  const x = g.input("x", "float64", [3]);
  const mask = ops.cast(ops.greater(x, ops.constantScalar(g, "float64", 0)), "float64");
  const loss = sumAll(ops.mul(mask, x));
  assert.throws(
    () => backward(loss, [x]),
    new GradError(
      `Cannot differentiate through "Greater" (node "Greater"): it has no gradient. ` +
        `Path from the loss: "ReduceSum" <- ReduceSum "ReduceSum" <- Mul "Mul" <- Cast "Cast" ` +
        `<- Greater "Greater". Pass the value to backward()'s "detach" option if a zero ` +
        `gradient is intended`,
    ),
  );
  const [dx] = backward(loss, [x], { detach: [mask] });
  g.output(dx, "dx");
  const out = await run(g, { x: tensor("float64", [3], [-1, 2, 0.5]) });
  assert.deepEqual(out.dx, [0, 1, 1]);
});

Deno.test("backward() accepts comparisons as Where conditions and shapes cast to float", async () => {
  await checkGrad("relu as Where", { x: f64([2, 3], 620, { gap: 0.1 }) }, (x, g) => {
    const zero = ops.constantScalar(g, "float64", 0);
    return ops.where(ops.greater(x.x, zero), x.x, zero);
  }, { models });
  await checkGrad("mean by Shape", { x: f64([2, 3], 621) }, (x) => {
    const n = ops.cast(ops.shape(x.x, { start: 1 }), "float64");
    return ops.div(ops.reduceSum(x.x, [1], { keepdims: false }), n);
  }, { models });
});

Deno.test("backward() refuses a loss that is not float", () => {
  const g = new Graph("int_loss");
  const x = g.input("x", "float64", [2, 3]);
  assert.throws(
    () => backward(ops.argMax(x, 1), [x]),
    new GradError(`Cannot differentiate "ArgMax": it is int64[2, 1], not float`),
  );
});

referenceCheckTest(
  "every gradient graph in backward_test.ts passes the reference ONNX checker",
  models,
);

Deno.test("backward() adds extra gradients and refuses one whose path crosses an op without a gradient", () => {
  const g = new Graph();
  const x = g.input("x", "float32", [3]);
  const loss = ops.reduceSum(ops.mul(x, x), [], { keepdims: false });
  const twice = ops.add(x, x);
  const [dx] = backward(loss, [x], {
    extra: [[twice, ops.constant(g, tensor("float32", [3], [1, 2, 3]))]],
  });
  assert.equal(dx.shape.join(), "3");
  const h = new Graph();
  const y = h.input("y", "float32", [3]);
  const hits = ops.cast(ops.argMax(y, 0, { keepdims: false }), "float32");
  const l2 = ops.reduceSum(ops.mul(y, y), [], { keepdims: false });
  assert.throws(
    () => backward(l2, [y], { extra: [[hits, ops.constantScalar(h, "float32", 1)]] }),
    (e: Error) => e instanceof GradError && /Cannot differentiate through "ArgMax"/.test(e.message),
  );
  assert.throws(
    () => backward(l2, [y], { extra: [[y, ops.constantScalar(h, "float32", 1)]] }),
    /backward\(\)'s extra gradient for "y" \(float32\[3\]\) is float32\[\]/,
  );
});
