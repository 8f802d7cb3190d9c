/**
 * Dead-node elimination: `backward()` builds gradients for every input of a rule, and only
 * some are used, so graphs are pruned before saving. onnxruntime runs every node it is
 * given, so pruning is worth real time per step.
 *
 * @module
 */

import type { Graph } from "./graph.ts";
import { nodeReads } from "./subgraph.ts";

/**
 * Removes nodes none of whose outputs reach a graph output, and their values.
 *
 * @param g The graph (changed in place).
 * @returns How many nodes were removed.
 */
export function pruneUnused(g: Graph): number {
  return g.removeNodes(liveNodes(g, 0, g.outputs.map((v) => v.name)));
}

/**
 * Which nodes from index `first` on contribute to the values named in `roots` (nodes before
 * `first` always stay). A Loop's body counts as reading the outer values it uses.
 *
 * @param g The graph.
 * @param first Index of the first node that may be dropped.
 * @param roots Names of the values to keep.
 * @returns A predicate for `Graph.removeNodes`.
 */
export function liveNodes(
  g: Graph,
  first: number,
  roots: readonly string[],
): (node: unknown, index: number) => boolean {
  const live = new Set(roots);
  const keep: boolean[] = g.nodes.map((_, k) => k < first);
  for (let k = g.nodes.length - 1; k >= first; k--) {
    const node = g.nodes[k];
    if (node.outputs.some((o) => live.has(o))) {
      keep[k] = true;
      for (const name of nodeReads(node)) live.add(name);
    }
  }
  return (_, index) => keep[index];
}
