// Concat, Split and Slice against the TS reference. The data is float64 (plus one int64
import { builtModels } from "../helpers/run_one.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
// Concat); these kernels move data, so results must match exactly.
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import * as ref from "../helpers/reference.ts";
import { assertClose, randArr, randInts, rng } from "../helpers/reference.ts";
import {
  assertBuildError,
  declare,
  EXACT,
  expectOp,
  f64,
  i64,
  runOne,
} from "../helpers/run_one.ts";

Deno.test("concat() joins tensors of different sizes on axis 1 and -1", async () => {
  const r = rng(61);
  const parts = [randArr(r, [2, 1, 3]), randArr(r, [2, 4, 3]), randArr(r, [2, 2, 3])];
  const inputs = { a: f64(parts[0]), b: f64(parts[1]), c: f64(parts[2]) };
  const expected = ref.concat(parts, 1);
  await expectOp("concat axis 1", inputs, (x) => ops.concat([x.a, x.b, x.c], 1), expected, EXACT);
  const rows = [randArr(r, [2, 1]), randArr(r, [2, 3])];
  const last = ref.concat(rows, -1);
  const rowInputs = { a: f64(rows[0]), b: f64(rows[1]) };
  await expectOp("concat axis -1", rowInputs, (x) => ops.concat([x.a, x.b], -1), last, EXACT);
});

Deno.test("concat() joins int64 vectors on axis 0", async () => {
  const r = rng(62);
  const a = randInts(r, [2], 0, 9);
  const b = randInts(r, [3], 0, 9);
  const inputs = { a: i64(a), b: i64(b) };
  await expectOp(
    "concat int64",
    inputs,
    (x) => ops.concat([x.a, x.b], 0),
    ref.concat([a, b], 0),
    EXACT,
  );
});

Deno.test("split() cuts equal parts and given sizes, on axis 1 and -1", async () => {
  const a = randArr(rng(63), [2, 6, 3]);
  const cases: [string, number | number[], number, number[]][] = [
    ["3 equal parts on axis 1", 3, 1, [2, 2, 2]],
    ["sizes [1,4,1] on axis 1", [1, 4, 1], 1, [1, 4, 1]],
    ["sizes [1,2] on axis -1", [1, 2], -1, [1, 2]],
    ["2 equal parts on axis 0", 2, 0, [1, 1]],
  ];
  for (const [what, sizesOrParts, axis, sizes] of cases) {
    const outs = await runOne(
      `split ${what}`,
      { a: f64(a) },
      (x) => ops.split(x.a, sizesOrParts, axis),
    );
    const expected = ref.split(a, sizes, axis);
    assert.equal(outs.length, expected.length);
    outs.forEach((out, i) => {
      assert.deepEqual(out.tensor.dims, expected[i].shape, `split ${what}: piece ${i}`);
      assertClose(out.data, expected[i].data, EXACT, `split ${what}: piece ${i}`);
    });
  }
});

const SLICES: [string, number[], number[], number[] | undefined, number[] | undefined][] = [
  ["[1:3] on axis 0", [1], [3], undefined, undefined],
  ["negative start and end", [-4], [-1], [1], undefined],
  ["clamped start and end", [-100], [100], [0], undefined],
  ["end far past the axis", [2], [2 ** 40], [-1], undefined],
  ["reversed with step -1", [-1], [-100], [1], [-1]],
  ["step -2 from 4 to 0", [4], [0], [1], [-2]],
  ["two axes with steps 2 and -1", [0, 3], [5, 0], [0, -1], [2, -1]],
  ["empty (start after end)", [3], [1], [0], undefined],
];

for (const [what, starts, ends, axes, steps] of SLICES) {
  Deno.test(`slice() matches the reference: ${what}`, async () => {
    const a = randArr(rng(64), [5, 6]);
    await expectOp(
      `slice ${what}`,
      { a: f64(a) },
      (x) => ops.slice(x.a, starts, ends, axes, steps),
      ref.slice(a, starts, ends, axes, steps),
      EXACT,
    );
  });
}

Deno.test("slice() accepts starts and ends as int64 values known at build time", async () => {
  const a = randArr(rng(65), [4, 3]);
  await expectOp(
    "slice by value",
    { a: f64(a) },
    (x, g) => ops.slice(x.a, ops.int64s(g, [1]), ops.int64s(g, [-1])),
    ref.slice(a, [1], [-1]),
    EXACT,
  );
});

Deno.test("split() refuses sizes that do not add up and parts that do not divide", () => {
  const x = declare({ a: ["float64", [2, 6]], b: ["float64", [2, 5]] });
  assertBuildError(
    () => ops.split(x.a, [1, 2], 1),
    `Cannot build "Split": input "split" sizes [1, 2] must add up to axis 1 size 6: got 3`,
  );
  assertBuildError(
    () => ops.split(x.b, 2, 1),
    `Cannot build "Split": axis 1 of size 5 cannot be split into 2 equal parts; pass sizes`,
  );
  assertBuildError(
    () => ops.split(x.a, 2, 2),
    `Cannot build "Split": attribute "axis" must be in [-2, 1]: got 2`,
  );
});

