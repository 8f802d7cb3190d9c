/**
 * Finite-difference tests of the data-movement gradient rules (src/grad/rules/shape.ts):
 * Concat, Split, Slice, Pad, Squeeze, Unsqueeze, Reshape, Transpose, Expand.
 */

import * as ops from "../../../src/ops/mod.ts";
import { type ModelToCheck, referenceCheckTest } from "../../helpers/onnx_checker.ts";
import { checkGrad, f64 } from "../fd.ts";

const models: ModelToCheck[] = [];

Deno.test("concatGrad() splits the gradient between three inputs", async () => {
  await checkGrad(
    "Concat axis 1",
    { a: f64([2, 1], 400), b: f64([2, 3], 401), c: f64([2, 2], 402) },
    (x) => ops.concat([x.a, x.b, x.c], 1),
    { models },
  );
  await checkGrad(
    "Concat axis -3 with a repeated input",
    { a: f64([1, 2, 2], 403), b: f64([2, 2, 2], 404) },
    (x) => ops.concat([x.a, x.b, x.a], -3),
    { models },
  );
});

Deno.test("concatGrad() passes the gradient of a single input through", async () => {
  await checkGrad("Concat one input", { a: f64([2, 3], 405) }, (x) => ops.concat([x.a], 0), {
    models,
  });
});

Deno.test("splitGrad() concatenates the gradients of equal parts", async () => {
  await checkGrad(
    "Split 3 equal axis 1",
    { x: f64([2, 6], 410) },
    (x) => ops.split(x.x, 3, 1),
    { models },
  );
});

Deno.test("splitGrad() concatenates the gradients of sized parts", async () => {
  await checkGrad(
    "Split sized axis 0",
    { x: f64([4, 2], 411) },
    (x) => ops.split(x.x, [1, 3], 0),
    { models },
  );
});

Deno.test("splitGrad() fills zeros for an unused output", async () => {
  await checkGrad("Split middle unused", { x: f64([2, 5], 412) }, (x) => {
    const [a, , c] = ops.split(x.x, [2, 1, 2], -1);
    return ops.mul(a, ops.tanh(c));
  }, { models });
  await checkGrad("Split first unused", { x: f64([6], 413) }, (x) => {
    return ops.split(x.x, 2)[1];
  }, { models });
});

Deno.test("sliceGrad() pads the gradient back for negative starts and ends", async () => {
  await checkGrad(
    "Slice negative",
    { x: f64([5, 3], 420) },
    (x) => ops.slice(x.x, [-4], [-1]),
    { models },
  );
});

Deno.test("sliceGrad() handles clamped starts and ends", async () => {
  await checkGrad(
    "Slice clamped",
    { x: f64([4, 3], 421) },
    (x) => ops.slice(x.x, [-100, 1], [100, 1000], [0, 1]),
    { models },
  );
  await checkGrad(
    "Slice int64 max end",
    { x: f64([5], 422) },
    (x) => ops.slice(x.x, [2], [Number.MAX_SAFE_INTEGER]),
    { models },
  );
});

Deno.test("sliceGrad() handles several axes, negative axes and an explicit step of 1", async () => {
  await checkGrad(
    "Slice several axes",
    { x: f64([3, 4, 5], 423) },
    (x) => ops.slice(x.x, [1, -4, 0], [3, -1, 2], [-1, 1, 0], [1, 1, 1]),
    { models },
  );
});

Deno.test("sliceGrad() gives zeros for an empty slice", async () => {
  await checkGrad("Slice empty", { x: f64([4, 2], 424) }, (x) => {
    return ops.add(ops.reduceSum(ops.slice(x.x, [3], [1]), [], { keepdims: false }), x.x);
  }, { models });
});

Deno.test("padGrad() crops the gradient, and gives the constant_value its share", async () => {
  await checkGrad(
    "Pad with value",
    { x: f64([2, 3], 430), v: f64([], 431) },
    (x) => ops.pad(x.x, [1, 0, 2, 1], x.v),
    { models },
  );
  await checkGrad("Pad without value", { x: f64([2, 2, 2], 432) }, (x) => {
    return ops.tanh(ops.pad(x.x, [0, 1, 0, 2, 0, 1]));
  }, { models });
});

Deno.test("padGrad() handles negative pads (cropping) and a value that fills nothing", async () => {
  await checkGrad(
    "Pad negative",
    { x: f64([3, 4], 433), v: f64([], 434) },
    (x) => ops.pad(x.x, [-1, 1, 0, -2], x.v),
    { models },
  );
  await checkGrad(
    "Pad zero pads",
    { x: f64([2, 2], 435), v: f64([], 436) },
    (x) => ops.pad(x.x, [0, 0, 0, 0], x.v),
    { models },
  );
});

Deno.test("reshapeGrad() reshapes the gradient back for Reshape with -1 and 0", async () => {
  await checkGrad(
    "Reshape",
    { x: f64([2, 3, 2], 440) },
    (x) => ops.tanh(ops.reshape(x.x, [0, -1])),
    { models },
  );
});

Deno.test("reshapeGrad() serves Squeeze (with and without axes) and Unsqueeze", async () => {
  await checkGrad(
    "Squeeze axes",
    { x: f64([2, 1, 3, 1], 441) },
    (x) => ops.squeeze(x.x, [1, -1]),
    { models },
  );
  await checkGrad("Squeeze all", { x: f64([1, 3, 1], 442) }, (x) => ops.squeeze(x.x), { models });
  await checkGrad(
    "Unsqueeze",
    { x: f64([2, 3], 443), w: f64([2, 4, 3], 444) },
    (x) => ops.mul(ops.unsqueeze(x.x, [1]), x.w),
    { models },
  );
  await checkGrad(
    "Unsqueeze negative axes",
    { x: f64([3], 445) },
    (x) => ops.unsqueeze(x.x, [0, -1]),
    { models },
  );
});

Deno.test("transposeGrad() applies the inverse permutation", async () => {
  await checkGrad(
    "Transpose perm",
    { x: f64([2, 3, 4], 450), w: f64([4, 2, 3], 451) },
    (x) => ops.mul(ops.transpose(x.x, [2, 0, 1]), x.w),
    { models },
  );
  await checkGrad(
    "Transpose default",
    { x: f64([2, 3], 452), w: f64([3, 2], 453) },
    (x) => ops.mul(ops.transpose(x.x), x.w),
    { models },
  );
});

Deno.test("expandGrad() sums over expanded axes, both directions and rank difference", async () => {
  await checkGrad("Expand rank", { x: f64([3, 1], 460) }, (x) => ops.expand(x.x, [2, 3, 4]), {
    models,
  });
  await checkGrad(
    "Expand both directions",
    { x: f64([2, 1], 461) },
    (x) => ops.expand(x.x, [1, 3]),
    { models },
  );
  await checkGrad("Expand scalar", { x: f64([], 462) }, (x) => ops.expand(x.x, [2, 2]), {
    models,
  });
  await checkGrad(
    "Expand to a smaller rank",
    { x: f64([2, 3], 463) },
    (x) => ops.expand(x.x, [3]),
    { models },
  );
});

referenceCheckTest(
  "every gradient graph in shape_test.ts passes the reference ONNX checker",
  models,
);
