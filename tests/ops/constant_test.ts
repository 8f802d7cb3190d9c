// Constant builders and Cast through onnxruntime-node, and a guard that every builder that
import { builtModels } from "../helpers/run_one.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
// src/ops/mod.ts exports is covered by a test in tests/ops/.
import assert from "node:assert/strict";
import { op } from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { arr, randArr, rng } from "../helpers/reference.ts";
import {
  assertBuildError,
  bool,
  declare,
  EXACT,
  expectOp,
  f32,
  f64,
  i64,
} from "../helpers/run_one.ts";

Deno.test("constant() outputs its tensor, in float64, int64 and bool", async () => {
  const values = [0.5, -1.25, 3, 1e-300, 7, -0];
  await expectOp(
    "constant float64",
    {},
    (_, g) => ops.constant(g, tensor("float64", [2, 3], values)),
    arr([2, 3], values),
    EXACT,
  );
  await expectOp(
    "constant int64",
    {},
    (_, g) => ops.constant(g, tensor("int64", [3], [-(2n ** 40n), 0n, 5n])),
    arr([3], [-(2 ** 40), 0, 5]),
    EXACT,
  );
  await expectOp(
    "constant bool",
    {},
    (_, g) => ops.constant(g, tensor("bool", [2, 2], [true, false, false, true])),
    arr([2, 2], [1, 0, 0, 1]),
    EXACT,
  );
});

Deno.test("constantScalar() makes rank-0 constants and int64s() 1-D int64 ones", async () => {
  const f = await expectOp(
    "constantScalar float64",
    {},
    (_, g) => ops.constantScalar(g, "float64", 2.5),
    arr([], [2.5]),
    EXACT,
  );
  assert.deepEqual(f.value.shape, []);
  const n = await expectOp(
    "constantScalar int64",
    {},
    (_, g) => ops.constantScalar(g, "int64", -7),
    arr([], [-7]),
    EXACT,
  );
  assert.equal(n.value.dtype, "int64");
  await expectOp(
    "constantScalar float32",
    {},
    (_, g) => ops.constantScalar(g, "float32", 0.1),
    arr([], [Math.fround(0.1)]),
    EXACT,
  );
  const v = await expectOp(
    "int64s",
    {},
    (_, g) => ops.int64s(g, [3, -1, 0]),
    arr([3], [3, -1, 0]),
    EXACT,
  );
  assert.deepEqual([v.value.dtype, v.value.shape], ["int64", [3]]);
  await expectOp("int64s empty", {}, (_, g) => ops.int64s(g, []), arr([0], []), EXACT);
});

Deno.test("intsValue() makes a constant from a list and passes a value through", () => {
  const x = declare({ s: ["int64", [2]] });
  assert.equal(ops.intsValue(x.s.graph, x.s), x.s);
  const made = ops.intsValue(x.s.graph, [4, 5]);
  assert.deepEqual([made.dtype, made.shape], ["int64", [2]]);
  assert.deepEqual(x.s.graph.known.get(made.name), [4, 5]);
});

Deno.test("cast() converts between float64, float32, int64 and bool", async () => {
  const a = arr([6], [1.7, -1.7, 0, 2.5, -0.4, 1e10]);
  const toF32 = arr([6], a.data.map(Math.fround));
  await expectOp("cast f64 to f32", { a: f64(a) }, (x) => ops.cast(x.a, "float32"), toF32, EXACT);
  // Float to integer truncates toward zero (C++ static_cast in ORT's kernel).
  const toI64 = arr([6], a.data.map(Math.trunc));
  await expectOp("cast f64 to i64", { a: f64(a) }, (x) => ops.cast(x.a, "int64"), toI64, EXACT);
  const toBool = arr([6], a.data.map((v) => Number(v !== 0)));
  await expectOp("cast f64 to bool", { a: f64(a) }, (x) => ops.cast(x.a, "bool"), toBool, EXACT);
  const ints = arr([3], [-3, 0, 2 ** 40]);
  await expectOp("cast i64 to f64", { a: i64(ints) }, (x) => ops.cast(x.a, "float64"), ints, EXACT);
  const bools = arr([3], [1, 0, 1]);
  await expectOp(
    "cast bool to f64",
    { a: bool(bools) },
    (x) => ops.cast(x.a, "float64"),
    bools,
    EXACT,
  );
  const small = randArr(rng(71), [2, 2]);
  const f = arr(small.shape, small.data.map(Math.fround));
  await expectOp("cast f32 to f64", { a: f32(f) }, (x) => ops.cast(x.a, "float64"), f, EXACT);
});

Deno.test("Cast refuses an unsupported target type and Constant needs a tensor", () => {
  const x = declare({ a: ["float64", [2]] });
  assertBuildError(
    () => op(x.a.graph, "Cast", [x.a], { to: { type: "int", value: 16 } }),
    `Cannot build "Cast": attribute "to" must name one of float32, float64, int64, bool, ` +
      `float16, int8: got ONNX type 16`,
  );
  assertBuildError(
    () => op(x.a.graph, "Constant", [], {}),
    `Cannot build "Constant": attribute "value" (a tensor) is required; other Constant forms ` +
      `are not supported`,
  );
});

// Adding a builder to src/ops/mod.ts fails this until a test in tests/ops/ covers it.
const COVERED = [
  "dequantizeLinear", // tests/ops/quantize_test.ts
  "loop", // tests/ops/control_test.ts
  "pad",
  "add",
  "argMax",
  "cast",
  "concat",
  "constant",
  "constantScalar",
  "div",
  "equal",
  "erf",
  "exp",
  "expand",
  "gather",
  "gatherElements",
  "gemm",
  "greater",
  "identity",
  "int64s",
  "intsValue",
  "log",
  "logSoftmax",
  "matMul",
  "mul",
  "neg",
  "pow",
  "reciprocal",
  "reduceMax",
  "reduceMean",
  "reduceSum",
  "relu",
  "reshape",
  "scatterElements",
  "shape",
  "sigmoid",
  "slice",
  "softmax",
  "split",
  "sqrt",
  "squeeze",
  "sub",
  "sum",
  "tanh",
  "transpose",
  "unsqueeze",
  "where",
];

Deno.test("src/ops/mod.ts exports exactly the builders these tests cover", () => {
  assert.deepEqual(Object.keys(ops).sort(), [...COVERED].sort());
});

referenceCheckTest(
  "every graph built in constant_test.ts passes the reference ONNX checker",
  builtModels,
);
