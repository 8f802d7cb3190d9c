// Reshape, Transpose, Expand, Shape, Squeeze and Unsqueeze against the TS reference. The
import { builtModels } from "../helpers/run_one.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
// data is float64; these kernels move data, so results must match exactly.
import assert from "node:assert/strict";
import * as ops from "../../src/ops/mod.ts";
import { Graph } from "../../src/graph/mod.ts";
import * as ref from "../helpers/reference.ts";
import { arr, randArr, rng } from "../helpers/reference.ts";
import { assertBuildError, declare, EXACT, expectOp, f64 } from "../helpers/run_one.ts";

const A = randArr(rng(51), [2, 3, 4]);

Deno.test("reshape() copies dims with 0 and infers -1", async () => {
  const targets = [[0, -1], [4, -1, 2], [-1], [2, 0, 2, 2], [24, 1]];
  for (const target of targets) {
    await expectOp(
      `reshape [${target}]`,
      { a: f64(A) },
      (x) => ops.reshape(x.a, target),
      ref.reshape(A, target),
      EXACT,
    );
  }
});

Deno.test("pad() grows and crops axes with a constant fill", async () => {
  for (const pads of [[1, 0, 2, 0, 1, 1], [0, -1, 1, 1, 0, -2]]) {
    await expectOp(
      `pad [${pads}]`,
      { a: f64(A) },
      (x) => ops.pad(x.a, pads),
      ref.pad(A, pads),
      EXACT,
    );
  }
  const v = arr([], [2.5]);
  await expectOp(
    "pad with value",
    { a: f64(A), v: f64(v) },
    (x) => ops.pad(x.a, [0, 1, 0, 1, 0, 2], x.v),
    ref.pad(A, [0, 1, 0, 1, 0, 2], 2.5),
    EXACT,
  );
});

Deno.test("pad() refuses pads of the wrong length", () => {
  const g = new Graph("pad_bad");
  assertBuildError(
    () => ops.pad(g.input("a", "float64", [2, 3]), [1, 1]),
    `Cannot build "Pad": input "pads" must have 2 * rank = 4 entries: got [1, 1]`,
  );
});

Deno.test("reshape() accepts the target as an int64 value known at build time", async () => {
  const out = await expectOp(
    "reshape by value",
    { a: f64(A) },
    (x, g) => ops.reshape(x.a, ops.int64s(g, [6, 4])),
    ref.reshape(A, [6, 4]),
    EXACT,
  );
  assert.deepEqual(out.value.shape, [6, 4]);
});

Deno.test("transpose() reverses axes by default and applies a permutation", async () => {
  await expectOp(
    "transpose default",
    { a: f64(A) },
    (x) => ops.transpose(x.a),
    ref.transpose(A),
    EXACT,
  );
  for (const perm of [[1, 0, 2], [2, 0, 1]]) {
    const expected = ref.transpose(A, perm);
    await expectOp(
      `transpose [${perm}]`,
      { a: f64(A) },
      (x) => ops.transpose(x.a, perm),
      expected,
      EXACT,
    );
  }
});

Deno.test("expand() broadcasts in both directions", async () => {
  const col = randArr(rng(52), [3, 1]);
  // The target's 1 keeps the input's 3; the input's 1 stretches to 4; a leading axis is added.
  for (const target of [[2, 1, 4], [3, 4], [1]]) {
    const expected = ref.expand(col, target);
    await expectOp(
      `expand [${target}]`,
      { a: f64(col) },
      (x) => ops.expand(x.a, target),
      expected,
      EXACT,
    );
  }
});

Deno.test("shape() returns the dims, or a start/end range of them, as int64", async () => {
  const ranges: [{ start?: number; end?: number }, number[]][] = [
    [{}, [2, 3, 4]],
    [{ start: 1 }, [3, 4]],
    [{ end: -1 }, [2, 3]],
    [{ start: -2, end: 10 }, [3, 4]],
  ];
  for (const [o, dims] of ranges) {
    const out = await expectOp(
      `shape ${JSON.stringify(o)}`,
      { a: f64(A) },
      (x) => ops.shape(x.a, o),
      arr([dims.length], dims),
      EXACT,
    );
    assert.equal(out.value.dtype, "int64");
  }
});

Deno.test("squeeze() removes listed, negative, or all size-1 axes", async () => {
  const a = randArr(rng(53), [2, 1, 3, 1]);
  const cases: (number[] | undefined)[] = [[1], [-1], [1, 3], undefined];
  for (const axes of cases) {
    await expectOp(
      `squeeze ${axes ? `[${axes}]` : "all"}`,
      { a: f64(a) },
      (x) => ops.squeeze(x.a, axes),
      ref.squeeze(a, axes),
      EXACT,
    );
  }
});

Deno.test("unsqueeze() inserts axes at output positions, negative ones included", async () => {
  const a = randArr(rng(54), [2, 3]);
  for (const axes of [[0], [-1], [1, 3], [0, -1]]) {
    const expected = ref.unsqueeze(a, axes);
    await expectOp(
      `unsqueeze [${axes}]`,
      { a: f64(a) },
      (x) => ops.unsqueeze(x.a, axes),
      expected,
      EXACT,
    );
  }
});

Deno.test("reshape() refuses a different element count and sizes that do not divide", () => {
  const x = declare({ a: ["float64", [2, 3]] });
  assertBuildError(
    () => ops.reshape(x.a, [4, 2]),
    `Cannot build "Reshape": cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)`,
  );
  assertBuildError(
    () => ops.reshape(x.a, [4, -1]),
    `Cannot build "Reshape": cannot reshape [2, 3] to [4, -1]: sizes do not divide`,
  );
  assertBuildError(
    () => ops.reshape(x.a, [-1, -1]),
    `Cannot build "Reshape": input "shape" [-1, -1] may contain at most one -1`,
  );
});

Deno.test("reshape() refuses a target that is not known when the graph is built", () => {
  const x = declare({ a: ["float64", [2, 3]], s: ["int64", [2]] });
  assertBuildError(
    () => ops.reshape(x.a, x.s),
    `Cannot build "Reshape": input "shape" must be a constant known when the graph is built`,
  );
});

Deno.test("transpose() refuses a perm that is not a permutation", () => {
  const x = declare({ a: ["float64", [2, 3, 4]] });
  assertBuildError(
    () => ops.transpose(x.a, [0, 0, 1]),
    `Cannot build "Transpose": attribute "perm" must be a permutation of 0..2: got [0, 0, 1]`,
  );
});

Deno.test("expand() refuses a shape that does not broadcast", () => {
  const x = declare({ a: ["float64", [3]] });
  assertBuildError(
    () => ops.expand(x.a, [2, 4]),
    `Cannot build "Expand": shapes [3] and [2, 4] do not broadcast (dimension -1: 3 vs 4)`,
  );
});

Deno.test("squeeze() refuses an axis whose size is not 1; unsqueeze() a bad axis", () => {
  const x = declare({ a: ["float64", [2, 1, 3]] });
  assertBuildError(
    () => ops.squeeze(x.a, [0]),
    `Cannot build "Squeeze": cannot squeeze axis 0 of [2, 1, 3]: its size is 2, not 1`,
  );
  assertBuildError(
    () => ops.unsqueeze(x.a, [4]),
    `Cannot build "Unsqueeze": input "axes" entry must be in [-4, 3]: got 4`,
  );
});

referenceCheckTest(
  "every graph built in shape_test.ts passes the reference ONNX checker",
  builtModels,
);
