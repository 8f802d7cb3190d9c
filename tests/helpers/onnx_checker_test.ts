import assert from "node:assert/strict";
import { Graph, graphToModel } from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import { encodeModel } from "../../src/onnx/mod.ts";
import { checkerAvailable, checkerRequired, referenceCheck } from "./onnx_checker.ts";

// The oracle itself must be able to fail, or every "passes the checker" test means nothing.
Deno.test({
  name: "referenceCheck() rejects a model whose declared output type contradicts inference",
  ignore: !checkerAvailable && !checkerRequired,
  fn: async () => {
    const g = new Graph("bad");
    g.output(ops.relu(g.input("x", "float32", [2, 3])), "y");
    const model = graphToModel(g);
    const lying = {
      ...model,
      graph: { ...model.graph, outputs: [{ name: "y", dtype: "float32" as const, shape: [3, 2] }] },
    };
    await referenceCheck([{ label: "good", bytes: encodeModel(model) }]);
    await assert.rejects(
      referenceCheck([{ label: "lying", bytes: encodeModel(lying) }]),
      /The reference ONNX checker disagrees:\n {2}lying: /,
    );
    const noOpset = { ...model, opsetImports: [] };
    await assert.rejects(
      referenceCheck([{ label: "no-opset", bytes: encodeModel(noOpset) }]),
      /no-opset: /,
    );
  },
});
