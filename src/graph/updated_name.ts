/**
 * The one spelling of the feedback convention: a graph that updates a value it takes as input
 * `X` (a parameter, an optimizer moment, a recurrent state) outputs the new value as `X_out`,
 * and the caller feeds it back as `X` on the next run. The training graphs, the exports, the
 * runner, the model API and the sidecar check all name outputs through this.
 *
 * @module
 */

/**
 * The output that carries the next value of an input.
 *
 * @param input The input's name (`h`, `i_h.weight`, `adam.m.i_h.weight`).
 * @returns `<input>_out`.
 */
export function updatedName(input: string): string {
  return `${input}_out`;
}
