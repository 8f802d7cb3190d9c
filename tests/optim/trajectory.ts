/**
 * Test fixture for optimizer updates: a decayed 2x2 weight and an undecayed 2-vector bias,
 * three steps of gradients and scheduled hyper-parameters, a graph builder, and a runner that
 * feeds each step's outputs back as the next step's inputs through onnxruntime-node.
 *
 * @module
 */

import assert from "node:assert/strict";
import { checkGraph, Graph, saveGraph, type Value } from "../../src/graph/mod.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import type { FloatDType, OptimParam } from "../../src/optim/mod.ts";
import { Session } from "../../src/runtime/session.ts";
import type { ModelToCheck } from "../helpers/onnx_checker.ts";
import { assertClose, type Tolerance } from "../helpers/reference.ts";

/** Every model saved by `buildUpdate`, for the reference ONNX checker. */
export const savedModels: ModelToCheck[] = [];

/** The parameters: names as in LMModel's `h_o` Linear, where fastai decays only the weight. */
export const PARAMS = [
  { name: "h_o.weight", shape: [2, 2], init: [0.5, -0.25, 1.5, -2], decay: true },
  { name: "h_o.bias", shape: [2], init: [0.125, -0.75], decay: false },
] as const;

/** Gradients of steps 1, 2, 3 (dyadic, so exact in float32; some change sign). */
export const GRADS: readonly Readonly<Record<string, readonly number[]>>[] = [
  { "h_o.weight": [0.5, -1, 0.25, 2], "h_o.bias": [-0.5, 0.75] },
  { "h_o.weight": [0.25, -0.5, -0.125, 1.5], "h_o.bias": [-0.25, 1] },
  { "h_o.weight": [1, -0.75, 0.5, 0.5], "h_o.bias": [0.5, 0.25] },
];

/** Scheduled lr and momentum of steps 1, 2, 3: both change every step. */
export const HYPERS: readonly { lr: number; mom: number }[] = [
  { lr: 0.1, mom: 0.95 },
  { lr: 0.3, mom: 0.9 },
  { lr: 0.05, mom: 0.85 },
];

/** Every parameter and state tensor as plain numbers, by graph input name. */
export type State = Record<string, number[]>;

/**
 * Tolerance for float32 graphs against a float64 reference of float32-rounded inputs: rtol
 * 1e-6, plus one float32 ulp at 1 (the parameters' scale) as atol, because a weight that the
 * step carries across zero (-0.25 + 0.29) keeps only the absolute error of its operands.
 */
export const TOL32: Tolerance = { rtol: 1e-6, atol: 2 ** -23 };
/** Tolerance for float64 graphs. */
export const TOL64: Tolerance = { rtol: 1e-12, atol: 1e-15 };

/**
 * What the graph holds in its dtype: fed scalars and constants are rounded to float32 once,
 * then the reference computes in float64 (float32's per-op rounding stays within TOL32).
 *
 * @param dtype The graph's dtype.
 * @returns The rounding.
 */
export function quantizer(dtype: FloatDType): (x: number) => number {
  return dtype === "float32" ? Math.fround : (x) => x;
}

/**
 * Builds and saves an update graph: parameters `h_o.*` and gradients `grad.h_o.*` as inputs;
 * each pair `[input name, value]` from `build` becomes output `next.<input name>`.
 *
 * @param label Label for the checker.
 * @param dtype Parameter dtype.
 * @param build Adds the optimizer; returns what to feed back.
 * @returns The model bytes.
 */
export function buildUpdate(
  label: string,
  dtype: FloatDType,
  build: (params: OptimParam[], g: Graph) => [string, Value][],
): Uint8Array {
  const g = new Graph("optim_test");
  const params = PARAMS.map((p) => ({
    param: g.input(p.name, dtype, p.shape),
    grad: g.input(`grad.${p.name}`, dtype, p.shape),
    decay: p.decay,
  }));
  for (const [name, value] of build(params, g)) g.output(value, `next.${name}`);
  checkGraph(g);
  const bytes = saveGraph(g);
  savedModels.push({ label, bytes });
  return bytes;
}

/**
 * Runs three steps: step t feeds the state (parameters at their initial values and optimizer
 * state at zeros before step 1), `GRADS[t-1]`, `HYPERS[t-1]` and, if declared, `step` = t.
 *
 * @param bytes From `buildUpdate`.
 * @param dtype Parameter dtype.
 * @param label For messages.
 * @returns The state after each step.
 */
export async function runTrajectory(
  bytes: Uint8Array,
  dtype: FloatDType,
  label: string,
): Promise<State[]> {
  const session = await Session.create(bytes, { threads: 1, source: label });
  try {
    const scalarNames = new Set(["lr", "mom", "step"]);
    const shapes = new Map(session.inputs.map((v) => [v.name, v.shape as number[]]));
    let state: State = {};
    for (const v of session.inputs) {
      if (scalarNames.has(v.name) || v.name.startsWith("grad.")) continue;
      const init = PARAMS.find((p) => p.name === v.name)?.init;
      state[v.name] = init ? [...init] : new Array(sizeOf(shapes.get(v.name)!)).fill(0);
    }
    const history: State[] = [];
    for (const [i, hypers] of HYPERS.entries()) {
      const scalars: Record<string, number> = { ...hypers, step: i + 1 };
      const feeds: Record<string, Tensor> = {};
      for (const v of session.inputs) {
        const data = scalarNames.has(v.name)
          ? [scalars[v.name]]
          : v.name.startsWith("grad.")
          ? GRADS[i][v.name.slice("grad.".length)]
          : state[v.name];
        feeds[v.name] = tensor(dtype, shapes.get(v.name)!, data);
      }
      const out = await session.run(feeds);
      state = Object.fromEntries(
        Object.keys(state).map((k) => [k, Array.from(out[`next.${k}`].data as Float64Array)]),
      );
      history.push(state);
    }
    return history;
  } finally {
    await session.release();
  }
}

/**
 * Asserts that two trajectories hold the same tensors, each close at every step.
 *
 * @param actual From `runTrajectory`.
 * @param expected From a reference loop.
 * @param tol Tolerance.
 * @param label For messages.
 */
export function assertTrajectory(
  actual: State[],
  expected: State[],
  tol: Tolerance,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: number of steps`);
  expected.forEach((want, i) => {
    assert.deepEqual(Object.keys(actual[i]).sort(), Object.keys(want).sort(), `${label}: names`);
    for (const [name, data] of Object.entries(want)) {
      assertClose(actual[i][name], data, tol, `${label}: "${name}" after step ${i + 1}`);
    }
  });
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
