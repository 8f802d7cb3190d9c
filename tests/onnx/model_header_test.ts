import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { saveGraph } from "../../src/graph/model_io.ts";
import { decodeModel, OnnxFormatError } from "../../src/onnx/decode.ts";
import { readModelHeader } from "../../src/onnx/model_header.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import * as ops from "../../src/ops/mod.ts";
import { exportFixture } from "../e2e/fixture.ts";

/** The header's view of what the full decoder reads. */
function expected(bytes: Uint8Array) {
  const full = decodeModel(bytes);
  return {
    irVersion: full.irVersion,
    ...(full.docString ? { docString: full.docString } : {}),
    metadata: full.metadata.map(([k, v]) => [k, v]),
    graph: {
      inputs: full.graph.inputs,
      outputs: full.graph.outputs,
      initializerNames: full.graph.initializers.map((i) => i.name),
    },
  };
}

Deno.test("readModelHeader() reads what decodeModel() reads of a graph's interface", () => {
  const g = new Graph("mixed");
  const x = g.input("x", "float32", ["batch", 3]);
  const ids = g.input("ids", "int64", [2, "seq"]);
  const w = g.initializer("w", tensor("float32", [3, 3], new Float32Array(9).fill(0.5)));
  g.output(ops.matMul(x, w), "y");
  g.output(ops.cast(ids, "float32"), "ids_f");
  const bytes = saveGraph(g, { metadata: [["k", "v"], ["é", "ü"]], docString: "a doc" });
  const header = readModelHeader(bytes, "mixed.onnx");
  assert.deepEqual(header, expected(bytes));
  assert.deepEqual(header.graph.inputs.map((i) => i.shape), [["batch", 3], [2, "seq"]]);
});

Deno.test("readModelHeader() agrees with decodeModel() on real exports (lm6, lm1)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-header-" });
  try {
    await exportFixture(dir, "lm6", 1);
    await exportFixture(dir, "lm1", 1);
    for (const name of ["lm6", "lm1"]) {
      const bytes = await Deno.readFile(`${dir}/${name}.onnx`);
      assert.deepEqual(readModelHeader(bytes), expected(bytes), name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readModelHeader() refuses what is not an ONNX model, naming the source", () => {
  const refuses = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(
      () => readModelHeader(bytes, "x.onnx"),
      (e) => e instanceof OnnxFormatError && pattern.test(e.message),
    );
  refuses(new TextEncoder().encode("not a model at all"), /x\.onnx/);
  refuses(new Uint8Array(0), /Cannot read x\.onnx \(0 bytes\): expected an ONNX ir_version/);
  refuses(Uint8Array.of(0x08, 0x08), /the model has no graph/);
  const g = new Graph("g");
  g.output(ops.relu(g.input("x", "float32", [1])), "y");
  const bytes = saveGraph(g);
  refuses(bytes.subarray(0, bytes.length - 3), /x\.onnx/);
});
