import assert from "node:assert/strict";
import {
  decodeModel,
  encodeModel,
  IR_VERSION,
  type ModelData,
  OnnxFormatError,
  OPSET_VERSION,
  tensor,
} from "../../src/onnx/mod.ts";
import { ModelProtoType } from "../../src/onnx/schema.ts";
import { Graph, saveGraph } from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";

/** A model that uses every field onnx-lm writes: all dtypes, every attribute kind, dims. */
function sampleModel(): ModelData {
  return {
    irVersion: IR_VERSION,
    opsetImports: [{ domain: "", version: OPSET_VERSION }],
    producerName: "onnx-lm",
    producerVersion: "0.1.0",
    docString: "round trip",
    graph: {
      name: "g",
      nodes: [
        {
          opType: "Gemm",
          name: "gemm",
          inputs: ["x", "w", ""],
          outputs: ["y"],
          attributes: {
            transB: { type: "int", value: 1 },
            alpha: { type: "float", value: 0.5 },
          },
        },
        {
          opType: "Custom",
          name: "c",
          inputs: ["y"],
          outputs: ["z"],
          domain: "test.domain",
          attributes: {
            mode: { type: "string", value: "fast ✓" },
            sizes: { type: "ints", value: [1, -2, 3] },
            scales: { type: "floats", value: [0.25, -1.5] },
            names: { type: "strings", value: ["a", "bé"] },
            value: { type: "tensor", value: tensor("int64", [2], [7n, -9007199254740993n]) },
          },
        },
      ],
      inputs: [{ name: "x", dtype: "float32", shape: ["batch", 3, null] }],
      outputs: [{ name: "z", dtype: "bool", shape: [] }],
      initializers: [
        { name: "w", tensor: tensor("float32", [2, 3], [1, 2, 3, 4, 5, 6]) },
        { name: "d", tensor: tensor("float64", [2], [Math.PI, -0]) },
        { name: "b", tensor: tensor("bool", [3], [1, 0, 1]) },
        { name: "s", tensor: tensor("int64", [], [42n]) },
      ],
      valueInfo: [{ name: "y", dtype: "float32", shape: ["batch", 2] }],
    },
    metadata: [["vocab", '["one","."]'], ["model", "lm6"]],
  };
}

Deno.test("decodeModel(encodeModel(m)) equals m for every field onnx-lm writes", () => {
  const model = sampleModel();
  assert.deepEqual(decodeModel(encodeModel(model)), model);
});

Deno.test("encodeModel() is deterministic and independent of attribute insertion order", () => {
  const a = sampleModel();
  const node = a.graph.nodes[0];
  const reordered: ModelData = {
    ...a,
    graph: {
      ...a.graph,
      nodes: [{
        ...node,
        attributes: { alpha: node.attributes.alpha, transB: node.attributes.transB },
      }, a.graph.nodes[1]],
    },
  };
  assert.deepEqual(encodeModel(a), encodeModel(sampleModel()));
  assert.deepEqual(encodeModel(a), encodeModel(reordered));
});

Deno.test("decodeModel() reads tensors stored in typed fields instead of raw_data", () => {
  const bytes = ModelProtoType.encode({
    ir_version: 8,
    opset_import: [{ domain: "", version: 17 }],
    graph: {
      name: "g",
      initializer: [
        { name: "f", dims: [2], data_type: 1, float_data: [1.5, -2] },
        { name: "d", dims: [1], data_type: 11, double_data: [0.1] },
        { name: "i", dims: [2], data_type: 7, int64_data: ["9007199254740993", -1] },
        { name: "b", dims: [2], data_type: 9, int32_data: [0, 1] },
      ],
    },
  }).finish();
  const inits = decodeModel(bytes).graph.initializers;
  assert.deepEqual(inits.map((i) => i.tensor), [
    tensor("float32", [2], [1.5, -2]),
    tensor("float64", [1], [0.1]),
    tensor("int64", [2], [9007199254740993n, -1n]),
    tensor("bool", [2], [0, 1]),
  ]);
});

Deno.test("decodeModel() rejects truncated bytes with a clear error", () => {
  const bytes = encodeModel(sampleModel());
  for (const cut of [1, 10, bytes.length >> 1, bytes.length - 1]) {
    assert.throws(
      () => decodeModel(bytes.subarray(0, cut), "model.onnx"),
      (e: Error) => {
        assert.ok(e instanceof OnnxFormatError, `cut at ${cut}: ${e}`);
        assert.match(e.message, /^Cannot (decode|read) model\.onnx \(\d+ bytes\): /);
        return true;
      },
    );
  }
});

Deno.test("decodeModel() rejects files that are not ONNX", () => {
  const text = new TextEncoder().encode("this is a text file, not a model\n");
  assert.throws(() => decodeModel(text, "notes.txt"), OnnxFormatError);
  assert.throws(
    () => decodeModel(new Uint8Array(0), "empty.onnx"),
    /Cannot read empty\.onnx \(0 bytes\): expected an ONNX ir_version in 3\.\.11, got none/,
  );
  const random = new Uint8Array(4096);
  let s = 7;
  for (let i = 0; i < random.length; i++) random[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  assert.throws(() => decodeModel(random, "random.bin"), OnnxFormatError);
});

Deno.test("decodeModel() names the initializer whose element type is unsupported", () => {
  const bytes = ModelProtoType.encode({
    ir_version: 8,
    graph: {
      name: "g",
      initializer: [{ name: "b16", dims: [1], data_type: 16, raw_data: new Uint8Array(2) }],
    },
  }).finish();
  assert.throws(
    () => decodeModel(bytes, "m.onnx"),
    /initializer "b16": got ONNX data type 16 \(BFLOAT16\); onnx-lm supports float32, float64, int64, bool, float16, int8/,
  );
});

Deno.test("decodeModel() checks raw_data length against dims", () => {
  const bytes = ModelProtoType.encode({
    ir_version: 8,
    graph: {
      name: "g",
      initializer: [{ name: "w", dims: [2, 2], data_type: 1, raw_data: new Uint8Array(12) }],
    },
  }).finish();
  assert.throws(
    () => decodeModel(bytes, "m.onnx"),
    /initializer "w" has 12 bytes of raw_data, expected 16 for float32 \[2, 2\]/,
  );
});

Deno.test("float16 and int8 initializers round-trip through encode and decode", () => {
  const g = new Graph("compressed");
  g.initializer("h", tensor("float16", [2], Uint16Array.of(0x3c00, 0xc000))); // 1, -2
  g.initializer("q", tensor("int8", [3], Int8Array.of(-127, 0, 127)));
  g.output(ops.identity(g.input("x", "float32", [1])), "y");
  const model = decodeModel(saveGraph(g), "c.onnx");
  const byName = new Map(model.graph.initializers.map((i) => [i.name, i.tensor]));
  assert.deepEqual(byName.get("h"), {
    dtype: "float16",
    dims: [2],
    data: Uint16Array.of(0x3c00, 0xc000),
  });
  assert.deepEqual(byName.get("q"), { dtype: "int8", dims: [3], data: Int8Array.of(-127, 0, 127) });
});
