import assert from "node:assert/strict";
import { Graph, pruneUnused } from "../../src/graph/mod.ts";
import { dimOf, divide, monomial, productOf, sumOf } from "../../src/graph/infer/dim_algebra.ts";
import * as ops from "../../src/ops/mod.ts";

Deno.test("monomial() reads numbers, symbols and products; dimOf() writes them back", () => {
  assert.deepEqual(monomial(12), { coef: 12, symbols: [] });
  assert.deepEqual(monomial("batch"), { coef: 1, symbols: ["batch"] });
  assert.deepEqual(monomial("16*batch"), { coef: 16, symbols: ["batch"] });
  assert.deepEqual(monomial("seq*2*batch"), { coef: 2, symbols: ["batch", "seq"] });
  assert.deepEqual(monomial("batch+2"), { coef: 1, symbols: ["batch+2"] });
  assert.equal(dimOf({ coef: 16, symbols: ["batch"] }), "16*batch");
  assert.equal(dimOf({ coef: 1, symbols: ["batch"] }), "batch");
  assert.equal(dimOf({ coef: 3, symbols: [] }), 3);
});

Deno.test("productOf(), divide() and sumOf() do exact symbolic arithmetic", () => {
  assert.deepEqual(productOf(["batch", 16, 4]), { coef: 64, symbols: ["batch"] });
  assert.equal(productOf(["batch", null]), null);
  assert.deepEqual(divide({ coef: 64, symbols: ["batch"] }, { coef: 16, symbols: [] }), {
    coef: 4,
    symbols: ["batch"],
  });
  assert.equal(divide({ coef: 64, symbols: ["batch"] }, { coef: 3, symbols: [] }), undefined);
  assert.equal(divide({ coef: 64, symbols: [] }, { coef: 1, symbols: ["batch"] }), undefined);
  assert.equal(sumOf(["batch", "batch", "batch"]), "3*batch");
  assert.equal(sumOf(["batch", 2, 3]), "batch+5");
  assert.equal(sumOf([4, 5]), 9);
  assert.equal(sumOf(["batch", null]), null);
});

Deno.test("time-major layouts keep the symbolic batch through Reshape, Split and Concat", () => {
  const g = new Graph("time_major");
  const x = g.input("x", "float32", ["batch", 16, 8]);
  const rows = ops.reshape(ops.transpose(x, [1, 0, 2]), [-1, 8]);
  assert.deepEqual(rows.shape, ["16*batch", 8]);
  const steps = ops.split(rows, 16, 0);
  assert.deepEqual(steps[0].shape, ["batch", 8]);
  const joined = ops.concat(steps, 0);
  assert.deepEqual(joined.shape, ["16*batch", 8]);
  assert.deepEqual(ops.reshape(joined, [16, -1, 8]).shape, [16, "batch", 8]);
});

Deno.test("pruneUnused() removes nodes that reach no output and keeps the rest in order", () => {
  const g = new Graph("prune");
  const x = g.input("x", "float32", [2]);
  const used = ops.relu(x);
  ops.tanh(ops.exp(x)); // dead
  g.output(ops.neg(used), "y");
  assert.equal(pruneUnused(g), 2);
  assert.deepEqual(g.nodes.map((n) => n.opType), ["Relu", "Neg", "Identity"]);
  assert.equal(g.values.has("Exp"), false);
  assert.equal(pruneUnused(g), 0);
});
