/**
 * Control flow: ONNX `Loop`, with the body built by a callback in a graph of its own.
 *
 * @example
 * ```ts
 * import { Graph } from "../graph/graph.ts";
 * import { loop } from "./control.ts";
 * import { add, cast } from "./elementwise.ts";
 * import { constantScalar } from "./constant.ts";
 *
 * const g = new Graph();
 * // 0 + 1 + 2 + 3: the iteration counter summed over 4 trips.
 * const [total] = loop(g, 4, [constantScalar(g, "float32", 0)], (body) => ({
 *   carried: [add(body.carried[0], cast(body.iteration, "float32"))],
 * })).carried;
 * g.output(total, "total");
 * ```
 *
 * @module
 */

import { Graph, type Value } from "../graph/graph.ts";
import { graphData } from "../graph/model_io.ts";
import { op } from "../graph/op.ts";
import { GraphBuildError } from "../graph/errors.ts";
import { constantScalar } from "./constant.ts";

/** What a loop body's builder is given. */
export interface LoopBody {
  /** The body's own graph: build its nodes here. */
  readonly graph: Graph;
  /** The iteration, an int64 scalar counting from 0. */
  readonly iteration: Value;
  /** The carried values as this iteration receives them. */
  readonly carried: readonly Value[];
  /**
   * A value of the enclosing graph, readable in the body (an implicit input: read in
   * place, never copied per iteration).
   */
  outer(value: Value): Value;
}

/** What a loop body returns. */
export interface LoopStep {
  /** The carried values for the next iteration, aligned with the initial ones. */
  readonly carried: readonly Value[];
  /** Values stacked over the iterations (each the same shape every time). */
  readonly scans?: readonly Value[];
}

/** A loop's results. */
export interface LoopResult {
  /** The carried values after the last iteration. */
  readonly carried: Value[];
  /** Each scan value stacked on a new first axis of `trips`. */
  readonly scans: Value[];
}

/**
 * Runs `build`'s body `trips` times (`Loop` with a constant trip count and no condition).
 *
 * @param g The enclosing graph.
 * @param trips How many iterations (an integer >= 1).
 * @param initial The carried values' start.
 * @param build Builds one iteration in the body graph.
 * @returns The final carried values and the stacked scan values.
 * @throws GraphBuildError when the body returns another number of carried values, or values
 *   whose types differ from the initial ones.
 */
export function loop(
  g: Graph,
  trips: number,
  initial: readonly Value[],
  build: (body: LoopBody) => LoopStep,
): LoopResult {
  if (!Number.isInteger(trips) || trips < 1) {
    throw new RangeError(`loop() needs a trip count that is an integer >= 1: got ${trips}`);
  }
  const prefix = `${g.freshName("loop")}/`;
  const body = new Graph(`${prefix}body`, {
    maxNodeTensors: g.maxNodeTensors,
    namePrefix: prefix,
  });
  const iteration = body.input(`${prefix}iteration`, "int64", []);
  const cond = body.input(`${prefix}cond`, "bool", []);
  const carried = initial.map((v, i) => body.input(`${prefix}carried_${i}`, v.dtype, v.shape));
  const step = build({ graph: body, iteration, carried, outer: (v) => body.capture(v) });
  if (step.carried.length !== initial.length) {
    throw new GraphBuildError(
      `loop(): the body returns ${step.carried.length} carried value(s), expected ` +
        `${initial.length}, one per initial value`,
    );
  }
  body.output(cond, `${prefix}cond_out`);
  const declared = new Set([...body.inputs, ...body.captured].map((v) => v.name));
  for (const v of [...step.carried, ...(step.scans ?? [])]) {
    // A value returned twice, or an input or outer value returned as it is, gets its own
    // output name (an Identity: onnxruntime refuses a body output that is an outer value).
    if (declared.has(v.name)) body.output(v, body.freshName("out"));
    else body.output(v);
    declared.add(v.name);
  }
  const outputs = op(
    g,
    "Loop",
    [constantScalar(g, "int64", trips), null, ...initial],
    { body: { type: "graph", value: graphData(body) } },
    step.carried.length + (step.scans?.length ?? 0),
  );
  return {
    carried: outputs.slice(0, step.carried.length),
    scans: outputs.slice(step.carried.length),
  };
}
