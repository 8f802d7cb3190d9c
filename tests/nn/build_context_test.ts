import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { BuildContext } from "../../src/nn/build_context.ts";
import { Linear } from "../../src/nn/linear.ts";

Deno.test("BuildContext gives each parameter its value, and names one it was not given", () => {
  const g = new Graph("ctx");
  const lin = new Linear(3, 2);
  const w = g.input("w", "float32", [2, 3]);
  const partial = new BuildContext(g, { parameters: new Map([[lin.weight, w]]) });
  assert.equal(partial.value(lin.weight), w);
  assert.equal(partial.training, false);
  const x = g.input("x", "float32", [4, 3]);
  assert.throws(() => lin.forward(partial, x), {
    message: `A parameter of shape [2] has no value in graph "ctx": give the model's ` +
      `parameters to its BuildContext before calling forward()`,
  });
  // Two contexts over one graph do not see each other's parameters: nothing is kept aside.
  assert.throws(() => new BuildContext(g).value(lin.weight), /shape \[2, 3\] has no value/);
});
