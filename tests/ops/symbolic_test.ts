// Symbolic dims: graphs declared with a "batch" dim infer symbolic output shapes, and the
import { builtModels } from "../helpers/run_one.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
// same model runs in onnxruntime-node with batch 1 and 5 (float64 throughout), its output
// dims matching the inferred shape with "batch" resolved.
import assert from "node:assert/strict";
import type { Dim } from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import type { DType } from "../../src/onnx/dtype.ts";
import * as ref from "../helpers/reference.ts";
import { type Arr, assertClose, randArr, randInts, rng } from "../helpers/reference.ts";
import { type Build, buildOne, type InputSpec, runBuilt, TOL64 } from "../helpers/run_one.ts";

/** An input with a symbolic declared shape; random data in [lo, hi) is fed for each batch. */
interface SymInput {
  dtype: DType;
  shape: Dim[];
  lo?: number;
  hi?: number;
}

async function symbolic(
  label: string,
  inputs: Record<string, SymInput>,
  build: Build,
  inferred: Dim[],
  reference: (xs: Record<string, Arr>) => Arr,
): Promise<void> {
  const declared: Record<string, InputSpec> = {};
  for (const [name, s] of Object.entries(inputs)) {
    declared[name] = { dtype: s.dtype, shape: s.shape, data: { shape: [], data: [0] } };
  }
  const built = buildOne(label, declared, build);
  assert.deepEqual(built.values[0].shape, inferred, `${label}: inferred shape`);
  for (const batch of [1, 5]) {
    const r = rng(80 + batch);
    const feeds: Record<string, InputSpec> = {};
    const arrs: Record<string, Arr> = {};
    for (const [name, s] of Object.entries(inputs)) {
      const dims = s.shape.map((d) => (d === "batch" ? batch : d as number));
      arrs[name] = s.dtype === "int64"
        ? randInts(r, dims, s.lo ?? 0, s.hi ?? 2)
        : randArr(r, dims, s.lo ?? -1, s.hi ?? 1);
      feeds[name] = { dtype: s.dtype, data: arrs[name] };
    }
    const [out] = await runBuilt(built, feeds, { batch });
    const expected = reference(arrs);
    assert.deepEqual(out.tensor.dims, expected.shape, `${label} batch ${batch}: shape`);
    assertClose(out.data, expected.data, TOL64, `${label} batch ${batch}`);
  }
}

const F = "float64";

Deno.test("reshape() of [batch, 16, 30] to [-1, 30] infers [16*batch, 30]", async () => {
  await symbolic(
    "sym reshape -1",
    { a: { dtype: F, shape: ["batch", 16, 30] } },
    (x) => ops.reshape(x.a, [-1, 30]),
    ["16*batch", 30],
    (a) => ref.reshape(a.a, [-1, 30]),
  );
});

Deno.test("reshape() with 0 keeps batch, and a target built from shape() carries it", async () => {
  await symbolic(
    "sym reshape 0",
    { a: { dtype: F, shape: ["batch", 6] } },
    (x) => ops.reshape(x.a, [0, 2, -1]),
    ["batch", 2, 3],
    (a) => ref.reshape(a.a, [0, 2, -1]),
  );
  await symbolic(
    "sym reshape by shape()",
    { a: { dtype: F, shape: ["batch", 6] } },
    (x, g) => ops.reshape(x.a, ops.concat([ops.shape(x.a, { end: 1 }), ops.int64s(g, [3, 2])], 0)),
    ["batch", 3, 2],
    (a) => ref.reshape(a.a, [0, 3, 2]),
  );
});

Deno.test("matMul() and gemm() keep the batch dim", async () => {
  await symbolic(
    "sym matMul",
    { a: { dtype: F, shape: ["batch", 2, 4] }, w: { dtype: F, shape: [4, 3] } },
    (x) => ops.matMul(x.a, x.w),
    ["batch", 2, 3],
    (a) => ref.matmul(a.a, a.w),
  );
  await symbolic(
    "sym gemm",
    {
      a: { dtype: F, shape: ["batch", 4] },
      w: { dtype: F, shape: [3, 4] },
      b: { dtype: F, shape: [3] },
    },
    (x) => ops.gemm(x.a, x.w, x.b, { transB: true }),
    ["batch", 3],
    (a) => ref.gemm(a.a, a.w, a.b, { transB: true }),
  );
});

