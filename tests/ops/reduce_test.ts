// Reductions, ArgMax, Softmax and LogSoftmax against the TS reference, in float64 (ORT's CPU
import { builtModels } from "../helpers/run_one.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
// provider has double kernels for all of them), plus int64 ReduceSum/ArgMax and a float32
// check with a looser tolerance.
import * as ops from "../../src/ops/mod.ts";
import type { Value } from "../../src/graph/mod.ts";
import * as ref from "../helpers/reference.ts";
import { arr, randArr, randInts, rng } from "../helpers/reference.ts";
import {
  assertBuildError,
  declare,
  EXACT,
  expectOp,
  f32,
  f64,
  i64,
  TOL32,
} from "../helpers/run_one.ts";

type Reduce = (x: Value, axes?: readonly number[], o?: { keepdims?: boolean }) => Value;
const REDUCTIONS: [string, Reduce, ref.ReduceKind][] = [
  ["reduceSum", ops.reduceSum, "sum"],
  ["reduceMean", ops.reduceMean, "mean"],
  ["reduceMax", ops.reduceMax, "max"],
];
const AXES_CASES: [number[], boolean][] = [
  [[1], true],
  [[0, -1], false],
  [[], true],
  [[], false],
  [[-2], false],
];

for (const [name, build, kind] of REDUCTIONS) {
  Deno.test(`${name}() matches the reference over some, negative and all axes`, async () => {
    const a = randArr(rng(41), [2, 3, 4]);
    for (const [axes, keepdims] of AXES_CASES) {
      await expectOp(
        `${name} [${axes}] keepdims ${keepdims}`,
        { a: f64(a) },
        (x) => build(x.a, axes, { keepdims }),
        ref.reduce(a, axes, kind, keepdims),
      );
    }
  });
}

Deno.test("reduceSum() and reduceMax() work on int64", async () => {
  const a = randInts(rng(42), [3, 4], -9, 9);
  const sum = ref.reduce(a, [1], "sum", false);
  await expectOp(
    "reduceSum int64",
    { a: i64(a) },
    (x) => ops.reduceSum(x.a, [1], { keepdims: false }),
    sum,
    EXACT,
  );
  const max = ref.reduce(a, [0], "max");
  await expectOp("reduceMax int64", { a: i64(a) }, (x) => ops.reduceMax(x.a, [0]), max, EXACT);
});

Deno.test("argMax() picks the first maximum on axis 0 and -1", async () => {
  // Ties on purpose: ONNX (select_last_index = 0) and the reference take the first.
  const a = arr([3, 4], [1, 5, 5, 0, 7, 5, 2, 7, 7, 1, 2, 3]);
  await expectOp("argMax axis 0", { a: f64(a) }, (x) => ops.argMax(x.a), ref.argmax(a, 0), EXACT);
  const last = ref.argmax(a, -1, false);
  const build = (x: Record<string, Value>) => ops.argMax(x.a, -1, { keepdims: false });
  await expectOp("argMax axis -1", { a: f64(a) }, build, last, EXACT);
  await expectOp("argMax int64", { a: i64(a) }, build, last, EXACT);
});

for (
  const [name, build, f] of [
    ["softmax", ops.softmax, ref.softmax],
    ["logSoftmax", ops.logSoftmax, ref.logSoftmax],
  ] as const
) {
  Deno.test(`${name}() matches the reference on axis 0, 1 and -1`, async () => {
    const a = randArr(rng(43), [2, 3, 4], -4, 4);
    for (const axis of [0, 1, -1]) {
      await expectOp(`${name} axis ${axis}`, { a: f64(a) }, (x) => build(x.a, axis), f(a, axis));
    }
  });
}

Deno.test("softmax() defaults to the last axis", async () => {
  const a = randArr(rng(44), [3, 5], -4, 4);
  await expectOp("softmax default", { a: f64(a) }, (x) => ops.softmax(x.a), ref.softmax(a, -1));
});

Deno.test("softmax(), logSoftmax() and reduceMean() match the reference in float32", async () => {
  const a = ref.map(randArr(rng(45), [3, 5], -4, 4), Math.fround);
  const inputs = { a: f32(a) };
  await expectOp("softmax f32", inputs, (x) => ops.softmax(x.a, 0), ref.softmax(a, 0), TOL32);
  const logp = ref.logSoftmax(a, -1);
  await expectOp("logSoftmax f32", inputs, (x) => ops.logSoftmax(x.a), logp, TOL32);
  const mean = ref.reduce(a, [1], "mean");
  await expectOp("reduceMean f32", inputs, (x) => ops.reduceMean(x.a, [1]), mean, TOL32);
});

Deno.test("reduceSum() refuses an axis out of range", () => {
  const x = declare({ a: ["float64", [2, 3, 4]] });
  assertBuildError(
    () => ops.reduceSum(x.a, [3]),
    `Cannot build "ReduceSum": each axis must be in [-3, 2]: got 3`,
  );
});

Deno.test("reduceMean() refuses repeated axes", () => {
  const x = declare({ a: ["float64", [2, 3]] });
  assertBuildError(
    () => ops.reduceMean(x.a, [1, -1]),
    `Cannot build "ReduceMean": axes must not repeat: got [1, -1]`,
  );
});

Deno.test("argMax() refuses a bool input", () => {
  const x = declare({ a: ["bool", [2, 3]] });
  assertBuildError(
    () => ops.argMax(x.a, 1),
    `Cannot build "ArgMax": input "data" must be float32 or float64 or int64: got bool[2, 3]`,
  );
});

Deno.test("softmax() and logSoftmax() refuse a bad axis and int64 input", () => {
  const x = declare({ a: ["float64", [2, 3]], i: ["int64", [2, 3]] });
  assertBuildError(
    () => ops.softmax(x.a, 2),
    `Cannot build "Softmax": attribute "axis" must be in [-2, 1]: got 2`,
  );
  assertBuildError(
    () => ops.logSoftmax(x.i),
    `Cannot build "LogSoftmax": input "input" must be float32 or float64: got int64[2, 3]`,
  );
});

referenceCheckTest(
  "every graph built in reduce_test.ts passes the reference ONNX checker",
  builtModels,
);
