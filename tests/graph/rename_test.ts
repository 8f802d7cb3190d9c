// Graph.rename: a node's output renamed wherever it is read, and the values it refuses.
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { checkGraph } from "../../src/graph/check.ts";
import { add, mul } from "../../src/ops/elementwise.ts";
import { int64s } from "../../src/ops/constant.ts";
import { concat } from "../../src/ops/shape.ts";
import { loop } from "../../src/ops/control.ts";

Deno.test("rename() gives a node's output a new name in its node, its readers and known values", () => {
  const g = new Graph();
  const x = g.input("x", "float32", [2]);
  const y = add(x, x);
  const z = mul(y, x);
  const renamed = g.rename(y, "y_out");
  assert.equal(g.producer("y_out")!.outputs[0], "y_out");
  assert.deepEqual(g.producer(z.name)!.inputs, ["y_out", "x"]);
  assert.equal(g.values.has(y.name), false);
  assert.throws(
    () => add(y, x),
    /Cannot use value "Add" as input 0 of Add of graph "main": it was renamed or removed/,
  );
  g.output(renamed);
  g.output(z, "z");
  checkGraph(g);
  const shape = concat([int64s(g, [1]), int64s(g, [2])], 0);
  g.rename(shape, "dims");
  assert.deepEqual(g.known.get("dims"), [1, 2], "a known int64 value moves with its name");
});

Deno.test("rename() refuses inputs, graph outputs, values a Loop body reads and used names", () => {
  const g = new Graph();
  const x = g.input("x", "float32", []);
  assert.throws(() => g.rename(x, "x2"), /Cannot rename "x" of graph "main": only a node's output/);
  const y = add(x, x);
  g.output(y);
  assert.throws(() => g.rename(y, "y2"), /it is a graph output/);
  const read = mul(x, x);
  loop(g, 2, [x], (body) => ({ carried: [add(body.carried[0], body.outer(read))] }));
  assert.throws(() => g.rename(read, "r"), /a Loop's body reads it/);
  const free = add(x, read);
  assert.throws(() => g.rename(free, "x"), /already has a value named "x"/);
});
