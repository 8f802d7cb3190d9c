/**
 * Modules: objects that own parameters and submodules, named like PyTorch's `state_dict`
 * keys by the fields that hold them (`i_h.weight`, `rnn.weight_ih_l0`).
 *
 * @module
 */

import { Parameter } from "./parameter.ts";
import { Random } from "./random.ts";

/** A layer or model. Subclasses assign parameters and submodules to fields. */
export abstract class Module {
  /**
   * Parameters with their `state_dict` names, in field order, each listed once (a tied
   * parameter keeps the name of its first owner).
   *
   * @param prefix Prepended to every name.
   * @returns `[name, parameter]` pairs.
   */
  namedParameters(prefix = ""): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [name, item] of walk(this, prefix)) {
      if (item instanceof Parameter && !seen.has(item)) {
        seen.add(item);
        out.push([name, item]);
      }
    }
    return out;
  }

  /**
   * This module and every submodule with its path (`""` for this one, then `rnn`, ...).
   *
   * @returns `[path, module]` pairs in field order.
   */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [["", this]];
    for (const [name, item] of walk(this, "")) if (item instanceof Module) out.push([name, item]);
    return out;
  }

  /**
   * Draws initial values for every parameter from one seeded stream, in `namedParameters`
   * order: the same seed gives the same bytes.
   *
   * @param seed The seed.
   * @returns Initial values by parameter name.
   */
  initParameters(seed: number): Map<string, Float32Array> {
    const rng = new Random(seed);
    return new Map(this.namedParameters().map(([name, p]) => [name, p.init(rng, p.size)]));
  }
}

/**
 * The parameters and submodules under `root`, depth first in field order, with their paths:
 * each submodule once, followed by what it holds; array fields count from 0 (`layers.0`).
 */
function* walk(
  root: Module,
  prefix: string,
  visited = new Set<Module>([root]),
): Generator<[string, Parameter | Module]> {
  for (const [key, value] of Object.entries(root)) {
    const items: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [`${prefix}${key}.${i}`, v])
      : [[`${prefix}${key}`, value]];
    for (const [name, item] of items) {
      if (item instanceof Parameter) yield [name, item];
      else if (item instanceof Module && !visited.has(item)) {
        visited.add(item);
        yield [name, item];
        yield* walk(item, `${name}.`, visited);
      }
    }
  }
}
