/**
 * Parameters: the trainable tensors of layers, declared once and bound to a Value in each
 * graph that uses them (a graph input in training graphs, an initializer in exported ones).
 *
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
import type { Random } from "./random.ts";

/** Fills a parameter's initial values from a random stream. */
export type Init = (rng: Random, size: number) => Float32Array;

/** Options of a parameter. */
export interface ParameterOptions {
  /** Whether decoupled weight decay applies (fastai skips Linear biases). Default true. */
  readonly decay?: boolean;
}

const bindings = new WeakMap<Graph, Map<Parameter, Value>>();

/** A trainable tensor of a layer. Its name is the key its module tree gives it. */
export class Parameter {
  /** Whether weight decay applies. */
  readonly decay: boolean;

  /**
   * A parameter of a module.
   *
   * @param shape Static shape.
   * @param init How initial values are drawn.
   * @param options Weight decay flag.
   */
  constructor(
    readonly shape: readonly number[],
    readonly init: Init,
    options: ParameterOptions = {},
  ) {
    this.decay = options.decay ?? true;
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /**
   * The value this parameter is bound to in graph `g`.
   *
   * @param g A graph the parameters were bound to with `bindParameters`.
   * @returns The value.
   */
  in(g: Graph): Value {
    const v = bindings.get(g)?.get(this);
    if (!v) {
      throw new Error(
        `A parameter of shape [${this.shape.join(", ")}] is not bound in graph "${g.name}": ` +
          `bind the model's parameters before calling forward()`,
      );
    }
    return v;
  }
}

/**
 * Binds parameters to values of a graph, for `Parameter.in(g)`.
 *
 * @param g The graph.
 * @param values The value of each parameter.
 */
export function bindParameters(g: Graph, values: ReadonlyMap<Parameter, Value>): void {
  const map = bindings.get(g) ?? new Map<Parameter, Value>();
  for (const [p, v] of values) map.set(p, v);
  bindings.set(g, map);
}
