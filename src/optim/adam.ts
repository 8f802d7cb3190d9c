/**
 * fastai's Adam as ONNX update nodes: decoupled weight decay, then moving averages of the
 * gradient and its square, then a debiased step, with the momentum fed per step because the
 * one-cycle schedule moves it.
 *
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
import { constantScalar } from "../ops/constant.ts";
import { add, div, mul, pow, sqrt, sub } from "../ops/elementwise.ts";
import {
  checkRange,
  checkUpdate,
  declareScalars,
  type FloatDType,
  type OptimParam,
  type Scalars,
  stateInput,
  type StateUpdate,
} from "./update.ts";

/** Adam's constant hyper-parameters (learning rate and momentum are scheduled inputs). */
export interface AdamOptions {
  /** Decay of the squared-gradient average (beta2), in [0, 1). */
  sqrMom?: number;
  /** Added to the denominator's square root, > 0. */
  eps?: number;
  /** Decoupled weight decay, >= 0; 0 builds no decay nodes. */
  wd?: number;
}

/** fastai's defaults: `sqr_mom = 0.99`, `eps = 1e-5`, `wd = 0.01`. */
export const ADAM_DEFAULTS: Readonly<Required<AdamOptions>> = { sqrMom: 0.99, eps: 1e-5, wd: 0.01 };

/** The update of one parameter: its new value and its two state tensors. */
export interface AdamUpdate {
  /** The parameter's name (also the suffix of its state inputs). */
  readonly name: string;
  /** The updated parameter. */
  readonly param: Value;
  /** Moving average of the gradient: input `adam.m.<name>`. */
  readonly m: StateUpdate;
  /** Moving average of the squared gradient: input `adam.v.<name>`. */
  readonly v: StateUpdate;
}

/**
 * Declares Adam's per-step scalar inputs `lr`, `mom` and `step` (rank 0).
 *
 * @param g The graph.
 * @param dtype Their dtype: that of the parameters they update.
 * @returns The scalars; feed `step` = t, the 1-based number of the update.
 */
export function adamScalars(g: Graph, dtype: FloatDType = "float32"): Scalars {
  const [lr, mom, step] = declareScalars(g, ["lr", "mom", "step"], dtype);
  return { lr, mom, step };
}

/**
 * Builds one Adam step for every parameter (fastai semantics, in this order):
 * `p *= 1 - lr*wd` (when `decay`); `m = mom*m + (1-mom)*g`; `v = sqrMom*v + (1-sqrMom)*g*g`;
 * `p -= lr/(1 - mom^t) * m / (sqrt(v/(1 - sqrMom^t)) + eps)`.
 *
 * Declares the state inputs `adam.m.<name>` and `adam.v.<name>` (zeros before the first step);
 * declares no outputs: the caller names them and feeds them back. Call it once per graph with
 * every parameter, so the debias factors are built once and shared.
 *
 * @param params Parameters with gradients and decay flags, all in the scalars' graph.
 * @param scalars From `adamScalars`, of the parameters' dtype.
 * @param options Constant hyper-parameters (fastai's defaults).
 * @returns One update per parameter, in order.
 * @throws GraphBuildError for mismatched types or graphs; RangeError for bad options.
 */
export function adam(
  params: readonly OptimParam[],
  scalars: Scalars,
  options: AdamOptions = {},
): AdamUpdate[] {
  const sqrMom = options.sqrMom ?? ADAM_DEFAULTS.sqrMom;
  const eps = options.eps ?? ADAM_DEFAULTS.eps;
  const wd = options.wd ?? ADAM_DEFAULTS.wd;
  checkRange("Cannot build Adam", "sqrMom", sqrMom, { min: 0, max: 1, maxOpen: true });
  checkRange("Cannot build Adam", "eps", eps, { min: 0, minOpen: true, maxOpen: true });
  checkRange("Cannot build Adam", "wd", wd, { min: 0, maxOpen: true });
  const { lr, mom, step } = scalars;
  const checked = checkUpdate("Adam", params, { lr, mom, step });
  if (!checked) return [];
  const { g, dtype } = checked;
  const c = (x: number) => constantScalar(g, dtype, x);

  // Scalars shared by every parameter, built once per graph.
  const one = c(1);
  const oneMinusMom = sub(one, mom); // exact in float32 for mom in [0.5, 1] (Sterbenz)
  const stepSize = div(lr, sub(one, pow(mom, step))); // lr / (1 - mom^t)
  const sqrMomC = c(sqrMom);
  const debias2 = sub(one, pow(sqrMomC, step)); // 1 - sqrMom^t
  // 1 - sqrMom is taken in float64 and rounded once, as PyTorch does with a Python float.
  const oneMinusSqrMom = c(1 - sqrMom);
  const epsC = c(eps);
  const decay = wd > 0 && params.some((p) => p.decay) ? sub(one, mul(lr, c(wd))) : null;

  return params.map(({ param, grad, decay: decayed }) => {
    // Decoupled weight decay acts on the weights before the step, not through the gradient.
    const p = decayed && decay ? mul(param, decay) : param;
    const mIn = stateInput("adam.m", param);
    const vIn = stateInput("adam.v", param);
    const m = add(mul(mom, mIn), mul(oneMinusMom, grad));
    const v = add(mul(sqrMomC, vIn), mul(oneMinusSqrMom, mul(grad, grad)));
    const denom = add(sqrt(div(v, debias2)), epsC);
    const next = sub(p, mul(stepSize, div(m, denom)));
    return {
      name: param.name,
      param: next,
      m: { input: mIn, output: m },
      v: { input: vIn, output: v },
    };
  });
}
