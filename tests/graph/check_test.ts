import assert from "node:assert/strict";
import {
  checkGraph,
  Graph,
  GraphBuildError,
  GraphCheckError,
  type Node,
  printGraph,
} from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import { tensor } from "../../src/onnx/tensor.ts";

function small(): Graph {
  const g = new Graph("small");
  const x = g.input("x", "float32", ["batch", 4]);
  const w = g.initializer("w", tensor("float32", [3, 4], new Float32Array(12)));
  g.output(ops.relu(ops.gemm(x, w, null, { transB: true })), "y");
  return g;
}

Deno.test("checkGraph() accepts a graph built with the op builders", () => {
  checkGraph(small());
});

Deno.test("checkGraph() rejects a node that reads a value defined after it", () => {
  const g = small();
  const [gemm, relu] = g.nodes;
  g.nodes.splice(0, 2, relu, gemm);
  assert.throws(() => checkGraph(g), (e: Error) => {
    assert.ok(e instanceof GraphCheckError);
    assert.match(e.message, /node "Relu" reads "Gemm", which is not defined before it/);
    assert.match(e.message, />> {2}%Relu: float32\[batch, 3\] = Relu\(%Gemm\)/);
    return true;
  });
});

Deno.test("checkGraph() rejects a value assigned twice", () => {
  const g = small();
  const node = g.nodes[1];
  g.nodes.push({ ...node, name: "again" } as Node);
  assert.throws(() => checkGraph(g), /value "Relu" is assigned twice/);
});

Deno.test("checkGraph() rejects a recorded type that inference contradicts", () => {
  const g = small();
  g.values.set("Relu", { ...g.value("Relu"), shape: ["batch", 4] });
  assert.throws(
    () => checkGraph(g),
    /output "Relu" of node "Relu" is recorded as float32\[batch, 4\] but its inputs give float32\[batch, 3\]/,
  );
});

Deno.test("checkGraph() rejects an output that is never computed", () => {
  const g = small();
  g.outputs.push({ graph: g, name: "ghost", dtype: "float32", shape: [] });
  assert.throws(() => checkGraph(g), /output "ghost" is never computed/);
});

Deno.test("Graph rejects duplicate names, bad names and values from another graph", () => {
  const g = new Graph("a");
  const x = g.input("x", "float32", [2]);
  assert.throws(
    () => g.input("x", "float32", [2]),
    /Graph "a" already has a value named "x" \(float32\[2\]\)/,
  );
  assert.throws(() => g.input("bad name", "float32", [2]), /Invalid value name "bad name"/);
  const other = new Graph("b");
  const y = other.input("y", "float32", [2]);
  assert.throws(() => ops.add(x, y), (e: Error) => {
    assert.ok(e instanceof GraphBuildError);
    assert.equal(
      e.message,
      'Cannot use value "y" as input 1 of Add of graph "a": it belongs to graph "b"',
    );
    return true;
  });
  g.output(x, "out");
  assert.throws(() => g.output(x, "out"), /already has a value named "out"/);
});

Deno.test("printGraph() shows inputs, initializers, nodes with attributes and outputs", () => {
  assert.equal(
    printGraph(small()),
    [
      'graph "small" (%x: float32[batch, 4])',
      "  init %w: float32[3, 4]",
      "  %Gemm: float32[batch, 3] = Gemm(%x, %w) {transB: 1}",
      "  %Relu: float32[batch, 3] = Relu(%Gemm)",
      "  %y: float32[batch, 3] = Identity(%Relu)",
      "  return %y: float32[batch, 3]",
    ].join("\n"),
  );
});

Deno.test("names are deterministic: the same builder calls give the same graph text", () => {
  assert.equal(printGraph(small()), printGraph(small()));
});
