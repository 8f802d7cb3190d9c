/**
 * Reverse-mode automatic differentiation over a graph's nodes.
 *
 * @module
 */

import type { Graph, Node, Value } from "../graph/graph.ts";
import { formatType, shapesCompatible } from "../graph/value.ts";
import { isFloat } from "../onnx/dtype.ts";
import { accumulate } from "./accumulate.ts";
import { onesLike, zerosLike } from "./fill.ts";
import { liveNodes } from "../graph/prune.ts";
import { nodeReads } from "../graph/subgraph.ts";
import { GradError, type GradRule } from "./rule.ts";
import { GRAD_RULES } from "./rules/mod.ts";

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
  /**
   * Gradients worked out elsewhere, each added to its value's: a fused loss that computes
   * its own gradients (see `chunkedCrossEntropy`), whose output is then detached. Each pair
   * is a value and its gradient's contribution, of the value's dtype and shape.
   */
  readonly extra?: readonly (readonly [Value, Value])[];
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
 * @param options Detached values, an optional seed gradient, and gradients worked out
 *   elsewhere (`extra`).
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
  checkDifferentiable(loss, active, detached, (options.extra ?? []).map(([x]) => x.name));
  const first = g.nodes.length;
  const grads = new Map<string, Value[]>([[loss.name, [options.seed ?? onesLike(loss)]]]);
  for (const [x, d] of options.extra ?? []) {
    if (d.dtype !== x.dtype || !shapesCompatible(d.shape, x.shape)) {
      throw new GradError(
        `backward()'s extra gradient for "${x.name}" (${formatType(x)}) is ${formatType(d)}`,
      );
    }
    grads.set(x.name, [...(grads.get(x.name) ?? []), d]);
  }
  const total = (name: string): Value | null => {
    const parts = grads.get(name);
    if (!parts) return null;
    if (parts.length > 1) grads.set(name, [accumulate(g, parts)]);
    return grads.get(name)![0];
  };
  for (const node of active.toReversed()) {
    const dOutputs = node.outputs.map((name) => detached.has(name) ? null : total(name));
    if (dOutputs.every((d) => d === null)) continue;
    const rule = GRAD_RULES[node.opType] as GradRule; // checkDifferentiable refused "nondiff"
    const inputs = node.inputs.map((name) => name === "" ? null : g.value(name));
    const outputs = node.outputs.map((name) => g.value(name));
    rule({ node, inputs, outputs }, dOutputs).forEach((d, i) => {
      const x = inputs[i];
      if (!x || !d || detached.has(x.name) || !isFloat(x.dtype)) return;
      checkRuleResult(node, x, d);
      const parts = grads.get(x.name);
      if (parts) parts.push(d);
      else grads.set(x.name, [d]);
    });
  }
  const result = wrt.map((w) => total(w.name) ?? zerosLike(w));
  // Rules build the gradient of every float input, also of inputs outside `wrt` (such as the
  // state `h`): drop the nodes no returned gradient needs.
  g.removeNodes(liveNodes(g, first, result.map((v) => v.name)));
  return result;
}

/** A rule's gradient must have its input's dtype and shape. */
function checkRuleResult(node: Node, x: Value, d: Value): void {
  if (d.dtype !== x.dtype || !shapesCompatible(d.shape, x.shape)) {
    throw new GradError(
      `The gradient rule of "${node.opType}" (node "${node.name}") gave ${formatType(d)} for ` +
        `input "${x.name}" of type ${formatType(x)}`,
    );
  }
}

/**
 * Refuses a path from the loss through an op without a gradient, before any node is built.
 * Walking back from the loss, a value needs a gradient when a node that needs one reads it as
 * a float input of its output's type; a Cast also passes the need to its integer or bool
 * input, so an `argMax` whose output Casts turned into a float the loss uses is named too.
 */
function checkDifferentiable(
  loss: Value,
  active: readonly Node[],
  detached: ReadonlySet<string>,
  extra: readonly string[],
): void {
  const g = loss.graph;
  // For each value that needs a gradient: the node that reads it and that node's output.
  const via = new Map<string, { node: Node; from: string }>();
  const needs = new Set([...(detached.has(loss.name) ? [] : [loss.name]), ...extra]);
  for (const node of active.toReversed()) {
    const from = node.outputs.find((name) => needs.has(name));
    if (from === undefined) continue;
    if (GRAD_RULES[node.opType] === "nondiff") {
      throw new GradError(
        `Cannot differentiate through "${node.opType}" (node "${node.name}"): it has no gradient. ` +
          `Path from the loss: ${pathFromLoss(loss.name, node, from, via)}. Pass the value to ` +
          `backward()'s "detach" option if a zero gradient is intended`,
      );
    }
    const dtype = g.value(from).dtype;
    for (const name of node.inputs) {
      if (name === "" || detached.has(name) || needs.has(name)) continue;
      // Rules give gradients to the float inputs of their output's type (a Pow's exponent of
      // another type gets none); a Cast passes the need on to whatever it converts.
      const t = g.value(name).dtype;
      if (node.opType === "Cast" || (isFloat(t) && t === dtype)) {
        needs.add(name);
        via.set(name, { node, from });
      }
    }
  }
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
    if (node.opType !== "Shape" && nodeReads(node).some((name) => reach.has(name))) {
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
