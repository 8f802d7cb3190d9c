/**
 * Parameters: the trainable tensors of layers, declared once; each graph gives them a value
 * through its `BuildContext` (a graph input in training graphs, an initializer in exports).
 *
 * @module
 */

import type { Random } from "./random.ts";

/** Fills a parameter's initial values from a random stream. */
export type Init = (rng: Random, size: number) => Float32Array;

/** Options of a parameter. */
export interface ParameterOptions {
  /** Whether decoupled weight decay applies (fastai skips Linear biases). Default true. */
  readonly decay?: boolean;
}

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
}
