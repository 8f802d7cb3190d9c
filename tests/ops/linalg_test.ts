// MatMul and Gemm against the TS reference, in float64 (ORT's CPU provider has double
import { builtModels } from "../helpers/run_one.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
// kernels for both), plus a float32 Gemm and an int64 MatMul.
import * as ops from "../../src/ops/mod.ts";
import * as ref from "../helpers/reference.ts";
import { randArr, randInts, rng } from "../helpers/reference.ts";
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

const MATMUL_CASES: [string, number[], number[]][] = [
  ["2-D by 2-D", [3, 4], [4, 5]],
  ["1-D by 2-D", [4], [4, 5]],
  ["2-D by 1-D", [3, 4], [4]],
  ["1-D by 1-D", [4], [4]],
  ["batched", [2, 3, 4], [2, 4, 5]],
  ["broadcast batch", [2, 1, 3, 4], [5, 4, 2]],
  ["1-D by batched", [4], [2, 4, 5]],
  ["batched by 1-D", [2, 3, 4], [4]],
];

for (const [what, sa, sb] of MATMUL_CASES) {
  Deno.test(`matMul() matches the reference: ${what} ([${sa}] x [${sb}])`, async () => {
    const r = rng(21);
    const a = randArr(r, sa);
    const b = randArr(r, sb);
    const inputs = { a: f64(a), b: f64(b) };
    await expectOp(`matMul ${what}`, inputs, (x) => ops.matMul(x.a, x.b), ref.matmul(a, b));
  });
}

Deno.test("matMul() works on int64", async () => {
  const r = rng(22);
  const a = randInts(r, [2, 3], -5, 5);
  const b = randInts(r, [3, 2], -5, 5);
  const inputs = { a: i64(a), b: i64(b) };
  await expectOp("matMul int64", inputs, (x) => ops.matMul(x.a, x.b), ref.matmul(a, b), EXACT);
});

Deno.test("gemm() matches the reference without C", async () => {
  const r = rng(23);
  const a = randArr(r, [3, 4]);
  const b = randArr(r, [4, 5]);
  const inputs = { a: f64(a), b: f64(b) };
  await expectOp("gemm no C", inputs, (x) => ops.gemm(x.a, x.b), ref.gemm(a, b, undefined));
});

Deno.test("gemm() matches the reference with transB and a broadcast bias", async () => {
  const r = rng(24);
  const a = randArr(r, [3, 4]);
  const w = randArr(r, [5, 4]);
  const bias = randArr(r, [5]);
  const inputs = { a: f64(a), w: f64(w), bias: f64(bias) };
  await expectOp(
    "gemm transB bias",
    inputs,
    (x) => ops.gemm(x.a, x.w, x.bias, { transB: true }),
    ref.gemm(a, w, bias, { transB: true }),
  );
});

Deno.test("gemm() matches the reference with transA, transB, alpha, beta and a column C", async () => {
  const r = rng(25);
  const a = randArr(r, [4, 3]);
  const b = randArr(r, [5, 4]);
  const c = randArr(r, [3, 1]);
  const o = { transA: true, transB: true, alpha: 0.5, beta: 2 };
  const inputs = { a: f64(a), b: f64(b), c: f64(c) };
  await expectOp("gemm all", inputs, (x) => ops.gemm(x.a, x.b, x.c, o), ref.gemm(a, b, c, o));
});

Deno.test("gemm() broadcasts a scalar C and adds a full C", async () => {
  const r = rng(26);
  const a = randArr(r, [3, 4]);
  const b = randArr(r, [4, 5]);
  for (const cShape of [[], [1, 5], [3, 5]]) {
    const c = randArr(r, cShape);
    const inputs = { a: f64(a), b: f64(b), c: f64(c) };
    const o = { beta: -1.5 };
    const expected = ref.gemm(a, b, c, o);
    await expectOp(`gemm C [${cShape}]`, inputs, (x) => ops.gemm(x.a, x.b, x.c, o), expected);
  }
});

Deno.test("gemm() matches the reference in float32", async () => {
  const r = rng(27);
  const a = randArr(r, [3, 4]);
  const b = randArr(r, [4, 2]);
  const c = randArr(r, [2]);
  const inputs = { a: f32(a), b: f32(b), c: f32(c) };
  const o = { alpha: 2 };
  const expected = ref.gemm(a, b, c, o);
  await expectOp("gemm float32", inputs, (x) => ops.gemm(x.a, x.b, x.c, o), expected, TOL32);
});

Deno.test("gemm() refuses a rank-3 B", () => {
  const x = declare({ a: ["float64", [3, 4]], b: ["float64", [2, 4, 5]] });
  assertBuildError(
    () => ops.gemm(x.a, x.b),
    `Cannot build "Gemm": input "B" must have rank 2: got rank 3`,
  );
});

Deno.test("gemm() refuses inner dimensions that differ after transposition", () => {
  const x = declare({ a: ["float64", [3, 4]], b: ["float64", [4, 5]] });
  assertBuildError(
    () => ops.gemm(x.a, x.b, null, { transB: true }),
    `Cannot build "Gemm": inner dimensions differ: A' has 4 columns, B' has 5 rows ` +
      `(A [3, 4], B [4, 5])`,
  );
});

Deno.test("gemm() refuses a C that does not broadcast to [M, N] and int64 operands", () => {
  const x = declare({
    a: ["float64", [3, 4]],
    b: ["float64", [4, 5]],
    c: ["float64", [3]],
    i: ["int64", [3, 4]],
  });
  assertBuildError(
    () => ops.gemm(x.a, x.b, x.c),
    `Cannot build "Gemm": input "C" [3] must broadcast to [3, 5]`,
  );
  assertBuildError(
    () => ops.gemm(x.i, x.b),
    `Cannot build "Gemm": input "A" must be float32 or float64: got int64[3, 4]`,
  );
});

Deno.test("matMul() refuses an inner-dimension mismatch", () => {
  const x = declare({ a: ["float64", [2, 3]], b: ["float64", [4, 5]] });
  assertBuildError(
    () => ops.matMul(x.a, x.b),
    `Cannot build "MatMul": inner dimensions differ: input "A" [2, 3] has 3 columns, ` +
      `input "B" [4, 5] has 4 rows`,
  );
});

Deno.test("matMul() refuses scalars and batch dims that do not broadcast", () => {
  const x = declare({
    s: ["float64", []],
    a: ["float64", [2, 3, 4]],
    b: ["float64", [3, 4, 5]],
  });
  assertBuildError(
    () => ops.matMul(x.s, x.a),
    `Cannot build "MatMul": inputs must have rank >= 1: got [] and [2, 3, 4]`,
  );
  assertBuildError(
    () => ops.matMul(x.a, x.b),
    `Cannot build "MatMul": batch dimensions: shapes [2] and [3] do not broadcast ` +
      `(dimension -1: 2 vs 3)`,
  );
});

referenceCheckTest(
  "every graph built in linalg_test.ts passes the reference ONNX checker",
  builtModels,
);
