/**
 * Finite-difference tests of the Gather, GatherElements and ScatterElements gradient rules
 * (src/grad/rules/indexing.ts).
 */

import * as ops from "../../../src/ops/mod.ts";
import { type ModelToCheck, referenceCheckTest } from "../../helpers/onnx_checker.ts";
import { checkGrad, f64, i64 } from "../fd.ts";

const models: ModelToCheck[] = [];

Deno.test("gatherGrad() scatter-adds repeated indices on axis 0", async () => {
  await checkGrad(
    "Gather axis 0 repeated",
    { emb: f64([5, 3], 300), idx: i64([4], [1, 3, 1, 4]) },
    (x) => ops.gather(x.emb, x.idx),
    { models },
  );
});

Deno.test("gatherGrad() handles 2-D indices with repeats (an embedding lookup)", async () => {
  await checkGrad(
    "Gather axis 0 2-D indices",
    { emb: f64([5, 2], 301), idx: i64([2, 3], [0, 4, 4, 1, 0, 0]) },
    (x) => ops.tanh(ops.gather(x.emb, x.idx)),
    { models },
  );
});

Deno.test("gatherGrad() handles axis 1 with repeated and 2-D indices", async () => {
  await checkGrad(
    "Gather axis 1 repeated",
    { data: f64([2, 4, 3], 302), idx: i64([3], [2, 0, 2]) },
    (x) => ops.gather(x.data, x.idx, { axis: 1 }),
    { models },
  );
  await checkGrad(
    "Gather axis 1 2-D indices",
    { data: f64([3, 4], 303), idx: i64([2, 2], [3, 3, 0, 1]) },
    (x) => ops.gather(x.data, x.idx, { axis: 1 }),
    { models },
  );
});

Deno.test("gatherGrad() handles the last axis, negative indices and a scalar index", async () => {
  await checkGrad(
    "Gather axis -1 negative indices",
    { data: f64([2, 2, 3], 304), idx: i64([2], [-1, 2]) },
    (x) => ops.gather(x.data, x.idx, { axis: -1 }),
    { models },
  );
  await checkGrad(
    "Gather scalar index",
    { data: f64([4, 3], 305), idx: i64([], [2]) },
    (x) => ops.gather(x.data, x.idx),
    { models },
  );
});

Deno.test("gatherElementsGrad() scatter-adds on axis 1 with repeated indices", async () => {
  await checkGrad(
    "GatherElements axis 1",
    { data: f64([3, 4], 310), idx: i64([3, 2], [1, 1, 0, 3, 2, 2]) },
    (x) => ops.gatherElements(x.data, x.idx, { axis: 1 }),
    { models },
  );
});

Deno.test("gatherElementsGrad() handles axis 0 and a smaller index tensor", async () => {
  await checkGrad(
    "GatherElements axis 0",
    { data: f64([3, 4], 311), idx: i64([2, 3], [0, 2, 2, 2, 1, 0]) },
    (x) => ops.gatherElements(x.data, x.idx),
    { models },
  );
});

Deno.test("gatherElementsGrad() handles a negative axis and negative indices", async () => {
  await checkGrad(
    "GatherElements axis -1 negative indices",
    { data: f64([2, 2, 3], 313), idx: i64([2, 2, 2], [-1, 0, 2, -3, -1, -1, 1, 0]) },
    (x) => ops.gatherElements(x.data, x.idx, { axis: -1 }),
    { models },
  );
});

Deno.test("gatherElementsGrad() picks the target log-probabilities (cross-entropy)", async () => {
  await checkGrad(
    "GatherElements cross-entropy",
    { logits: f64([3, 5], 312, { lo: -2, hi: 2 }), y: i64([3, 1], [4, 0, 4]) },
    (x) => ops.neg(ops.gatherElements(ops.logSoftmax(x.logits), x.y, { axis: 1 })),
    { models },
  );
});

Deno.test("scatterElementsGrad() with reduction none: data where kept, updates where written", async () => {
  await checkGrad(
    "ScatterElements none axis 1",
    { data: f64([3, 4], 320), idx: i64([3, 2], [1, 3, 0, 2, 3, 1]), upd: f64([3, 2], 321) },
    (x) => ops.scatterElements(x.data, x.idx, x.upd, { axis: 1 }),
    { models },
  );
  await checkGrad(
    "ScatterElements none axis 0",
    { data: f64([3, 2], 322), idx: i64([2, 2], [2, 0, 0, 1]), upd: f64([2, 2], 323) },
    (x) => ops.scatterElements(x.data, x.idx, x.upd),
    { models },
  );
});

Deno.test("scatterElementsGrad() with reduction add: data whole, repeated updates each", async () => {
  await checkGrad(
    "ScatterElements add axis 1 repeated",
    { data: f64([2, 4], 330), idx: i64([2, 3], [1, 1, 3, 0, 0, 0]), upd: f64([2, 3], 331) },
    (x) => ops.scatterElements(x.data, x.idx, x.upd, { axis: 1, reduction: "add" }),
    { models },
  );
  await checkGrad(
    "ScatterElements add axis 0",
    { data: f64([3, 2], 332), idx: i64([3, 2], [2, 2, 2, 0, 1, 2]), upd: f64([3, 2], 333) },
    (x) => ops.tanh(ops.scatterElements(x.data, x.idx, x.upd, { reduction: "add" })),
    { models },
  );
});

Deno.test("scatterElementsGrad() feeds a gradient to data and updates used elsewhere", async () => {
  await checkGrad(
    "ScatterElements fan-out",
    { data: f64([2, 3], 340), idx: i64([2, 1], [2, 0]), upd: f64([2, 1], 341) },
    (x) => {
      const s = ops.scatterElements(x.data, x.idx, ops.mul(x.upd, x.upd), { axis: 1 });
      return ops.add(ops.mul(s, x.data), x.upd);
    },
    { models },
  );
});

referenceCheckTest(
  "every gradient graph in indexing_test.ts passes the reference ONNX checker",
  models,
);
