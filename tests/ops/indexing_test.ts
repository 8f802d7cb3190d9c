// Gather, GatherElements and ScatterElements against the TS reference. The data is float64
import { builtModels } from "../helpers/run_one.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
// (these kernels move bytes, so any dtype works in ORT) and results must match exactly.
import assert from "node:assert/strict";
import * as ops from "../../src/ops/mod.ts";
import * as ref from "../helpers/reference.ts";
import { arr, randArr, randInts, rng } from "../helpers/reference.ts";
import { assertBuildError, declare, EXACT, expectOp, f64, i64 } from "../helpers/run_one.ts";

Deno.test("gather() on axis 0 with 2-D (and negative) indices is an embedding lookup", async () => {
  const r = rng(31);
  const table = randArr(r, [5, 3]);
  const idx = randInts(r, [2, 4], -5, 5);
  const inputs = { t: f64(table), i: i64(idx) };
  const out = await expectOp(
    "gather axis 0",
    inputs,
    (x) => ops.gather(x.t, x.i),
    ref.gather(table, idx, 0),
    EXACT,
  );
  assert.deepEqual(out.value.shape, [2, 4, 3]);
});

Deno.test("gather() on axis 1 with 2-D indices", async () => {
  const r = rng(32);
  const data = randArr(r, [2, 5, 3]);
  const idx = randInts(r, [2, 2], 0, 5);
  const inputs = { d: f64(data), i: i64(idx) };
  const expected = ref.gather(data, idx, 1);
  await expectOp(
    "gather axis 1",
    inputs,
    (x) => ops.gather(x.d, x.i, { axis: 1 }),
    expected,
    EXACT,
  );
});

Deno.test("gather() on axis -1 and with a scalar index", async () => {
  const r = rng(33);
  const data = randArr(r, [2, 4]);
  const idx = randInts(r, [3], 0, 4);
  const inputs = { d: f64(data), i: i64(idx) };
  const neg = ref.gather(data, idx, -1);
  await expectOp("gather axis -1", inputs, (x) => ops.gather(x.d, x.i, { axis: -1 }), neg, EXACT);
  const one = arr([], [2]);
  const scalarInputs = { d: f64(data), i: i64(one) };
  const row = ref.gather(data, one, 1);
  await expectOp(
    "gather scalar",
    scalarInputs,
    (x) => ops.gather(x.d, x.i, { axis: 1 }),
    row,
    EXACT,
  );
});

Deno.test("gatherElements() picks one entry per row on axis 1, 0 and -1", async () => {
  const r = rng(34);
  const data = randArr(r, [3, 4]);
  const cases: [number, number[], number][] = [[1, [3, 2], 4], [0, [2, 4], 3], [-1, [3, 1], 4]];
  for (const [axis, shape, n] of cases) {
    const idx = randInts(r, shape, -n, n);
    const inputs = { d: f64(data), i: i64(idx) };
    await expectOp(
      `gatherElements axis ${axis}`,
      inputs,
      (x) => ops.gatherElements(x.d, x.i, { axis }),
      ref.gatherElements(data, idx, axis),
      EXACT,
    );
  }
});

Deno.test("scatterElements() writes updates at distinct indices on axis 1", async () => {
  const r = rng(35);
  const data = randArr(r, [3, 5]);
  // Distinct columns per row: with reduction "none", duplicate targets have no defined order.
  const idx = arr([3, 2], [4, 0, 1, 3, -1, 2]);
  const upd = randArr(r, [3, 2]);
  const inputs = { d: f64(data), i: i64(idx), u: f64(upd) };
  await expectOp(
    "scatterElements none",
    inputs,
    (x) => ops.scatterElements(x.d, x.i, x.u, { axis: 1 }),
    ref.scatterElements(data, idx, upd, 1),
    EXACT,
  );
});

Deno.test("scatterElements() with reduction add accumulates duplicate indices", async () => {
  const r = rng(36);
  const data = randArr(r, [3, 4]);
  const idx = randInts(r, [3, 4], 0, 3);
  const upd = randArr(r, [3, 4]);
  const inputs = { d: f64(data), i: i64(idx), u: f64(upd) };
  await expectOp(
    "scatterElements add axis 0",
    inputs,
    (x) => ops.scatterElements(x.d, x.i, x.u, { reduction: "add" }),
    ref.scatterElements(data, idx, upd, 0, "add"),
  );
  const idx2 = randInts(r, [3, 2], 0, 4);
  const upd2 = randArr(r, [3, 2]);
  const inputs2 = { d: f64(data), i: i64(idx2), u: f64(upd2) };
  await expectOp(
    "scatterElements add axis -1",
    inputs2,
    (x) => ops.scatterElements(x.d, x.i, x.u, { axis: -1, reduction: "add" }),
    ref.scatterElements(data, idx2, upd2, -1, "add"),
  );
});

Deno.test("scatterElements() with reduction mul multiplies into the data", async () => {
  const r = rng(37);
  const data = randArr(r, [2, 3]);
  const idx = randInts(r, [2, 3], 0, 2);
  const upd = randArr(r, [2, 3]);
  const inputs = { d: f64(data), i: i64(idx), u: f64(upd) };
  await expectOp(
    "scatterElements mul",
    inputs,
    (x) => ops.scatterElements(x.d, x.i, x.u, { reduction: "mul" }),
    ref.scatterElements(data, idx, upd, 0, "mul"),
  );
});

Deno.test("gather() refuses float indices and an axis out of range", () => {
  const x = declare({ d: ["float64", [2, 3]], f: ["float64", [2]], i: ["int64", [2]] });
  assertBuildError(
    () => ops.gather(x.d, x.f),
    `Cannot build "Gather": input "indices" must be int64: got float64[2]`,
  );
  assertBuildError(
    () => ops.gather(x.d, x.i, { axis: 2 }),
    `Cannot build "Gather": attribute "axis" must be in [-2, 1]: got 2`,
  );
});

Deno.test("gatherElements() refuses indices of another rank", () => {
  const x = declare({ d: ["float64", [2, 3]], i: ["int64", [2]] });
  assertBuildError(
    () => ops.gatherElements(x.d, x.i, { axis: 1 }),
    `Cannot build "GatherElements": input "indices" must have the rank of input "data" (2): ` +
      `got rank 1`,
  );
});

Deno.test("scatterElements() refuses updates shaped unlike the indices", () => {
  const x = declare({ d: ["float64", [3, 4]], i: ["int64", [3, 2]], u: ["float64", [3, 3]] });
  assertBuildError(
    () => ops.scatterElements(x.d, x.i, x.u, { axis: 1 }),
    `Cannot build "ScatterElements": input "updates" must have the shape of input "indices" ` +
      `[3, 2]: got [3, 3]`,
  );
});

referenceCheckTest(
  "every graph built in indexing_test.ts passes the reference ONNX checker",
  builtModels,
);
