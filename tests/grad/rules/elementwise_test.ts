/**
 * Finite-difference tests of the elementwise gradient rules (src/grad/rules/elementwise.ts).
 */

import type { Value } from "../../../src/graph/mod.ts";
import * as ops from "../../../src/ops/mod.ts";
import { type ModelToCheck, referenceCheckTest } from "../../helpers/onnx_checker.ts";
import { bool, checkGrad, f64, i64 } from "../fd.ts";

const models: ModelToCheck[] = [];

/** Shape pairs covering equal shapes, rank difference, size-1 axes both ways, and scalars. */
const BROADCASTS: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3, 4], [3, 1]],
  [[4], [2, 3, 4]],
  [[1, 3], [2, 1]],
  [[2, 1, 4], [3, 1]],
  [[], [2, 3]],
  [[2, 3], []],
];

async function binaryCases(
  name: string,
  f: (a: Value, b: Value) => Value,
  a: { lo?: number; hi?: number; gap?: number } = {},
  b: { lo?: number; hi?: number; gap?: number } = {},
): Promise<void> {
  for (const [i, [sa, sb]] of BROADCASTS.entries()) {
    await checkGrad(
      `${name} [${sa}] with [${sb}]`,
      { a: f64(sa, 10 + i, a), b: f64(sb, 20 + i, b) },
      (x) => f(x.a, x.b),
      { models },
    );
  }
}

Deno.test("addGrad() sums over broadcast axes in both directions, ranks and scalars", async () => {
  await binaryCases("Add", ops.add);
});

Deno.test("subGrad() negates and sums the subtrahend's gradient over broadcast axes", async () => {
  await binaryCases("Sub", ops.sub);
});

Deno.test("mulGrad() sums over broadcast axes", async () => {
  await binaryCases("Mul", ops.mul);
});

Deno.test("divGrad() sums over broadcast axes, divisors away from 0", async () => {
  await binaryCases("Div", ops.div, {}, { lo: 0.5, hi: 2 });
});

Deno.test("powGrad() differentiates base and float exponent with broadcasting", async () => {
  await binaryCases("Pow", ops.pow, { lo: 0.5, hi: 2 }, { lo: -1.5, hi: 1.5 });
});

Deno.test("powGrad() handles constant float and int64 exponents", async () => {
  await checkGrad("Pow constant 3", { x: f64([2, 3], 30, { lo: 0.5, hi: 2 }) }, (x, g) => {
    return ops.pow(x.x, ops.constantScalar(g, "float64", 3));
  }, { models });
  await checkGrad(
    "Pow int64 exponent",
    { x: f64([2, 3], 31, { gap: 0.2 }), p: i64([3], [2, 3, -1]) },
    (x) => ops.pow(x.x, x.p),
    { models },
  );
  await checkGrad("Pow sqrt-like exponent", { x: f64([4], 32, { lo: 0.5, hi: 2 }) }, (x, g) => {
    return ops.pow(x.x, ops.constantScalar(g, "float64", 0.5));
  }, { models });
});

Deno.test("sumGrad() sums each input's gradient over its broadcast axes", async () => {
  await checkGrad(
    "Sum three broadcast inputs",
    { a: f64([2, 3, 4], 40), b: f64([3, 1], 41), c: f64([], 42) },
    (x) => ops.sum(x.a, x.b, x.c),
    { models },
  );
  await checkGrad(
    "Sum rank difference both ways",
    { a: f64([4], 43), b: f64([2, 1, 1], 44) },
    (x) => ops.sum(x.a, x.b),
    { models },
  );
  await checkGrad("Sum one input", { a: f64([2, 3], 45) }, (x) => ops.sum(x.a), { models });
});

Deno.test("whereGrad() routes the gradient by the condition and unbroadcasts", async () => {
  await checkGrad(
    "Where same shapes",
    { c: bool([2, 3], [1, 0, 0, 1, 1, 0]), a: f64([2, 3], 50), b: f64([2, 3], 51) },
    (x) => ops.where(x.c, x.a, x.b),
    { models },
  );
  await checkGrad(
    "Where broadcast condition and operands",
    { c: bool([2, 1, 3], [1, 0, 1, 0, 0, 1]), a: f64([4, 1], 52), b: f64([], 53) },
    (x) => ops.where(x.c, x.a, x.b),
    { models },
  );
  await checkGrad(
    "Where scalar then-branch",
    { c: bool([3], [0, 1, 1]), a: f64([], 54), b: f64([2, 3], 55) },
    (x) => ops.where(x.c, x.a, x.b),
    { models },
  );
});

