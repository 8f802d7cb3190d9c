/**
 * fastai's SGD with momentum as ONNX update nodes: decoupled weight decay, an undampened
 * momentum buffer, and a plain step.
 *
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
import { constantScalar } from "../ops/constant.ts";
import { add, mul, sub } from "../ops/elementwise.ts";
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

/** SGD's constant hyper-parameters (learning rate and momentum are scheduled inputs). */
export interface SgdOptions {
  /** Decoupled weight decay, >= 0; fastai's default 0 builds no decay nodes. */
  wd?: number;
}

/** The scalars SGD reads: Adam's without `step` (SGD needs no debiasing). */
export type SgdScalars = Pick<Scalars, "lr" | "mom">;

/** The update of one parameter: its new value and its momentum buffer. */
export interface SgdUpdate {
  /** The parameter's name (also the suffix of its state input). */
  readonly name: string;
  /** The updated parameter. */
  readonly param: Value;
  /** The momentum buffer: input `sgd.buf.<name>`. */
  readonly buf: StateUpdate;
}

/**
 * Declares SGD's per-step scalar inputs `lr` and `mom` (rank 0).
 *
 * @param g The graph.
 * @param dtype Their dtype: that of the parameters they update.
 * @returns The scalars.
 */
export function sgdScalars(g: Graph, dtype: FloatDType = "float32"): SgdScalars {
  const [lr, mom] = declareScalars(g, ["lr", "mom"], dtype);
  return { lr, mom };
}

/**
 * Builds one SGD step for every parameter (fastai semantics, in this order):
 * `p *= 1 - lr*wd` (when `decay` and wd > 0); `buf = mom*buf + g` (no dampening);
 * `p -= lr*buf`.
 *
 * Declares the state input `sgd.buf.<name>` (zeros before the first step); declares no
 * outputs: the caller names them and feeds them back.
 *
 * @param params Parameters with gradients and decay flags, all in the scalars' graph.
 * @param scalars From `sgdScalars` (Adam's scalars work too), of the parameters' dtype.
 * @param options Weight decay (default 0).
 * @returns One update per parameter, in order.
 * @throws GraphBuildError for mismatched types or graphs; RangeError for a bad `wd`.
 */
export function sgd(
  params: readonly OptimParam[],
  scalars: SgdScalars,
  options: SgdOptions = {},
): SgdUpdate[] {
  const wd = options.wd ?? 0;
  checkRange("Cannot build SGD", "wd", wd, { min: 0, maxOpen: true });
  const { lr, mom } = scalars;
  const checked = checkUpdate("SGD", params, { lr, mom });
  if (!checked) return [];
  const { g, dtype } = checked;
  const decay = wd > 0 && params.some((p) => p.decay)
    ? sub(constantScalar(g, dtype, 1), mul(lr, constantScalar(g, dtype, wd)))
    : null;

  return params.map(({ param, grad, decay: decayed }) => {
    // Decoupled weight decay acts on the weights before the step, not through the gradient.
    const p = decayed && decay ? mul(param, decay) : param;
    const bufIn = stateInput("sgd.buf", param);
    const buf = add(mul(mom, bufIn), grad);
    return { name: param.name, param: sub(p, mul(lr, buf)), buf: { input: bufIn, output: buf } };
  });
}