Deno.test("add() broadcasts [batch, 1] with [1, 4] to [batch, 4]", async () => {
  await symbolic(
    "sym add",
    { a: { dtype: F, shape: ["batch", 1] }, b: { dtype: F, shape: [1, 4] } },
    (x) => ops.add(x.a, x.b),
    ["batch", 4],
    (a) => ref.binary(a.a, a.b, (p, q) => p + q),
  );
});

Deno.test("concat() on the batch axis infers batch+2", async () => {
  await symbolic(
    "sym concat",
    { a: { dtype: F, shape: ["batch", 3] }, b: { dtype: F, shape: [2, 3] } },
    (x) => ops.concat([x.a, x.b], 0),
    ["batch+2", 3],
    (a) => ref.concat([a.a, a.b], 0),
  );
});

Deno.test("gather() with [batch, 7] token ids gives [batch, 7, 4]", async () => {
  await symbolic(
    "sym gather",
    { t: { dtype: F, shape: [10, 4] }, i: { dtype: "int64", shape: ["batch", 7], hi: 10 } },
    (x) => ops.gather(x.t, x.i),
    ["batch", 7, 4],
    (a) => ref.gather(a.t, a.i, 0),
  );
});

Deno.test("reductions and softmax keep or drop the batch dim as asked", async () => {
  const a = { a: { dtype: F, shape: ["batch", 3] } as SymInput };
  await symbolic(
    "sym reduceSum",
    a,
    (x) => ops.reduceSum(x.a, [1], { keepdims: false }),
    ["batch"],
    (v) => ref.reduce(v.a, [1], "sum", false),
  );
  await symbolic(
    "sym reduceMean all",
    a,
    (x) => ops.reduceMean(x.a, [], { keepdims: false }),
    [],
    (v) => ref.reduce(v.a, [], "mean", false),
  );
  await symbolic(
    "sym softmax",
    a,
    (x) => ops.softmax(x.a, 0),
    ["batch", 3],
    (v) => ref.softmax(v.a, 0),
  );
  await symbolic(
    "sym transpose",
    a,
    (x) => ops.transpose(x.a),
    [3, "batch"],
    (v) => ref.transpose(v.a),
  );
});

Deno.test("slice() keeps batch for a whole-axis slice and leaves a partial one unknown", async () => {
  const a = { a: { dtype: F, shape: ["batch", 5] } as SymInput };
  const big = 2 ** 31 - 1;
  await symbolic(
    "sym slice whole",
    a,
    (x) => ops.slice(x.a, [0, 1], [big, 3]),
    ["batch", 2],
    (v) => ref.slice(v.a, [0, 1], [big, 3]),
  );
  await symbolic(
    "sym slice partial",
    a,
    (x) => ops.slice(x.a, [1], [big]),
    [null, 5],
    (v) => ref.slice(v.a, [1], [big]),
  );
});

Deno.test("split() and unsqueeze() off the batch axis keep it", async () => {
  const a = { a: { dtype: F, shape: ["batch", 4] } as SymInput };
  await symbolic(
    "sym split",
    a,
    (x) => ops.split(x.a, [1, 3], 1)[1],
    ["batch", 3],
    (v) => ref.split(v.a, [1, 3], 1)[1],
  );
  await symbolic(
    "sym unsqueeze",
    a,
    (x) => ops.unsqueeze(x.a, [1]),
    ["batch", 1, 4],
    (v) => ref.unsqueeze(v.a, [1]),
  );
});

referenceCheckTest(
  "every graph built in symbolic_test.ts passes the reference ONNX checker",
  builtModels,
);
