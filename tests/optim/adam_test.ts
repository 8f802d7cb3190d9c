// fastai's Adam update graph against a plain-TS loop over BOOK.md's formula, three steps with
// the lr and momentum changing every step, in float32 and float64.
import assert from "node:assert/strict";
import { Graph, GraphBuildError } from "../../src/graph/mod.ts";
import { adam, type AdamOptions, adamScalars, type FloatDType } from "../../src/optim/mod.ts";
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

/** BOOK.md's Adam, one element at a time; `o` holds every hyper-parameter explicitly. */
function adamReference(dtype: FloatDType, o: Required<AdamOptions>): State[] {
  const q = quantizer(dtype);
  const [sqrMom, oneMinusSqrMom, eps, wd] = [q(o.sqrMom), q(1 - o.sqrMom), q(o.eps), q(o.wd)];
  const state: State = {};
  for (const p of PARAMS) {
    state[p.name] = [...p.init];
    state[`adam.m.${p.name}`] = p.init.map(() => 0);
    state[`adam.v.${p.name}`] = p.init.map(() => 0);
  }
  const history: State[] = [];
  HYPERS.forEach((h, i) => {
    const [t, lr, mom] = [i + 1, q(h.lr), q(h.mom)];
    for (const p of PARAMS) {
      const [w, m, v, g] = [
        state[p.name],
        state[`adam.m.${p.name}`],
        state[`adam.v.${p.name}`],
        GRADS[i][p.name],
      ];
      for (let k = 0; k < w.length; k++) {
        if (p.decay) w[k] *= 1 - lr * wd;
        m[k] = mom * m[k] + (1 - mom) * g[k];
        v[k] = sqrMom * v[k] + oneMinusSqrMom * g[k] * g[k];
        w[k] -= lr / (1 - mom ** t) * m[k] / (Math.sqrt(v[k] / (1 - sqrMom ** t)) + eps);
      }
    }
    history.push(structuredClone(state));
  });
  return history;
}

function buildAdam(label: string, dtype: FloatDType, options?: AdamOptions): Uint8Array {
  return buildUpdate(
    label,
    dtype,
    (params, g) =>
      adam(params, adamScalars(g, dtype), options).flatMap((u) => [
        [u.name, u.param],
        [u.m.input.name, u.m.output],
        [u.v.input.name, u.v.output],
      ]),
  );
}

const DEFAULTS = { sqrMom: 0.99, eps: 1e-5, wd: 0.01 };
const CASES: [string, FloatDType, AdamOptions | undefined, Required<AdamOptions>][] = [
  ["float32, fastai's defaults", "float32", undefined, DEFAULTS],
  ["float64, fastai's defaults", "float64", undefined, DEFAULTS],
  ["float32, custom options", "float32", { sqrMom: 0.9, eps: 1e-3, wd: 0.1 }, {
    sqrMom: 0.9,
    eps: 1e-3,
    wd: 0.1,
  }],
  ["float64, custom options", "float64", { sqrMom: 0.9, eps: 1e-3, wd: 0.1 }, {
    sqrMom: 0.9,
    eps: 1e-3,
    wd: 0.1,
  }],
  ["float64, no weight decay", "float64", { wd: 0 }, { ...DEFAULTS, wd: 0 }],
];

for (const [what, dtype, options, hypers] of CASES) {
  Deno.test(`adam() matches a hand-computed three-step trajectory: ${what}`, async () => {
    const label = `adam ${what}`;
    const actual = await runTrajectory(buildAdam(label, dtype, options), dtype, label);
    const tol = dtype === "float32" ? TOL32 : TOL64;
    assertTrajectory(actual, adamReference(dtype, hypers), tol, label);
  });
}

