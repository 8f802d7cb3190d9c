// Loop: the body's carried values, scan outputs and reads of the enclosing graph, run on
// onnxruntime and checked by the reference ONNX checker; its file round trip, FLOPs,
// pruning and liveness see the body's outer reads.
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { countFlops } from "../../src/graph/flops.ts";
import { liveBytes } from "../../src/graph/live_bytes.ts";
import { loadGraph, saveGraph } from "../../src/graph/model_io.ts";
import { pruneUnused } from "../../src/graph/prune.ts";
import { checkGraph } from "../../src/graph/check.ts";
import { implicitInputs } from "../../src/graph/subgraph.ts";
import { loop } from "../../src/ops/control.ts";
import { op } from "../../src/graph/op.ts";
import type { GraphData } from "../../src/onnx/model.ts";
import { add, cast, mul } from "../../src/ops/elementwise.ts";
import { constantScalar } from "../../src/ops/constant.ts";
import { gather } from "../../src/ops/indexing.ts";
import { matMul } from "../../src/ops/linalg.ts";
import { reduceSum } from "../../src/ops/reduce.ts";
import { unsqueeze } from "../../src/ops/shape.ts";
import { runGraph, saved, t64 } from "../helpers/run_graph.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";

/** Rows of `x` one at a time: each row times `w` stacked, and the sum of all carried. */
function rowLoop(): Graph {
  const g = new Graph("row_loop");
  const x = g.input("x", "float64", [3, 2]);
  const w = g.input("w", "float64", [2, 4]);
  const r = loop(g, 3, [constantScalar(g, "float64", 0)], (body) => {
    const row = gather(body.outer(x), unsqueeze(body.iteration, [0]), { axis: 0 }); // [1, 2]
    const y = matMul(row, body.outer(w)); // [1, 4]
    const scale = add(cast(body.iteration, "float64"), constantScalar(body.graph, "float64", 1));
    return {
      carried: [add(body.carried[0], mul(reduceSum(y, [], { keepdims: false }), scale))],
      scans: [y],
    };
  });
  g.output(r.carried[0], "total");
  g.output(r.scans[0], "rows");
  return g;
}

const X = [1, 2, 3, 4, 5, 6];
const W = [1, 0, -1, 2, 0.5, 1, 3, -2];

Deno.test("loop() runs its body once per trip: carried values, scans and outer reads", async () => {
  const g = rowLoop();
  assert.deepEqual(g.value("rows").shape, [3, 1, 4]);
  const [out] = await runGraph("row loop", g, { x: t64([3, 2], X), w: t64([2, 4], W) });
  const rows = [0, 1, 2].map((i) =>
    [0, 1, 2, 3].map((j) => X[2 * i] * W[j] + X[2 * i + 1] * W[4 + j])
  );
  assert.deepEqual(out.rows.dims, [3, 1, 4]);
  assert.deepEqual(out.rows.data, rows.flat());
  const total = rows.reduce((s, row, i) => s + (i + 1) * row.reduce((a, b) => a + b, 0), 0);
  assert.deepEqual(out.total.data, [total]);
});

Deno.test("a Loop's body reads count as the node's: implicit inputs, pruning, liveness, FLOPs", () => {
  const g = rowLoop();
  const node = g.nodes.find((n) => n.opType === "Loop")!;
  assert.deepEqual(implicitInputs(node).sort(), ["w", "x"]);
  assert.deepEqual(pruneUnused(g), 0);
  checkGraph(g);
  // x and w are inputs (held for the whole run); the outputs are counted from the Loop on.
  const bytes = liveBytes(g);
  assert.deepEqual(bytes.held, (6 + 8) * 8);
  // Per trip: a [1, 2] x [2, 4] MatMul (16), the reduce (4), the scale's add and the two
  // scalar ops (3): 23 FLOPs, three times.
  assert.deepEqual(countFlops(g).total, 3 * 23);
});

Deno.test("a graph with a Loop survives the file round trip", () => {
  const g = rowLoop();
  const back = loadGraph(saveGraph(g), "row_loop.onnx");
  checkGraph(back);
  assert.deepEqual(saveGraph(back), saveGraph(g));
  assert.deepEqual(back.value("rows").shape, [3, 1, 4]);
});

Deno.test("loop() refuses a trip count that is not a positive integer", () => {
  const g = new Graph();
  assert.throws(
    () => loop(g, 0, [], () => ({ carried: [] })),
    /loop\(\) needs a trip count that is an integer >= 1: got 0/,
  );
});

Deno.test("a carried value whose type changes in the body is refused, naming it", () => {
  const g = new Graph();
  const start = constantScalar(g, "float64", 0);
  assert.throws(
    () => loop(g, 2, [start], (body) => ({ carried: [unsqueeze(body.carried[0], [0])] })),
    (e: Error) => {
      assert.ok(
        /carried value 0 starts as float64\[\] but the body has float64\[1\]/.test(e.message),
      );
      return true;
    },
  );
});

referenceCheckTest("Loop graphs pass the reference ONNX checker", saved);

Deno.test("loop() refuses a body that returns another number of carried values", () => {
  const g = new Graph();
  const start = constantScalar(g, "float64", 0);
  assert.throws(
    () => loop(g, 2, [start, start], (body) => ({ carried: [body.carried[0]] })),
    /the body returns 1 carried value\(s\), expected 2/,
  );
});

Deno.test("a body may return an outer value or its input as it is, and one value twice", async () => {
  const g = new Graph("passing");
  const x = g.input("x", "float64", [2]);
  const r = loop(g, 3, [x], (body) => ({
    carried: [body.carried[0]],
    scans: [body.outer(x), body.outer(x)],
  }));
  const node = g.nodes.find((n) => n.opType === "Loop")!;
  assert.deepEqual(implicitInputs(node), ["x"], "a returned outer value is a read");
  g.output(r.carried[0], "same");
  g.output(r.scans[1], "stacked");
  const [out] = await runGraph("passing loop", g, { x: t64([2], [4, 5]) });
  assert.deepEqual(out.same.data, [4, 5]);
  assert.deepEqual(out.stacked.data, [4, 5, 4, 5, 4, 5]);
});

Deno.test("a Loop whose body has the wrong iteration or condition types is refused, naming them", () => {
  const good = rowLoop();
  const node = good.nodes.find((n) => n.opType === "Loop")!;
  const body = (node.attributes.body as { value: GraphData }).value;
  const broken = (inputs: GraphData["inputs"], outputs: GraphData["outputs"]) => {
    const g = new Graph("broken");
    const x = g.input("x", "float64", [3, 2]);
    const w = g.input("w", "float64", [2, 4]);
    void x, w;
    return () =>
      op(g, "Loop", [constantScalar(g, "int64", 3), null, constantScalar(g, "float64", 0)], {
        body: { type: "graph", value: { ...body, inputs, outputs } },
      }, 2);
  };
  const [it, cond, ...rest] = body.inputs;
  assert.throws(
    broken([{ ...it, dtype: "float32" }, cond, ...rest], body.outputs),
    /the body's first input \(the iteration\) must be int64\[\]: got float32\[\]/,
  );
  assert.throws(
    broken([it, { ...cond, shape: [1] }, ...rest], body.outputs),
    /the body's second input \(the condition\) must be bool\[\]: got bool\[1\]/,
  );
  const [condOut, ...outs] = body.outputs;
  assert.throws(
    broken(body.inputs, [{ ...condOut, dtype: "float64" }, ...outs]),
    /the body's first output \(the condition\) must be bool\[\]: got float64\[\]/,
  );
});
