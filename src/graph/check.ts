/**
 * `checkGraph()`: verifies a graph independently of how it was built: single assignment,
 * every input bound before use, and every recorded type equal to what inference gives.
 *
 * @module
 */

import { GraphBuildError } from "./errors.ts";
import type { Graph } from "./graph.ts";
import { inferNode } from "./op.ts";
import { printNeighbourhood } from "./print.ts";
import { nodeReads } from "./subgraph.ts";
import type { Dim } from "./value.ts";
import { formatType, shapesCompatible } from "./value.ts";

/** Raised by `checkGraph()`; the message shows the nodes around the problem. */
export class GraphCheckError extends GraphBuildError {
  /** The error name. */
  override name = "GraphCheckError";
}

/**
 * Checks a graph and throws a GraphCheckError describing the first problem.
 *
 * @param g The graph (built, differentiated, or loaded from a file).
 */
export function checkGraph(g: Graph): void {
  const bound = new Set<string>();
  const fail = (message: string, index?: number): never => {
    const where = index === undefined ? "" : `\n${printNeighbourhood(g, index)}`;
    throw new GraphCheckError(`Graph "${g.name}" is invalid: ${message}${where}`);
  };
  for (const v of g.inputs) {
    if (bound.has(v.name)) fail(`input "${v.name}" is declared twice`);
    bound.add(v.name);
  }
  for (const name of g.initializers.keys()) bound.add(name);
  for (const v of g.captured) bound.add(v.name);

  const known = new Map<string, readonly Dim[]>();
  for (const [name, t] of g.initializers) {
    if (t.dtype === "int64" && t.dims.length <= 1) {
      known.set(name, Array.from(t.data as BigInt64Array, Number));
    }
  }
  for (const v of g.captured) {
    const value = g.known.get(v.name);
    if (value) known.set(v.name, value);
  }
  g.nodes.forEach((node, index) => {
    for (const name of nodeReads(node)) {
      if (!bound.has(name)) {
        fail(`node "${node.name}" reads "${name}", which is not defined before it`, index);
      }
    }
    let inferred;
    try {
      inferred = inferNode(g, node, `Node "${node.name}" (${node.opType})`, known);
    } catch (error) {
      return fail((error as Error).message, index);
    }
    node.outputs.forEach((name, i) => {
      if (bound.has(name)) fail(`value "${name}" is assigned twice`, index);
      bound.add(name);
      const recorded = g.values.get(name);
      const t = inferred.types[i];
      if (!recorded) return fail(`output "${name}" of node "${node.name}" has no type`, index);
      if (recorded.dtype !== t.dtype || !shapesCompatible(recorded.shape, t.shape)) {
        fail(
          `output "${name}" of node "${node.name}" is recorded as ${formatType(recorded)} ` +
            `but its inputs give ${formatType(t)}`,
          index,
        );
      }
    });
    if (inferred.value) known.set(node.outputs[0], inferred.value);
  });
  const outputs = new Set<string>();
  for (const v of g.outputs) {
    if (!bound.has(v.name)) fail(`output "${v.name}" is never computed`);
    if (outputs.has(v.name)) fail(`output "${v.name}" is declared twice`);
    outputs.add(v.name);
  }
}
