/**
 * Reverse-mode automatic differentiation over a graph's nodes.
 *
 * @module
 */

import type { Graph, Node } from "../graph/graph.ts";
import type { Value } from "../graph/value.ts";
import { formatType, shapesCompatible } from "../graph/value.ts";
import { isFloat } from "../onnx/dtype.ts";
import { accumulate } from "./accumulate.ts";
import { onesLike, zerosLike } from "./fill.ts";
import { liveNodes } from "../graph/prune.ts";
import { GRAD_RULES } from "./rules/mod.ts";

/** Raised when a gradient cannot be built; the message names the op and the path. */
export class GradError extends Error {
  /** The error name. */
  override name = "GradError";
}

/** Options of `backward()`. */
export interface BackwardOptions {
  /**
   * Values treated as constants: no gradient flows through them (the book's `detach`).
   * Graph inputs that are not in `wrt` (such as the recurrent state `h`) never receive a
   * gradient anyway: only paths from `wrt` to the loss are differentiated.
   */
  readonly detach?: readonly Value[];
  /** Gradient of the loss itself (ones when omitted; required shape: the loss's). */
  readonly seed?: Value;
}

/**
 * Adds nodes computing d(loss)/d(w) for every `w` in `wrt` and returns those gradients.
 *
 * Nodes are visited in reverse topological order; a value used by several nodes gets the
 * `Sum` of their contributions; a `w` the loss does not depend on gets zeros. Gradient nodes
 * that no returned gradient needs (those of inputs outside `wrt`) are removed again.
 *
 * @param loss A float value (usually a scalar) of the graph.
 * @param wrt Values to differentiate with respect to (parameters, usually graph inputs).
 * @param options Detached values and an optional seed gradient.
 * @returns Gradients aligned with `wrt`, each with its value's dtype and shape.
 * @throws GradError when the path from the loss crosses an op without a gradient, also
 *   where a Cast turns such an op's integer or bool output (say `argMax`) into a float.
 */
export function backward(
  loss: Value,
  wrt: readonly Value[],
  options: BackwardOptions = {},
): Value[] {
  const g = loss.graph;
  if (!isFloat(loss.dtype)) {
    throw new GradError(
      `Cannot differentiate "${loss.name}": it is ${formatType(loss)}, not float`,
    );
  }
  const detached = new Set((options.detach ?? []).map((v) => v.name));
  const active = activeNodes(g, wrt, detached);
  const grads = new Map<string, Value[]>();
  const via = new Map<string, { node: Node; from: string }>();
  // Integer and bool values that a Cast turned into numbers the loss uses (ArgMax, Equal,
  // Greater outputs): where they depend on `wrt`, the op that made them is checked below.
  const castFrom = new Set<string>();
  const first = g.nodes.length;
  grads.set(loss.name, [options.seed ?? onesLike(loss)]);

  const producers = new Map<string, Node>();
  let scanned = first;
  const total = (name: string): Value | null => {
    const parts = grads.get(name);
    if (!parts || parts.length === 0) return null;
    if (parts.length > 1) {
      for (; scanned < g.nodes.length; scanned++) {
        for (const out of g.nodes[scanned].outputs) producers.set(out, g.nodes[scanned]);
      }
      grads.set(name, [accumulate(g, parts, producers)]);
    }
    return grads.get(name)![0];
  };

  for (let k = active.length - 1; k >= 0; k--) {
    const node = active[k];
    const dOutputs = node.outputs.map(total);
    const hit = dOutputs.findIndex((d) => d !== null);
    const cast = node.outputs.findIndex((name) => castFrom.has(name));
    if (hit < 0 && cast < 0) continue;
    const rule = GRAD_RULES[node.opType];
    const from = node.outputs[hit >= 0 ? hit : cast];
    if (rule === "nondiff") {
      throw new GradError(
        `Cannot differentiate through "${node.opType}" (node "${node.name}"): it has no gradient. ` +
          `Path from the loss: ${pathFromLoss(loss.name, node, from, via)}. Pass the value to ` +
          `backward()'s "detach" option if a zero gradient is intended`,
      );
    }
    if (hit < 0) continue;
    const inputs = node.inputs.map((name) => name === "" ? null : g.value(name));
    const outputs = node.outputs.map((name) => g.value(name));
    const dInputs = rule({ node, inputs, outputs }, dOutputs);
    inputs.forEach((x, i) => {
      const d = dInputs[i];
      if (x && node.opType === "Cast" && !isFloat(x.dtype) && !detached.has(x.name)) {
        castFrom.add(x.name);
        if (!via.has(x.name)) via.set(x.name, { node, from });
      }
      if (!x || !d || detached.has(x.name) || !isFloat(x.dtype)) return;
      if (d.dtype !== x.dtype || !shapesCompatible(d.shape, x.shape)) {
        throw new GradError(
          `The gradient rule of "${node.opType}" (node "${node.name}") gave ${formatType(d)} for ` +
            `input "${x.name}" of type ${formatType(x)}`,
        );
      }
      if (!grads.has(x.name)) grads.set(x.name, []);
      grads.get(x.name)!.push(d);
      if (!via.has(x.name)) via.set(x.name, { node, from });
    });
  }
  const result = wrt.map((w) => total(w.name) ?? zerosLike(w));
  // Rules build the gradient of every float input, also of inputs outside `wrt` (such as the
  // state `h`): drop the nodes no returned gradient needs.
  g.removeNodes(liveNodes(g, first, result.map((v) => v.name)));
  return result;
}

/**
 * The nodes on some path from a `wrt` value to anything, in graph order: those reading a
 * value that depends on `wrt` through non-detached edges.
 */
function activeNodes(g: Graph, wrt: readonly Value[], detached: ReadonlySet<string>): Node[] {
  const reach = new Set(wrt.map((w) => w.name).filter((n) => !detached.has(n)));
  const active: Node[] = [];
  for (const node of g.nodes) {
    // Shape reads only dims, never values: its output does not depend on `wrt`.
    if (node.opType !== "Shape" && node.inputs.some((name) => reach.has(name))) {
      active.push(node);
      for (const out of node.outputs) if (!detached.has(out)) reach.add(out);
    }
  }
  return active;
}

function pathFromLoss(
  lossName: string,
  stuck: Node,
  start: string,
  via: ReadonlyMap<string, { node: Node; from: string }>,
): string {
  const chain: string[] = [];
  let name = start;
  while (name !== lossName) {
    const step = via.get(name);
    if (!step) break;
    chain.push(`${step.node.opType} "${step.node.name}"`);
    name = step.from;
  }
  return [`"${lossName}"`, ...chain.reverse(), `${stuck.opType} "${stuck.name}"`].join(" <- ");
}
