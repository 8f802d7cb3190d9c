import assert from "node:assert/strict";
import {
  checkGraph,
  Graph,
  graphToModel,
  loadGraph,
  printGraph,
  saveGraph,
} from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import { encodeModel, OnnxFormatError, tensor } from "../../src/onnx/mod.ts";
import { type ModelToCheck, referenceCheckTest } from "../helpers/onnx_checker.ts";

const checked: ModelToCheck[] = [];

function lmLike(): Graph {
  const g = new Graph("lm_like");
  const tokens = g.input("tokens", "int64", ["batch", 16]);
  const emb = g.initializer(
    "i_h.weight",
    tensor("float32", [30, 8], new Float32Array(240).map((_, i) => Math.sin(i))),
  );
  const h = ops.tanh(ops.gather(emb, tokens)); // [batch, 16, 8]
  const logits = ops.matMul(h, ops.transpose(emb)); // weight tying: [batch, 16, 30]
  const flat = ops.reshape(logits, [-1, 30]);
  g.output(ops.logSoftmax(flat), "logp");
  g.output(ops.argMax(logits, -1, { keepdims: false }), "pred");
  g.output(ops.shape(tokens), "shape");
  return g;
}

Deno.test("saveGraph() then loadGraph() gives back the same graph", () => {
  const g = lmLike();
  checkGraph(g);
  const bytes = saveGraph(g);
  checked.push({ label: "lm_like", bytes });
  const back = loadGraph(bytes);
  checkGraph(back);
  assert.equal(printGraph(back), printGraph(g));
  assert.deepEqual(saveGraph(back), bytes);
});

Deno.test("symbolic dims flow through Gather, MatMul and Reshape", () => {
  const g = lmLike();
  assert.deepEqual(g.value("logp").shape, ["16*batch", 30]);
  assert.deepEqual(g.value("pred").shape, ["batch", 16]);
  assert.deepEqual(g.value("shape").shape, [2]);
});

Deno.test("Reshape to a Shape-derived target keeps the symbolic batch", () => {
  const g = new Graph("dyn");
  const x = g.input("x", "float32", ["batch", 4, 3]);
  const flat = ops.reshape(x, [0, -1]);
  const back = ops.reshape(flat, ops.shape(x));
  assert.deepEqual(flat.shape, ["batch", 12]);
  assert.deepEqual(back.shape, ["batch", 4, 3]);
  g.output(back, "y");
  checkGraph(g);
  checked.push({ label: "dyn", bytes: saveGraph(g) });
});

Deno.test("saveGraph() writes metadata and the pinned versions", () => {
  const model = graphToModel(lmLike(), { metadata: [["vocab", "[]"]], docString: "d" });
  assert.equal(model.irVersion, 8);
  assert.deepEqual(model.opsetImports, [{ domain: "", version: 17 }]);
  assert.deepEqual(model.metadata, [["vocab", "[]"]]);
});

Deno.test("loadGraph() rejects unsupported operators, other opsets and wrong outputs", () => {
  const base = graphToModel(lmLike());
  const withOp = (opType: string) => ({
    ...base,
    graph: {
      ...base.graph,
      nodes: [{ ...base.graph.nodes[0], opType }, ...base.graph.nodes.slice(1)],
    },
  });
  assert.throws(
    () => loadGraph(encodeModel(withOp("LSTM")), "m.onnx"),
    (e: Error) =>
      e instanceof OnnxFormatError &&
      /Cannot load m\.onnx: node "Gather" uses operator "LSTM", which onnx-lm does not support/
        .test(e.message),
  );
  assert.throws(
    () =>
      loadGraph(encodeModel({ ...base, opsetImports: [{ domain: "", version: 13 }] }), "m.onnx"),
    /expected default-domain opset 17, got 13/,
  );
  const wrongOut = {
    ...base,
    graph: {
      ...base.graph,
      outputs: [{ name: "logp", dtype: "float32" as const, shape: [7, 30] }],
    },
  };
  assert.throws(
    () => loadGraph(encodeModel(wrongOut), "m.onnx"),
    /graph output "logp" is declared float32\[7, 30\] but computes float32\[16\*batch, 30\]/,
  );
});

referenceCheckTest("graphs saved by the model I/O tests pass the reference ONNX checker", checked);
