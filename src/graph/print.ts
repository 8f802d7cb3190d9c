/**
 * A readable text form of graphs, used in error messages and golden tests:
 *
 * ```text
 * graph "lm1" (%tokens: int64[batch, 3])
 *   init %i_h.weight: float32[30, 64]
 *   %Gather: float32[batch, 3, 64] = Gather(%i_h.weight, %tokens)
 *   return %logits: float32[batch, 30]
 * ```
 *
 * @module
 */

import type { AttributeValue } from "../onnx/model.ts";
import type { Graph, Node } from "./graph.ts";
import { formatShape, formatType } from "./value.ts";

/**
 * The whole graph as text.
 *
 * @param g The graph.
 * @returns One line per input list, initializer, node and the outputs.
 */
export function printGraph(g: Graph): string {
  const lines = [
    `graph "${g.name}" (${g.inputs.map((v) => `%${v.name}: ${formatType(v)}`).join(", ")})`,
  ];
  for (const [name, t] of g.initializers) {
    lines.push(`  init %${name}: ${t.dtype}${formatShape(t.dims)}`);
  }
  for (const node of g.nodes) lines.push(`  ${printNode(g, node)}`);
  lines.push(`  return ${g.outputs.map((v) => `%${v.name}: ${formatType(v)}`).join(", ")}`);
  return lines.join("\n");
}

/**
 * One node as text: `%out: float32[2, 3] = MatMul(%a, %b) {attr: value}`.
 *
 * @param g The graph that gives value types.
 * @param node The node.
 * @returns The line.
 */
export function printNode(g: Graph, node: Node): string {
  const outs = node.outputs.map((name) => {
    const v = g.values.get(name);
    return v ? `%${name}: ${formatType(v)}` : `%${name}`;
  });
  const ins = node.inputs.map((name) => name === "" ? "_" : `%${name}`);
  const names = Object.keys(node.attributes).sort();
  const attrs = names.length
    ? ` {${names.map((n) => `${n}: ${printAttribute(node.attributes[n])}`).join(", ")}}`
    : "";
  return `${outs.join(", ")} = ${node.opType}(${ins.join(", ")})${attrs}`;
}

function printAttribute(a: AttributeValue): string {
  switch (a.type) {
    case "tensor": {
      const t = a.value;
      const n = t.data.length;
      const head = Array.from(t.data.slice(0, 6) as ArrayLike<number | bigint>, String).join(", ");
      return `${t.dtype}${formatShape(t.dims)} [${head}${n > 6 ? ", ..." : ""}]`;
    }
    case "string":
      return JSON.stringify(a.value);
    case "ints":
    case "floats":
      return `[${a.value.join(", ")}]`;
    case "strings":
      return `[${a.value.map((s) => JSON.stringify(s)).join(", ")}]`;
    case "graph":
      return `graph "${a.value.name}" (${a.value.nodes.length} nodes)`;
    default:
      return String(a.value);
  }
}

/**
 * The lines around one node, for error messages.
 *
 * @param g The graph.
 * @param index Index of the node in `g.nodes`.
 * @param radius How many nodes to show on each side.
 * @returns The text, with the node marked by `>>`.
 */
export function printNeighbourhood(g: Graph, index: number, radius = 3): string {
  const lines: string[] = [];
  const from = Math.max(0, index - radius);
  const to = Math.min(g.nodes.length, index + radius + 1);
  if (from > 0) lines.push("     ...");
  for (let i = from; i < to; i++) {
    lines.push(`${i === index ? ">> " : "   "} ${printNode(g, g.nodes[i])}`);
  }
  if (to < g.nodes.length) lines.push("     ...");
  return lines.join("\n");
}
