/**
 * Nodes that hold graphs (a Loop's body): which outer values such a graph reads. ONNX lets a
 * subgraph read any value of the graphs around it by name, without listing it as an input
 * (onnxruntime calls these implicit inputs). Pruning, checking and liveness must count those
 * reads as the node's, or they would drop or free a value the body still needs.
 *
 * @module
 */

import type { GraphData, NodeData } from "../onnx/model.ts";

/**
 * The graphs a node holds in its attributes (a Loop's `body`).
 *
 * @param node The node.
 * @returns Its graph-valued attributes, in attribute-name order.
 */
export function subgraphsOf(node: NodeData): GraphData[] {
  return Object.keys(node.attributes).sort().flatMap((name) => {
    const a = node.attributes[name];
    return a.type === "graph" ? [a.value] : [];
  });
}

/**
 * The names a graph reads that it does not define itself: the outer values its nodes (and
 * the graphs they hold) use.
 *
 * @param graph A subgraph.
 * @returns The outer names, in first-read order.
 */
export function outerReadsOf(graph: GraphData): string[] {
  const defined = new Set([
    ...graph.inputs.map((v) => v.name),
    ...graph.initializers.map((i) => i.name),
  ]);
  const reads = new Set<string>();
  for (const node of graph.nodes) {
    for (const name of [...node.inputs, ...implicitInputs(node)]) {
      if (name !== "" && !defined.has(name)) reads.add(name);
    }
    for (const name of node.outputs) defined.add(name);
  }
  // A body may also return an outer value as it is.
  for (const v of graph.outputs) if (!defined.has(v.name)) reads.add(v.name);
  return [...reads];
}

/**
 * The outer values a node's graphs read (none for a node without graph attributes).
 *
 * @param node The node.
 * @returns The names, in first-read order.
 */
export function implicitInputs(node: NodeData): string[] {
  const graphs = subgraphsOf(node);
  if (graphs.length === 0) return [];
  return [...new Set(graphs.flatMap(outerReadsOf))];
}

/**
 * Every value a node reads: its inputs (omitted ones left out), then its implicit inputs.
 *
 * @param node The node.
 * @returns The names.
 */
export function nodeReads(node: NodeData): string[] {
  const explicit = node.inputs.filter((name) => name !== "");
  const implicit = implicitInputs(node);
  return implicit.length === 0 ? explicit : [...explicit, ...implicit];
}