Deno.test("slice() refuses a zero step and lists of different lengths", () => {
  const x = declare({ a: ["float64", [4, 3]] });
  assertBuildError(
    () => ops.slice(x.a, [0], [2], [0], [0]),
    `Cannot build "Slice": input "steps" must not contain 0`,
  );
  assertBuildError(
    () => ops.slice(x.a, [0, 0], [2]),
    `Cannot build "Slice": inputs "starts", "ends", "axes", "steps" must have equal lengths: ` +
      `got 2, 1, 2, 2`,
  );
});

Deno.test("concat() refuses other ranks, other sizes off the axis, and no inputs", () => {
  const x = declare({ a: ["float64", [2, 3]], b: ["float64", [2]], c: ["float64", [4, 3]] });
  assertBuildError(
    () => ops.concat([x.a, x.b], 0),
    `Cannot build "Concat": input 1 must have rank 2 like input 0: got [2]`,
  );
  assertBuildError(
    () => ops.concat([x.a, x.c], 1),
    `Cannot build "Concat": input 1 [4, 3] differs from input 0 [2, 3] on axis 0 ` +
      `(only axis 1 may differ)`,
  );
  assertBuildError(
    () => ops.concat([], 0),
    `Cannot build "Concat": needs at least one input: got none`,
  );
});

referenceCheckTest(
  "every graph built in slice_split_test.ts passes the reference ONNX checker",
  builtModels,
);

Deno.test("split() and concat() past WebGPU's 8 buffers build trees with the same values", async () => {
  const a = randArr(rng(65), [3, 17, 2]);
  const uneven = [1, 2, 1, 3, 1, 1, 2, 1, 1, 4]; // 10 pieces, sum 17
  const cases: [string, number | number[], number, number[]][] = [
    ["17 equal parts on axis 1", 17, 1, new Array(17).fill(1)],
    ["10 uneven sizes on axis -2", uneven, -2, uneven],
    ["7 equal parts on axis 1 (one node)", [3, 2, 2, 3, 2, 2, 3], 1, [3, 2, 2, 3, 2, 2, 3]],
  ];
  for (const [what, sizesOrParts, axis, sizes] of cases) {
    const outs = await runOne(`tree split ${what}`, { a: f64(a) }, (x) => {
      const pieces = ops.split(x.a, sizesOrParts, axis);
      return [...pieces, ops.concat(pieces, axis)]; // and join them back
    });
    const expected = ref.split(a, sizes, axis);
    assert.equal(outs.length, expected.length + 1);
    expected.forEach((e, i) => {
      assert.deepEqual(outs[i].tensor.dims, e.shape, `${what}: piece ${i}`);
      assertClose(outs[i].data, e.data, EXACT, `${what}: piece ${i}`);
    });
    assertClose(outs.at(-1)!.data, a.data, EXACT, `${what}: joined again`);
  }
  // No node of such a graph binds more than MAX_NODE_TENSORS tensors.
  const { Graph } = await import("../../src/graph/graph.ts");
  const { MAX_NODE_TENSORS } = await import("../../src/graph/limits.ts");
  const g = new Graph("tree");
  const x = g.input("x", "float64", [3, 17, 2]);
  g.output(ops.concat(ops.split(x, 17, 1), 1), "y");
  for (const n of g.nodes) {
    assert.ok(
      n.inputs.length + n.outputs.length <= MAX_NODE_TENSORS,
      `${n.opType}: ${n.inputs.length} + ${n.outputs.length}`,
    );
  }
});

Deno.test("split() into more pieces than a node may hold refuses an axis out of range", () => {
  const g = new Graph("g", { maxNodeTensors: 8 });
  const x = g.input("x", "float32", [2, 16]);
  for (const parts of [3, 16]) {
    assert.throws(() => ops.split(x, parts, 2), {
      name: "GraphBuildError",
      message: `Cannot build "Split": attribute "axis" must be in [-2, 1]: got 2`,
    });
  }
});

Deno.test("a graph's node limit is at least 4, and a limit of 4 still splits into a tree", () => {
  for (const bad of [3, 2.5, Number.NaN, -1]) {
    assert.throws(() => new Graph("g", { maxNodeTensors: bad }), {
      name: "GraphBuildError",
      message: `Graph option "maxNodeTensors" must be an integer >= 4 or Infinity: got ${bad}`,
    });
  }
  const g = new Graph("g", { maxNodeTensors: 4 });
  const pieces = ops.split(g.input("x", "float32", [16, 3]), 16, 0);
  assert.equal(pieces.length, 16);
  assert.ok(pieces.every((p) => p.shape[0] === 1));
  assert.ok(g.nodes.every((n) => n.inputs.length + n.outputs.length <= 4));
});
