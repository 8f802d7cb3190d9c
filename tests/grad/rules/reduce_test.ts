/**
 * Finite-difference tests of the reduction and Softmax/LogSoftmax gradient rules
 * (src/grad/rules/reduce.ts).
 */

import assert from "node:assert/strict";
import type { Value } from "../../../src/graph/mod.ts";
import { Graph, saveGraph } from "../../../src/graph/mod.ts";
import { backward } from "../../../src/grad/mod.ts";
import * as ops from "../../../src/ops/mod.ts";
import { tensor } from "../../../src/onnx/tensor.ts";
import { Session } from "../../../src/runtime/session.ts";
import { type ModelToCheck, referenceCheckTest } from "../../helpers/onnx_checker.ts";
import { checkGrad, f64 } from "../fd.ts";

const models: ModelToCheck[] = [];

type Reduce = (x: Value, axes?: readonly number[], options?: { keepdims?: boolean }) => Value;

/** Axes cases on a [2, 3, 4] input: one axis, a negative axis, several axes, all axes. */
const AXES: number[][] = [[1], [-1], [0, 2], [2, 0, 1], []];

async function reduceCases(name: string, f: Reduce, seed: number): Promise<void> {
  for (const keepdims of [true, false]) {
    for (const [i, axes] of AXES.entries()) {
      await checkGrad(
        `${name} axes [${axes}] keepdims=${keepdims}`,
        { x: f64([2, 3, 4], seed + i) },
        (x) => f(x.x, axes, { keepdims }),
        { models },
      );
    }
  }
}

Deno.test("reduceSumGrad() broadcasts back over one, several and all axes, keepdims both", async () => {
  await reduceCases("ReduceSum", ops.reduceSum, 500);
});

Deno.test("reduceMeanGrad() divides by the reduced count, keepdims both", async () => {
  await reduceCases("ReduceMean", ops.reduceMean, 510);
});

Deno.test("reduceMaxGrad() sends the gradient to the maximum, keepdims both", async () => {
  // Random data has no ties, and its gaps are far larger than the 1e-6 step.
  await reduceCases("ReduceMax", ops.reduceMax, 520);
});

Deno.test("reduceMaxGrad() shares the gradient equally between tied maxima", async () => {
  const g = new Graph("ties");
  const x = g.input("x", "float64", [2, 3]);
  const loss = ops.reduceSum(ops.reduceMax(x, [1], { keepdims: false }), [], { keepdims: false });
  g.output(backward(loss, [x])[0], "dx");
  const bytes = saveGraph(g);
  models.push({ label: "ReduceMax ties", bytes });
  const session = await Session.create(bytes);
  try {
    const out = await session.run({ x: tensor("float64", [2, 3], [1, 3, 3, 2, 2, 2]) });
    const third = 1 / 3;
    assert.deepEqual(Array.from(out.dx.data as Float64Array), [0, 0.5, 0.5, third, third, third]);
  } finally {
    await session.release();
  }
});

Deno.test("reduceSumGrad() and reduceMeanGrad() feed a fanned-out input", async () => {
  await checkGrad("ReduceMean centred", { x: f64([3, 4], 530) }, (x) => {
    const centred = ops.sub(x.x, ops.reduceMean(x.x, [1]));
    return ops.div(centred, ops.sqrt(ops.reduceSum(ops.mul(centred, centred), [-1])));
  }, { models });
});

for (
  const [name, f] of [["softmaxGrad", ops.softmax], ["logSoftmaxGrad", ops.logSoftmax]] as const
) {
  Deno.test(`${name}() matches central differences on axis 0, 1 and -1`, async () => {
    for (const [i, axis] of [0, 1, -1].entries()) {
      await checkGrad(
        `${name} axis ${axis}`,
        { x: f64([2, 3, 4], 540 + i, { lo: -2, hi: 2 }) },
        (x) => f(x.x, axis),
        { models },
      );
    }
    await checkGrad(`${name} 1-D`, { x: f64([5], 545, { lo: -3, hi: 3 }) }, (x) => f(x.x, 0), {
      models,
    });
  });
}

Deno.test("logSoftmaxGrad() gives the cross-entropy gradient softmax - onehot", async () => {
  await checkGrad("cross-entropy mean", { z: f64([3, 4], 550, { lo: -2, hi: 2 }) }, (x, g) => {
    const onehot = ops.constant(g, tensor("float64", [3, 4], [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]));
    return ops.neg(ops.reduceMean(ops.reduceSum(ops.mul(ops.logSoftmax(x.z), onehot), [1])));
  }, { models });
});

referenceCheckTest(
  "every gradient graph in reduce_test.ts passes the reference ONNX checker",
  models,
);
