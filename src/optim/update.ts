/**
 * What every optimizer update builder takes and gives: parameters with their gradients, the
 * scheduled scalars fed each step, state slots (an input read, an output to feed back), and
 * the argument checks they share.
 *
 * @module
 */

import type { Graph } from "../graph/graph.ts";
import { GraphBuildError } from "../graph/errors.ts";
import { formatType } from "../graph/value.ts";
import type { Value } from "../graph/graph.ts";

/** Element types an optimizer updates; its scalars have the same type as its parameters. */
export type FloatDType = "float32" | "float64";

/** One parameter to update. */
export interface OptimParam {
  /** The parameter (an initializer or input of the graph); its name names the state. */
  readonly param: Value;
  /** d(loss)/d(param): same dtype and shape as `param`. */
  readonly grad: Value;
  /** Whether weight decay applies (fastai skips it for the `h_h`/`h_o` Linear biases). */
  readonly decay: boolean;
}

/**
 * The per-step scalars an update reads, as rank-0 graph inputs fed by the training loop from
 * the schedule. Their dtype is the parameters' dtype, so no Cast is needed.
 */
export interface Scalars {
  /** Learning rate of this step. */
  readonly lr: Value;
  /** Momentum (Adam's beta1) of this step: the schedule changes it, so it is fed. */
  readonly mom: Value;
  /** The 1-based number of this update (t in the debias terms), as a float. */
  readonly step: Value;
}

/**
 * One optimizer state tensor: the graph input holding the previous value and the value the
 * caller exposes as an output and feeds back as that input next step.
 */
export interface StateUpdate {
  /** The graph input carrying the value into the step. */
  readonly input: Value;
  /** The updated value, output as `<name>_out`. */
  readonly output: Value;
}

/**
 * Declares the rank-0 scalar inputs `names` of `dtype` on `g`.
 *
 * @param g The graph.
 * @param names Input names.
 * @param dtype Their element type.
 * @returns The inputs in the order of `names`.
 */
export function declareScalars(g: Graph, names: readonly string[], dtype: FloatDType): Value[] {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new GraphBuildError(
      `Cannot declare optimizer scalars: dtype must be float32 or float64: got "${dtype}"`,
    );
  }
  return names.map((name) => g.input(name, dtype, []));
}

/**
 * Declares the state input `<prefix>.<param name>` with the parameter's type.
 *
 * @param prefix E.g. `adam.m`.
 * @param param The parameter.
 * @returns The input.
 */
export function stateInput(prefix: string, param: Value): Value {
  return param.graph.input(`${prefix}.${param.name}`, param.dtype, param.shape);
}

/**
 * Checks an update's arguments: scalars rank-0, of one float dtype and one graph; every
 * parameter in that graph, of that dtype, named once, with a gradient of its exact type.
 *
 * @param what The optimizer, for messages ("Adam").
 * @param params The parameters.
 * @param scalars The scalars by name.
 * @returns The graph and dtype, or undefined when there is nothing to update.
 * @throws GraphBuildError naming the parameter or scalar and expected vs actual.
 */
export function checkUpdate(
  what: string,
  params: readonly OptimParam[],
  scalars: Readonly<Record<string, Value>>,
): { g: Graph; dtype: FloatDType } | undefined {
  const where = `Cannot build ${what}`;
  const entries = Object.entries(scalars);
  const [, first] = entries[0];
  const g = first.graph;
  const dtype = first.dtype;
  for (const [name, s] of entries) {
    if (s.graph !== g) {
      throw new GraphBuildError(`${where}: scalar "${name}" belongs to another graph`);
    }
    if (s.shape.length !== 0 || (s.dtype !== "float32" && s.dtype !== "float64")) {
      throw new GraphBuildError(
        `${where}: scalar "${name}" must be float32[] or float64[]: got ${formatType(s)}`,
      );
    }
    if (s.dtype !== dtype) {
      throw new GraphBuildError(
        `${where}: scalars must share one dtype: "${entries[0][0]}" is ${dtype}, "${name}" ` +
          `is ${s.dtype}`,
      );
    }
  }
  const seen = new Set<string>();
  for (const { param, grad } of params) {
    const p = `parameter "${param.name}"`;
    if (param.graph !== g || grad.graph !== g) {
      throw new GraphBuildError(
        `${where}: ${p} and its gradient must be in graph "${g.name}", where the scalars are`,
      );
    }
    if (seen.has(param.name)) throw new GraphBuildError(`${where}: ${p} is listed twice`);
    seen.add(param.name);
    if (param.dtype !== dtype) {
      throw new GraphBuildError(
        `${where}: ${p} is ${formatType(param)} but the scalars are ${dtype}: declare the ` +
          `scalars with the parameters' dtype`,
      );
    }
    const same = grad.dtype === param.dtype && grad.shape.length === param.shape.length &&
      grad.shape.every((d, i) => d === param.shape[i]);
    if (!same) {
      throw new GraphBuildError(
        `${where}: the gradient of ${p} must be ${formatType(param)}: got ${formatType(grad)}`,
      );
    }
  }
  return params.length === 0 ? undefined : { g, dtype: dtype as FloatDType };
}

/** A numeric range for `checkRange`: bounds, and whether each bound itself is excluded. */
export interface Range {
  readonly min: number;
  readonly max?: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
}

/**
 * Throws a RangeError unless `value` lies in `range` (NaN never does).
 *
 * @param where Start of the message, e.g. `Cannot build Adam`.
 * @param name The argument's name.
 * @param value Its value.
 * @param range The allowed range.
 */
export function checkRange(where: string, name: string, value: number, range: Range): void {
  const { min, max = Infinity, minOpen = false, maxOpen = false } = range;
  const aboveMin = minOpen ? value > min : value >= min;
  const belowMax = maxOpen ? value < max : value <= max;
  if (typeof value === "number" && aboveMin && belowMax) return;
  const allowed = max === Infinity
    ? `${minOpen ? ">" : ">="} ${min}${maxOpen ? " and finite" : ""}`
    : `in ${minOpen ? "(" : "["}${min}, ${max}${maxOpen ? ")" : "]"}`;
  throw new RangeError(`${where}: "${name}" must be ${allowed}: got ${value}`);
}
