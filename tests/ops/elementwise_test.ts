// Elementwise builders against the TS reference. Float tests run in float64 (ORT's CPU
import { builtModels } from "../helpers/run_one.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
// provider has double kernels for every op here); unary math also runs in float32.
import assert from "node:assert/strict";
import * as ops from "../../src/ops/mod.ts";
import { Graph, GraphBuildError, type Value } from "../../src/graph/mod.ts";
import * as ref from "../helpers/reference.ts";
import { arr, randArr, randInts, rng } from "../helpers/reference.ts";
import {
  assertBuildError,
  bool,
  declare,
  EXACT,
  expectOp,
  f32,
  f64,
  i64,
  TOL32,
} from "../helpers/run_one.ts";

type Bin = (a: Value, b: Value) => Value;
const BINARY: [string, Bin, (x: number, y: number) => number][] = [
  ["add", ops.add, (x, y) => x + y],
  ["sub", ops.sub, (x, y) => x - y],
  ["mul", ops.mul, (x, y) => x * y],
  ["div", ops.div, (x, y) => x / y],
];

for (const [name, build, f] of BINARY) {
  Deno.test(`${name}() matches the reference with broadcasting in both directions`, async () => {
    const r = rng(11);
    // [2, 1, 4] op [3, 1]: A stretches axis 1, B stretches axis 2 and gains a leading axis.
    const a = randArr(r, [2, 1, 4]);
    const b = randArr(r, [3, 1], 0.5, 2);
    const inputs = { a: f64(a), b: f64(b) };
    await expectOp(`${name} both ways`, inputs, (x) => build(x.a, x.b), ref.binary(a, b, f));
  });

  Deno.test(`${name}() broadcasts a lower-rank left operand`, async () => {
    const r = rng(12);
    const a = randArr(r, [3], 0.5, 2);
    const b = randArr(r, [2, 3], 0.5, 2);
    const inputs = { a: f64(a), b: f64(b) };
    await expectOp(`${name} rank`, inputs, (x) => build(x.a, x.b), ref.binary(a, b, f));
  });
}

Deno.test("add(), sub() and mul() work on int64", async () => {
  const r = rng(13);
  const a = randInts(r, [2, 3], -50, 50);
  const b = randInts(r, [3], -50, 50);
  for (const [name, build, f] of BINARY.slice(0, 3)) {
    const expected = ref.binary(a, b, f);
    await expectOp(
      `${name} int64`,
      { a: i64(a), b: i64(b) },
      (x) => build(x.a, x.b),
      expected,
      EXACT,
    );
  }
});

Deno.test("pow() matches the reference with a float and an int64 exponent", async () => {
  const r = rng(14);
  const a = randArr(r, [2, 3], 0.5, 2);
  const b = randArr(r, [3], -2, 2);
  const n = randInts(r, [2, 1], -2, 4);
  const pow = ref.binary(a, b, Math.pow);
  await expectOp("pow float", { a: f64(a), b: f64(b) }, (x) => ops.pow(x.a, x.b), pow);
  const powInt = ref.binary(a, n, Math.pow);
  await expectOp("pow int64", { a: f64(a), n: i64(n) }, (x) => ops.pow(x.a, x.n), powInt);
});

const UNARY: [string, (x: Value) => Value, (x: number) => number, number, number][] = [
  ["neg", ops.neg, (x) => -x, -3, 3],
  ["relu", ops.relu, (x) => Math.max(x, 0), -3, 3],
  ["sigmoid", ops.sigmoid, (x) => 1 / (1 + Math.exp(-x)), -6, 6],
  ["tanh", ops.tanh, Math.tanh, -3, 3],
  ["exp", ops.exp, Math.exp, -3, 3],
  ["log", ops.log, Math.log, 0.01, 5],
  ["sqrt", ops.sqrt, Math.sqrt, 0, 5],
  ["reciprocal", ops.reciprocal, (x) => 1 / x, 0.1, 5],
  ["identity", ops.identity, (x) => x, -3, 3],
];

for (const [name, build, f, lo, hi] of UNARY) {
  Deno.test(`${name}() matches the reference on float64`, async () => {
    const a = randArr(rng(15), [3, 4], lo, hi);
    await expectOp(`${name} float64`, { a: f64(a) }, (x) => build(x.a), ref.map(a, f));
  });

  Deno.test(`${name}() matches the reference on float32 within float32 tolerance`, async () => {
    // Round the inputs to float32 first, so only the kernel's own float32 error remains.
    const a = ref.map(randArr(rng(15), [3, 4], lo, hi), Math.fround);
    await expectOp(`${name} float32`, { a: f32(a) }, (x) => build(x.a), ref.map(a, f), TOL32);
  });
}

Deno.test("neg() and identity() work on int64", async () => {
  const a = randInts(rng(16), [2, 5], -9, 9);
  await expectOp("neg int64", { a: i64(a) }, (x) => ops.neg(x.a), ref.map(a, (v) => -v), EXACT);
  await expectOp("identity int64", { a: i64(a) }, (x) => ops.identity(x.a), a, EXACT);
});