function countNodes(names: string[], options?: AdamOptions): Record<string, number> {
  const g = new Graph("count");
  const params = names.map((n) => {
    const decay = n.endsWith("weight");
    return { param: g.input(n, "float32", [3]), grad: g.input(`g.${n}`, "float32", [3]), decay };
  });
  adam(params, adamScalars(g), options);
  const counts: Record<string, number> = { total: g.nodes.length };
  for (const n of g.nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  return counts;
}

Deno.test("adam() builds the debias factors once per graph and 13-14 nodes per parameter", () => {
  const one = countNodes(["a.weight"]);
  const three = countNodes(["a.weight", "b.weight", "a.bias"]);
  assert.equal(one.Pow, 2);
  assert.equal(three.Pow, 2);
  assert.equal(three.total - one.total, 14 + 13); // a decayed weight, an undecayed bias
  assert.equal(countNodes(["a.weight"], { wd: 0 }).total, one.total - 4); // no decay nodes
});

Deno.test("adam() declares its state inputs by parameter name and no outputs", () => {
  const g = new Graph("names");
  const param = g.input("rnn.weight_ih_l0", "float64", [4, 2]);
  const grad = g.input("grad", "float64", [4, 2]);
  const [u] = adam([{ param, grad, decay: true }], adamScalars(g, "float64"));
  assert.deepEqual(
    g.inputs.map((v) => `${v.name}: ${v.dtype}[${v.shape}]`),
    [
      "rnn.weight_ih_l0: float64[4,2]",
      "grad: float64[4,2]",
      "lr: float64[]",
      "mom: float64[]",
      "step: float64[]",
      "adam.m.rnn.weight_ih_l0: float64[4,2]",
      "adam.v.rnn.weight_ih_l0: float64[4,2]",
    ],
  );
  assert.equal(u.name, "rnn.weight_ih_l0");
  assert.deepEqual([u.param.shape, u.m.output.shape, u.v.output.shape], [[4, 2], [4, 2], [4, 2]]);
  assert.equal(g.outputs.length, 0);
  assert.deepEqual(adam([], adamScalars(new Graph("empty"))), []);
});

Deno.test("adam() refuses bad options, mismatched gradients, dtypes and graphs", () => {
  const g = new Graph("errors");
  const s = adamScalars(g);
  const w = g.input("w", "float32", [2, 2]);
  const p = { param: w, grad: g.input("gw", "float32", [2, 2]), decay: true };
  const bad = (options: AdamOptions, message: string) =>
    assertThrowsExactly(() => adam([p], s, options), RangeError, `Cannot build Adam: ${message}`);
  bad({ sqrMom: 1 }, `"sqrMom" must be in [0, 1): got 1`);
  bad({ eps: 0 }, `"eps" must be > 0 and finite: got 0`);
  bad({ wd: -0.1 }, `"wd" must be >= 0 and finite: got -0.1`);
  bad({ wd: NaN }, `"wd" must be >= 0 and finite: got NaN`);
  const build = (params: Parameters<typeof adam>[0], message: string) =>
    assertThrowsExactly(() => adam(params, s), GraphBuildError, `Cannot build Adam: ${message}`);
  build(
    [{ ...p, grad: g.input("gb", "float32", [2]) }],
    `the gradient of parameter "w" must be float32[2, 2]: got float32[2]`,
  );
  const w64 = g.input("w64", "float64", [2]);
  build(
    [{ param: w64, grad: w64, decay: false }],
    `parameter "w64" is float64[2] but the scalars are float32: declare the scalars with ` +
      `the parameters' dtype`,
  );
  build([p, p], `parameter "w" is listed twice`);
  const other = new Graph("other").input("x", "float32", [2]);
  build(
    [{ param: other, grad: other, decay: true }],
    `parameter "x" and its gradient must be in graph "errors", where the scalars are`,
  );
  assertThrowsExactly(
    () => adamScalars(new Graph("int"), "int64" as FloatDType),
    GraphBuildError,
    `Cannot declare optimizer scalars: dtype must be float32 or float64: got "int64"`,
  );
});

referenceCheckTest(
  "every graph saved in adam_test.ts passes the reference ONNX checker",
  savedModels,
);
