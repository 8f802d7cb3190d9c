/**
 * What building a graph from modules needs, in one value passed down every `forward`: the
 * graph, whether it is a training graph (dropout active), and the value each parameter has in
 * it (a graph input in training graphs, an initializer in exports). Nothing is kept beside the
 * graph: a module reads its weights and mode from the context it is given.
 *
 * @module
 */

import type { Graph, Value } from "../graph/graph.ts";
import type { Module } from "./module.ts";
import type { Parameter } from "./parameter.ts";

/** How a graph is being built. */
export interface BuildOptions {
  /** A training graph: dropout draws its mask from a graph input (default false). */
  readonly training?: boolean;
  /** Each parameter's value in the graph. */
  readonly parameters?: ReadonlyMap<Parameter, Value>;
  /** Each module's path in the model (`drop`, `rnn`), for the inputs a module declares. */
  readonly names?: ReadonlyMap<Module, string>;
  /**
   * Build log-softmaxes from ReduceMax, Sub, Exp, ReduceSum and Log (`LossOptions.composite`):
   * onnxruntime's WebGPU EP has no LogSoftmax kernel (default false).
   */
  readonly compositeLogSoftmax?: boolean;
}

/** The graph being built, its mode and its parameters' values. */
export class BuildContext {
  /** Whether this is a training graph. */
  readonly training: boolean;
  /** Whether log-softmaxes are built from basic ops (for WebGPU). */
  readonly compositeLogSoftmax: boolean;
  readonly #parameters: ReadonlyMap<Parameter, Value>;
  readonly #names: ReadonlyMap<Module, string>;

  /**
   * A context for building into `graph`.
   *
   * @param graph The graph.
   * @param options Training or not, and the parameters' values.
   */
  constructor(readonly graph: Graph, options: BuildOptions = {}) {
    this.training = options.training ?? false;
    this.compositeLogSoftmax = options.compositeLogSoftmax ?? false;
    this.#parameters = options.parameters ?? new Map();
    this.#names = options.names ?? new Map();
  }

  /**
   * A module's path in the model being built.
   *
   * @param m A module.
   * @returns Its path, or undefined when the context was given none.
   */
  nameOf(m: Module): string | undefined {
    return this.#names.get(m);
  }

  /**
   * The value a parameter has in this graph.
   *
   * @param p A parameter of the model being built.
   * @returns Its value.
   * @throws Error when the parameter was not given to this context.
   */
  value(p: Parameter): Value {
    const v = this.#parameters.get(p);
    if (!v) {
      throw new Error(
        `A parameter of shape [${
          p.shape.join(", ")
        }] has no value in graph "${this.graph.name}": ` +
          `give the model's parameters to its BuildContext before calling forward()`,
      );
    }
    return v;
  }
}