// ONNX Relu-14 allows int64, but onnxruntime's CPU provider has no int64 kernel, so the builder
// refuses it at build time instead of leaving onnxruntime to fail at load time.
Deno.test("relu() refuses int64 at build time", () => {
  const g = new Graph("relu_int64");
  assert.throws(
    () => ops.relu(g.input("a", "int64", [2])),
    (e: Error) =>
      e instanceof GraphBuildError &&
      e.message === 'Cannot build "Relu": input "X" must be float32 or float64: got int64[2]',
  );
});

Deno.test("sum() adds one, two or three broadcast tensors", async () => {
  const r = rng(17);
  const a = randArr(r, [2, 1, 3]);
  const b = randArr(r, [4, 1]);
  const c = randArr(r, [3]);
  const inputs = { a: f64(a), b: f64(b), c: f64(c) };
  const three = ref.nary([a, b, c], (x, y, z) => x + y + z);
  await expectOp("sum of three", inputs, (x) => ops.sum(x.a, x.b, x.c), three);
  await expectOp("sum of one", { a: f64(a) }, (x) => ops.sum(x.a), a);
});

Deno.test("where() selects with a condition broadcast against both branches", async () => {
  const r = rng(18);
  const c = randInts(r, [2, 1, 4], 0, 2);
  const a = randArr(r, [3, 1]);
  const b = randArr(r, [1]);
  const inputs = { c: bool(c), a: f64(a), b: f64(b) };
  await expectOp("where", inputs, (x) => ops.where(x.c, x.a, x.b), ref.where(c, a, b));
});

Deno.test("equal() and greater() compare with broadcasting and return bool", async () => {
  const r = rng(19);
  const a = randInts(r, [2, 3], 0, 3);
  const b = randInts(r, [3], 0, 3);
  const ints = { a: i64(a), b: i64(b) };
  const eq = await expectOp(
    "equal int64",
    ints,
    (x) => ops.equal(x.a, x.b),
    ref.equal(a, b),
    EXACT,
  );
  assert.equal(eq.value.dtype, "bool");
  await expectOp("greater int64", ints, (x) => ops.greater(x.a, x.b), ref.greater(a, b), EXACT);
  const fa = arr([4], [0.5, -1, 2, 2]);
  const fb = arr([2, 1], [2, -1]);
  const floats = { a: f64(fa), b: f64(fb) };
  await expectOp("equal f64", floats, (x) => ops.equal(x.a, x.b), ref.equal(fa, fb), EXACT);
  await expectOp("greater f64", floats, (x) => ops.greater(x.a, x.b), ref.greater(fa, fb), EXACT);
  const ba = { a: bool(arr([3], [0, 1, 1])), b: bool(arr([3], [0, 0, 1])) };
  await expectOp("equal bool", ba, (x) => ops.equal(x.a, x.b), arr([3], [1, 0, 1]), EXACT);
});

Deno.test("add() refuses shapes that do not broadcast", () => {
  const x = declare({ a: ["float64", [2, 3]], b: ["float64", [4]] });
  assertBuildError(
    () => ops.add(x.a, x.b),
    `Cannot build "Add": input "A" and input "B": shapes [2, 3] and [4] do not broadcast ` +
      `(dimension -1: 3 vs 4)`,
  );
});

Deno.test("mul() refuses mixed dtypes", () => {
  const x = declare({ a: ["float64", [2]], b: ["float32", [2]] });
  assertBuildError(
    () => ops.mul(x.a, x.b),
    `Cannot build "Mul": input "B" must have the same dtype as input "A": expected float64, ` +
      `got float32`,
  );
});

Deno.test("sigmoid() refuses a bool input", () => {
  const x = declare({ a: ["bool", [2, 3]] });
  assertBuildError(
    () => ops.sigmoid(x.a),
    `Cannot build "Sigmoid": input "X" must be float32 or float64: got bool[2, 3]`,
  );
});

Deno.test("where() refuses a float condition", () => {
  const x = declare({ c: ["float64", [2]], a: ["float64", [2]] });
  assertBuildError(
    () => ops.where(x.c, x.a, x.a),
    `Cannot build "Where": input "condition" must be bool: got float64[2]`,
  );
});

Deno.test("greater() refuses bool inputs", () => {
  const x = declare({ a: ["bool", [2]], b: ["bool", [2]] });
  assertBuildError(
    () => ops.greater(x.a, x.b),
    `Cannot build "Greater": input "A" must be float32 or float64 or int64: got bool[2]`,
  );
});

Deno.test("sum() refuses an empty list of inputs", () => {
  assertBuildError(() => ops.sum(), `Cannot build "Sum": needs at least one input: got none`);
});

referenceCheckTest(
  "every graph built in elementwise_test.ts passes the reference ONNX checker",
  builtModels,
);