const UNARY: [string, (x: Value) => Value, { lo?: number; hi?: number; gap?: number }][] = [
  ["negGrad", ops.neg, {}],
  ["reluGrad", ops.relu, { gap: 0.1 }],
  ["sigmoidGrad", ops.sigmoid, { lo: -3, hi: 3 }],
  ["tanhGrad", ops.tanh, { lo: -2, hi: 2 }],
  ["expGrad", ops.exp, { lo: -2, hi: 2 }],
  ["logGrad", ops.log, { lo: 0.3, hi: 3 }],
  ["sqrtGrad", ops.sqrt, { lo: 0.3, hi: 3 }],
  ["reciprocalGrad", ops.reciprocal, { lo: 0.5, hi: 2, gap: 0 }],
  ["identityGrad", ops.identity, {}],
];

for (const [i, [name, f, range]] of UNARY.entries()) {
  Deno.test(`${name}() matches central differences`, async () => {
    await checkGrad(`${name} 2x3`, { x: f64([2, 3], 60 + i, range) }, (x) => f(x.x), { models });
  });
}

Deno.test("reluGrad() passes the gradient only where x > 0, on both signs", async () => {
  await checkGrad("Relu mixed signs", { x: f64([3, 4], 70, { gap: 0.05 }) }, (x) => {
    return ops.add(ops.relu(x.x), ops.mul(ops.relu(ops.neg(x.x)), x.x));
  }, { models });
});

Deno.test("reciprocalGrad() works on negative inputs", async () => {
  await checkGrad("Reciprocal negative", { x: f64([5], 71, { lo: -2, hi: -0.5 }) }, (x) => {
    return ops.reciprocal(x.x);
  }, { models });
});

Deno.test("castGrad() casts the gradient back through a float32 section", async () => {
  // The float32 section rounds x (ulp 6e-8 near 1), so a small step sees the rounding:
  // a 1e-3 step and float32-level tolerances.
  await checkGrad("Cast float64 to float32 and back", { x: f64([2, 3], 80) }, (x) => {
    const y32 = ops.tanh(ops.cast(x.x, "float32"));
    return ops.mul(ops.cast(y32, "float64"), x.x);
  }, { models, eps: 1e-3, rtol: 1e-4, atol: 1e-5 });
});

Deno.test("castGrad() is exact for float64 to float64 and gives int64 inputs nothing", async () => {
  await checkGrad("Cast float64 to float64", { x: f64([2, 3], 81) }, (x) => {
    return ops.exp(ops.cast(x.x, "float64"));
  }, { models, rtol: 1e-9, atol: 1e-9 }); // tight enough to see a float32 round trip
  await checkGrad(
    "Cast int64 to float64",
    { x: f64([2, 3], 82), k: i64([3], [1, -2, 5]) },
    (x) => ops.mul(x.x, ops.cast(x.k, "float64")),
    { models },
  );
});

Deno.test("backward() accumulates fan-out: mul(x, x)", async () => {
  await checkGrad("Mul x x", { x: f64([2, 3], 90) }, (x) => ops.mul(x.x, x.x), { models });
});

Deno.test("backward() accumulates fan-out: add(tanh(x), x)", async () => {
  await checkGrad("Add tanh x", { x: f64([2, 3], 91) }, (x) => ops.add(ops.tanh(x.x), x.x), {
    models,
  });
});

Deno.test("backward() accumulates fan-out over three uses and broadcasting", async () => {
  await checkGrad("x three times", { x: f64([3], 92), w: f64([2, 3], 93) }, (x) => {
    const t = ops.sigmoid(ops.mul(x.w, x.x));
    return ops.sum(ops.div(t, ops.exp(x.x)), ops.identity(x.x), ops.mul(x.x, t));
  }, { models });
});

Deno.test("backward() differentiates several outputs of one graph", async () => {
  await checkGrad("two outputs", { x: f64([2, 2], 94), y: f64([2], 95) }, (x) => {
    const s = ops.sub(x.x, x.y);
    return [ops.tanh(s), ops.mul(s, x.y)];
  }, { models });
});

referenceCheckTest(
  "every gradient graph in elementwise_test.ts passes the reference ONNX checker",
  models,
);
