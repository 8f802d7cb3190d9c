/**
 * The most memory a graph's values hold at once, run node by node in its order: every input
 * and initializer for the whole run, each node's outputs from the node on, an intermediate
 * until its last reader. It is a floor for what a runtime needs (onnxruntime plans buffer
 * reuse from the same liveness, then adds its arena's slack), and costs one pass over the
 * nodes, with nothing allocated: so a size that cannot fit is refused before it is built.
 * A Loop counts the outer values its body reads, alive until it has run, and its body's own
 * peak (one iteration: a chunk of the loss) on top of everything live with its outputs.
 *
 * @module
 */

import { BYTES_PER_ELEMENT } from "../onnx/dtype.ts";
import type { Graph } from "./graph.ts";
import { nodeReads, subgraphsOf } from "./subgraph.ts";
import { subgraphToGraph } from "./model_io.ts";

/** Bytes a graph's values hold. */
export interface LiveBytes {
  /** Inputs and initializers, held for the whole run. */
  readonly held: number;
  /** The most held at once, `held` included. */
  readonly peak: number;
  /** Values whose shape is not static (a symbolic batch): not counted. */
  readonly uncounted: number;
}

/**
 * The peak of live value bytes over one run of `graph`.
 *
 * @param graph The graph, with static shapes where they count.
 * @returns Held, peak and how many values could not be sized.
 */
export function liveBytes(graph: Graph): LiveBytes {
  let uncounted = 0;
  const sizes = new Map<string, number>();
  const size = (name: string): number => {
    const known = sizes.get(name);
    if (known !== undefined) return known;
    const n = sizeOf(name);
    sizes.set(name, n);
    return n;
  };
  const sizeOf = (name: string): number => {
    const v = graph.value(name);
    let n = BYTES_PER_ELEMENT[v.dtype];
    for (const d of v.shape) {
      if (typeof d !== "number") {
        uncounted++;
        return 0;
      }
      n *= d;
    }
    return n;
  };
  const kept = new Set([
    ...graph.inputs.map((v) => v.name),
    ...graph.initializers.keys(),
    ...graph.outputs.map((v) => v.name),
  ]);
  const lastReader = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const name of nodeReads(node)) lastReader.set(name, i);
  });
  let held = 0;
  for (const v of graph.inputs) held += size(v.name);
  for (const name of graph.initializers.keys()) held += size(name);
  let live = held, peak = held;
  graph.nodes.forEach((node, i) => {
    for (const name of node.outputs) if (name !== "") live += size(name);
    let inside = 0;
    for (const body of subgraphsOf(node)) inside += liveBytes(subgraphToGraph(body, graph)).peak;
    peak = Math.max(peak, live + inside);
    for (const name of new Set(nodeReads(node))) {
      if (lastReader.get(name) === i && !kept.has(name)) live -= size(name);
    }
    // An output nobody reads (a node's unused second output) is freed at once.
    for (const name of node.outputs) {
      if (name !== "" && !lastReader.has(name) && !kept.has(name)) live -= size(name);
    }
  });
  return { held, peak, uncounted };
}
