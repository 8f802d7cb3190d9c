import assert from "node:assert/strict";
import { encodeModel } from "../../src/onnx/encode.ts";
import {
  countNonFinite,
  nonFiniteProblem,
  nonFiniteText,
  nonFiniteWeights,
} from "../../src/onnx/finite_weights.ts";
import type { Initializer } from "../../src/onnx/model.ts";
import { ModelProtoType } from "../../src/onnx/schema.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { quantizeRows, toFloat16 } from "../../src/export/weight_storage.ts";

/** A model holding these initializers (raw_data, as every export writes them). */
function modelOf(initializers: Initializer[]): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImports: [{ domain: "", version: 17 }],
    producerName: "test",
    producerVersion: "0",
    graph: { name: "g", nodes: [], inputs: [], outputs: [], initializers, valueInfo: [] },
    metadata: [],
  });
}

Deno.test("countNonFinite() counts NaN and both infinities, nothing else", () => {
  assert.equal(countNonFinite(Float32Array.of(0, -0, 1e-45, 3.4e38, -1)), 0);
  assert.equal(countNonFinite(Float32Array.of(NaN, Infinity, -Infinity, 2)), 3);
  assert.equal(countNonFinite([]), 0);
});

Deno.test("nonFiniteWeights() finds NaN/Inf in float32, float16 and float64 raw_data", () => {
  const w = new Float32Array(3000);
  for (let i = 0; i < 12; i++) w[i * 100] = i % 2 ? NaN : -Infinity;
  // The largest finite float32 and float16 values have all exponent bits but one set.
  const edge = Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38, 1e-45);
  const bytes = modelOf([
    { name: "ok", tensor: tensor("float32", [3], edge) },
    { name: "decoder.weight", tensor: tensor("float32", [30, 100], w) },
    {
      name: "half",
      tensor: tensor("float16", [4], toFloat16(Float32Array.of(1, NaN, 65504, Infinity))),
    },
    { name: "double", tensor: tensor("float64", [3], Float64Array.of(1, -Infinity, 1.7e308)) },
    { name: "ids", tensor: tensor("int64", [2], [-1n, 9223372036854775807n]) },
  ]);
  assert.deepEqual(nonFiniteWeights(bytes), [
    { name: "decoder.weight", bad: 12, total: 3000 },
    { name: "half", bad: 2, total: 4 },
    { name: "double", bad: 1, total: 3 },
  ]);
  assert.equal(
    nonFiniteProblem(bytes),
    'weight "decoder.weight" holds 12 NaN/Inf values of 3,000 (and 2 more weights): the model ' +
      "diverged during training (train again with a lower --lr) or the file is damaged",
  );
});

Deno.test("nonFiniteWeights(): an int8 export's NaN shows in its float32 scales", () => {
  const { q, scale } = quantizeRows(Float32Array.of(1, 2, NaN, 4), 2, 2);
  const bytes = modelOf([
    { name: "w_q", tensor: tensor("int8", [2, 2], q) },
    { name: "w_scale", tensor: tensor("float32", [2], scale) },
  ]);
  assert.deepEqual(nonFiniteWeights(bytes), [{ name: "w_scale", bad: 1, total: 2 }]);
});

Deno.test("nonFiniteWeights() reads float_data, double_data and int32_data too", () => {
  const bytes = ModelProtoType.encode(ModelProtoType.create({
    ir_version: 8,
    graph: {
      name: "g",
      initializer: [
        { name: "f", data_type: 1, dims: [3], float_data: [1, NaN, Infinity] },
        { name: "d", data_type: 11, dims: [2], double_data: [NaN, 2] },
        // float16 bits: 0x3c00 is 1, 0x7e00 NaN, 0xfc00 -Inf, 0x7bff the largest finite.
        { name: "h", data_type: 10, dims: [4], int32_data: [0x3c00, 0x7e00, 0xfc00, 0x7bff] },
        { name: "fine", data_type: 1, dims: [2], float_data: [1, 2] },
      ],
    },
  })).finish();
  assert.deepEqual(nonFiniteWeights(bytes), [
    { name: "f", bad: 2, total: 3 },
    { name: "d", bad: 1, total: 2 },
    { name: "h", bad: 2, total: 4 },
  ]);
});

Deno.test("nonFiniteProblem() is silent for finite weights; nonFiniteText() counts in words", () => {
  const bytes = modelOf([{ name: "w", tensor: tensor("float32", [2], Float32Array.of(1, 2)) }]);
  assert.equal(nonFiniteProblem(bytes), undefined);
  assert.equal(
    nonFiniteText({ name: "x", bad: 1, total: 1234567 }, "tensor"),
    'tensor "x" holds 1 NaN/Inf value of 1,234,567',
  );
});
