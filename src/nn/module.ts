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
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const visit = (m: Module, at: string) => {
      for (const [key, value] of Object.entries(m)) {
        const items: [string, unknown][] = Array.isArray(value)
          ? value.map((v, i) => [`${at}${key}.${i}`, v])
          : [[`${at}${key}`, value]];
        for (const [name, item] of items) {
          if (item instanceof Parameter && !seen.has(item)) {
            seen.add(item);
            out.push([name, item]);
          } else if (item instanceof Module) {
            visit(item, `${name}.`);
          }
        }
      }
    };
    visit(this, prefix);
    return out;
  }

  /**
   * This module and every submodule with its path (`""` for this one, then `rnn`, ...).
   *
   * @returns `[path, module]` pairs in field order.
   */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [["", this]];
    const visit = (m: Module, at: string) => {
      for (const [key, value] of Object.entries(m)) {
        const items: [string, unknown][] = Array.isArray(value)
          ? value.map((v, i) => [`${at}${key}.${i}`, v])
          : [[`${at}${key}`, value]];
        for (const [name, item] of items) {
          if (item instanceof Module && !out.some(([, seen]) => seen === item)) {
            out.push([name, item]);
            visit(item, `${name}.`);
          }
        }
      }
    };
    visit(this, "");
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
