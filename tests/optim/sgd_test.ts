// fastai's SGD with momentum against a plain-TS loop, three steps with the lr and momentum
// changing every step, in float32 and float64.
import assert from "node:assert/strict";
import { Graph, GraphBuildError } from "../../src/graph/mod.ts";
import { adamScalars, type FloatDType, sgd, sgdScalars } from "../../src/optim/mod.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertThrowsExactly } from "../helpers/assert_throws.ts";
import {
  assertTrajectory,
  buildUpdate,
  GRADS,
  HYPERS,
  PARAMS,
  quantizer,
  runTrajectory,
  savedModels,
  type State,
  TOL32,
  TOL64,
} from "./trajectory.ts";

/** fastai's SGD step, one element at a time: decoupled decay, undampened momentum, step. */
function sgdReference(dtype: FloatDType, wdIn: number): State[] {
  const q = quantizer(dtype);
  const wd = q(wdIn);
  const state: State = {};
  for (const p of PARAMS) {
    state[p.name] = [...p.init];
    state[`sgd.buf.${p.name}`] = p.init.map(() => 0);
  }
  const history: State[] = [];
  HYPERS.forEach((h, i) => {
    const [lr, mom] = [q(h.lr), q(h.mom)];
    for (const p of PARAMS) {
      const [w, buf, g] = [state[p.name], state[`sgd.buf.${p.name}`], GRADS[i][p.name]];
      for (let k = 0; k < w.length; k++) {
        if (p.decay) w[k] *= 1 - lr * wd;
        buf[k] = mom * buf[k] + g[k];
        w[k] -= lr * buf[k];
      }
    }
    history.push(structuredClone(state));
  });
  return history;
}

const CASES: [string, FloatDType, number | undefined, number][] = [
  ["float32, wd 0.1", "float32", 0.1, 0.1],
  ["float64, wd 0.1", "float64", 0.1, 0.1],
  ["float32, fastai's default wd 0", "float32", undefined, 0],
  ["float64, fastai's default wd 0", "float64", undefined, 0],
];

for (const [what, dtype, wd, wdRef] of CASES) {
  Deno.test(`sgd() matches a hand-computed three-step trajectory: ${what}`, async () => {
    const label = `sgd ${what}`;
    const bytes = buildUpdate(
      label,
      dtype,
      (params, g) =>
        sgd(params, sgdScalars(g, dtype), wd === undefined ? undefined : { wd }).flatMap((u) => [
          [u.name, u.param],
          [u.buf.input.name, u.buf.output],
        ]),
    );
    const actual = await runTrajectory(bytes, dtype, label);
    const tol = dtype === "float32" ? TOL32 : TOL64;
    assertTrajectory(actual, sgdReference(dtype, wdRef), tol, label);
  });
}

Deno.test("sgd() declares sgd.buf.<name>, builds 4-5 nodes per parameter, accepts Adam's scalars", () => {
  const g = new Graph("names");
  const param = g.input("h_h.weight", "float32", [3, 3]);
  const bias = g.input("h_h.bias", "float32", [3]);
  const params = [
    { param, grad: g.input("gw", "float32", [3, 3]), decay: true },
    { param: bias, grad: g.input("gb", "float32", [3]), decay: false },
  ];
  const [w, b] = sgd(params, adamScalars(g), { wd: 0.01 });
  assert.deepEqual([w.name, w.buf.input.name, b.buf.input.name], [
    "h_h.weight",
    "sgd.buf.h_h.weight",
    "sgd.buf.h_h.bias",
  ]);
  // Shared: two constants, lr*wd and 1 - lr*wd; then 5 nodes for the weight, 4 for the bias.
  assert.equal(g.nodes.length, 4 + 5 + 4);
  assert.equal(g.outputs.length, 0);
});

Deno.test("sgd() refuses a bad wd, mismatched gradients and mixed-dtype scalars", () => {
  const g = new Graph("errors");
  const s = sgdScalars(g);
  const w = g.input("w", "float32", [2]);
  const p = { param: w, grad: g.input("gw", "float32", [2]), decay: true };
  for (const wd of [-1, Infinity]) {
    assertThrowsExactly(
      () => sgd([p], s, { wd }),
      RangeError,
      `Cannot build SGD: "wd" must be >= 0 and finite: got ${wd}`,
    );
  }
  assertThrowsExactly(
    () => sgd([{ ...p, grad: g.input("g64", "float64", [2]) }], s),
    GraphBuildError,
    `Cannot build SGD: the gradient of parameter "w" must be float32[2]: got float64[2]`,
  );
  assertThrowsExactly(
    () => sgd([p], { lr: s.lr, mom: g.input("mom64", "float64", []) }),
    GraphBuildError,
    `Cannot build SGD: scalars must share one dtype: "lr" is float32, "mom" is float64`,
  );
  assertThrowsExactly(
    () => sgd([p], { lr: s.lr, mom: g.input("momv", "float32", [1]) }),
    GraphBuildError,
    `Cannot build SGD: scalar "mom" must be float32[] or float64[]: got float32[1]`,
  );
});

referenceCheckTest(
  "every graph saved in sgd_test.ts passes the reference ONNX checker",
  savedModels,
);
