/**
 * Counting the floating-point operations of one run of a graph, from its static shapes: the
 * yardstick that turns a step time into GFLOP/s and says how far a kernel is from the
 * machine's MatMul peak.
 *
 * The conventions are the usual ones for such estimates (a multiply-add is 2 FLOPs, an
 * activation or a transcendental is 1 per element); they count work the graph asks for, not
 * what a kernel does (onnxruntime fuses, vectorizes, and may skip multiplying by 1). A Loop
 * (the chunked loss's) counts its body once per iteration, so its trip count must be known.
 *
 * @module
 */

import type { DType } from "../onnx/dtype.ts";
import type { Graph, Node } from "./graph.ts";
import type { OpType } from "./op_type.ts";
import { monomial } from "./infer/dim_algebra.ts";
import { readFloat, readInt, readString } from "./attributes.ts";
import { formatShape } from "./value.ts";
import { subgraphsOf } from "./subgraph.ts";
import { subgraphToGraph } from "./model_io.ts";

/** The FLOPs of one run of a graph. */
export interface FlopCount {
  /** All counted FLOPs. */
  readonly total: number;
  /** FLOPs by operator, for every operator in the graph (those that cost nothing too). */
  readonly byOp: Readonly<Record<string, number>>;
  /** Operators the table does not know, sorted: they counted 0, so `total` is a lower bound. */
  readonly uncounted: readonly string[];
}

/** Raised when a shape needed for a count is not known: an unbound or unknown dimension. */
export class FlopCountError extends Error {
  /** The error name. */
  override name = "FlopCountError";
}

/** Sizes of one node's inputs and outputs, with symbolic dimensions bound. */
interface Sizes {
  /** The dimensions of input `i`. */
  input(i: number): number[];
  /** The dimensions of output `i`. */
  output(i: number): number[];
}

/** The FLOPs of one node. */
type Cost = (node: Node, sizes: Sizes) => number;

const count = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);
const free: Cost = () => 0;
/** Elementwise ops and activations: one per output element (broadcast inputs included). */
const perOutput: Cost = (_, s) => count(s.output(0));
/** Reductions: one per element read (an add, a max, a compare). */
const perInput: Cost = (_, s) => count(s.input(0));

/**
 * Softmax and LogSoftmax along an axis: 5 per element. Both take a max (1), subtract it (1),
 * exponentiate (1) and sum (1); then Softmax divides (1) and LogSoftmax subtracts the log of
 * the sum (1, the log itself being once per row).
 */
const SOFTMAX_PER_ELEMENT = 5;

/** numpy MatMul: `2·K` per output element; the output's size already holds the broadcast batch. */
const matMulCost: Cost = (_, s) => {
  const a = s.input(0);
  return 2 * count(s.output(0)) * a[a.length - 1];
};

/** Gemm: `2·M·N·K`, plus `M·N` adds for C when it is given and `beta != 0`. */
const gemmCost: Cost = (node, s) => {
  const a = s.input(0);
  const k = readInt(node.attributes, "transA", 0) ? a[0] : a[1];
  const mn = count(s.output(0));
  const beta = readFloat(node.attributes, "beta", 1);
  const addsC = node.inputs.length > 2 && node.inputs[2] !== "" && beta !== 0;
  return 2 * mn * k + (addsC ? mn : 0);
};

/** Sum of n inputs: n - 1 adds per output element. */
const sumCost: Cost = (node, s) =>
  Math.max(node.inputs.filter((i) => i !== "").length - 1, 0) * count(s.output(0));

/** ScatterElements moves data, except with `reduction` add or mul: one per update element. */
const scatterCost: Cost = (node, s) => {
  return readString(node.attributes, "reduction", "none") !== "none" ? count(s.input(2)) : 0;
};

/**
 * The cost of every operator onnx-lm builds: a `Record` over `OpType`, so a new operator
 * without its cost is a compile error. Data movement (reshapes, gathers, slices, casts,
 * padding) costs 0: it is memory traffic, not arithmetic. Comparisons count 1 per element.
 */
const COSTS: Readonly<Record<OpType, Cost>> = {
  Add: perOutput,
  ArgMax: perInput,
  Cast: free,
  Concat: free,
  Constant: free,
  DequantizeLinear: perOutput, // (x - zero_point) * scale: one multiply per element
  Div: perOutput,
  Equal: perOutput,
  Exp: perOutput,
  Expand: free,
  Gather: free,
  GatherElements: free,
  Gemm: gemmCost,
  Greater: perOutput,
  Identity: free,
  Log: perOutput,
  Loop: free, // its body's nodes are counted, once per iteration (`loopFlops`)
  LogSoftmax: (_, s) => SOFTMAX_PER_ELEMENT * count(s.input(0)),
  MatMul: matMulCost,
  Mul: perOutput,
  Neg: perOutput,
  Pad: free,
  Pow: perOutput,
  Reciprocal: perOutput,
  ReduceMax: perInput,
  ReduceMean: perInput,
  ReduceSum: perInput,
  Relu: perOutput,
  Reshape: free,
  ScatterElements: scatterCost,
  Shape: free,
  Sigmoid: perOutput,
  Slice: free,
  Softmax: (_, s) => SOFTMAX_PER_ELEMENT * count(s.input(0)),
  Split: free,
  Sqrt: perOutput,
  Squeeze: free,
  Sub: perOutput,
  Sum: sumCost,
  Tanh: perOutput,
  Erf: perOutput,
  Transpose: free,
  Unsqueeze: free,
  Where: perOutput,
};

const FLOAT_DTYPES: ReadonlySet<DType> = new Set(["float32", "float64"]);

/**
 * Counts the floating-point operations of one run of `graph` (see the module doc for the
 * conventions). Integer and boolean arithmetic (index and shape computations) counts 0: it
 * is not floating point. Shapes are only resolved for nodes that cost something, so a
 * symbolic dimension that only reshapes pass through needs no binding.
 *
 * @example
 * ```ts
 * import { countFlops, Graph } from "./mod.ts";
 * import { matMul } from "../ops/linalg.ts";
 * const g = new Graph();
 * g.output(matMul(g.input("a", "float32", ["batch", 3]), g.input("b", "float32", [3, 4])), "y");
 * countFlops(g, { batch: 2 }).total; // 2 · 2 · 4 · 3 = 48
 * ```
 *
 * @param graph The graph.
 * @param dims Sizes for symbolic dimensions, by name (`{ batch: 64 }`).
 * @returns The total, the FLOPs by operator, and the operators it could not count.
 * @throws FlopCountError naming the node, the value and the dimension when a shape it needs
 *   has an unbound symbolic or an unknown dimension, or when a binding is not a size.
 */
export function countFlops(
  graph: Graph,
  dims: Readonly<Record<string, number>> = {},
): FlopCount {
  for (const [name, size] of Object.entries(dims)) {
    if (!Number.isInteger(size) || size < 0) {
      throw new FlopCountError(
        `Cannot count FLOPs of graph "${graph.name}": dims["${name}"] must be an integer >= 0: ` +
          `got ${size}`,
      );
    }
  }
  const byOp: Record<string, number> = {};
  const uncounted = new Set<string>();
  let total = 0;
  for (const node of graph.nodes) {
    byOp[node.opType] ??= 0;
    if (!Object.hasOwn(COSTS, node.opType)) {
      // A graph loaded or assembled by hand may hold operators the table has never seen.
      uncounted.add(node.opType);
      continue;
    }
    if (node.opType === "Loop") {
      const body = loopFlops(graph, node, dims);
      for (const [op, n] of Object.entries(body.byOp)) byOp[op] = (byOp[op] ?? 0) + n;
      for (const op of body.uncounted) uncounted.add(op);
      total += body.total;
      continue;
    }
    const names = [...node.inputs, ...node.outputs].filter((n) => n !== "");
    if (!names.some((n) => FLOAT_DTYPES.has(graph.value(n).dtype))) continue;
    const flops = COSTS[node.opType](node, sizesOf(graph, node, dims));
    byOp[node.opType] += flops;
    total += flops;
  }
  return { total, byOp, uncounted: [...uncounted].sort() };
}

/** A Loop's FLOPs: its body's, times its trip count (which must be known). */
function loopFlops(
  graph: Graph,
  node: Node,
  dims: Readonly<Record<string, number>>,
): FlopCount {
  const trips = node.inputs[0] ? graph.known.get(node.inputs[0])?.[0] : undefined;
  if (typeof trips !== "number") {
    throw new FlopCountError(
      `Cannot count FLOPs of node "${node.name}" (Loop): its trip count is not known when the ` +
        `graph is built`,
    );
  }
  const byOp: Record<string, number> = {};
  const uncounted = new Set<string>();
  let total = 0;
  for (const body of subgraphsOf(node)) {
    const count = countFlops(subgraphToGraph(body, graph), dims);
    for (const [op, n] of Object.entries(count.byOp)) byOp[op] = (byOp[op] ?? 0) + trips * n;
    for (const op of count.uncounted) uncounted.add(op);
    total += trips * count.total;
  }
  return { total, byOp, uncounted: [...uncounted] };
}

/**
 * A symbolic dimension's size: bound as it is written, or as the sum of monomials shape
 * inference writes (`16*batch`, `batch+2`; see dim_algebra.ts), each symbol bound in `dims`.
 */
function evaluateDim(
  d: string,
  dims: Readonly<Record<string, number>>,
): { size: number; missing?: string } {
  if (Object.hasOwn(dims, d)) return { size: dims[d] };
  let size = 0;
  for (const term of d.split("+")) {
    const m = monomial(term);
    let product = m.coef;
    for (const symbol of m.symbols) {
      if (!Object.hasOwn(dims, symbol)) return { size: NaN, missing: symbol };
      product *= dims[symbol];
    }
    size += product;
  }
  return { size };
}

function sizesOf(graph: Graph, node: Node, dims: Readonly<Record<string, number>>): Sizes {
  const resolve = (name: string, role: string): number[] => {
    const v = graph.value(name);
    return v.shape.map((d, axis) => {
      if (typeof d === "number") return d;
      const where = `Cannot count FLOPs of node "${node.name}" (${node.opType}): ${role} ` +
        `"${name}" ${formatShape(v.shape)}`;
      if (d === null) throw new FlopCountError(`${where} has an unknown dimension at axis ${axis}`);
      const { size, missing } = evaluateDim(d, dims);
      if (missing !== undefined) {
        const which = missing === d
          ? `dimension "${d}"`
          : `dimension "${d}" needs "${missing}", which`;
        throw new FlopCountError(
          `${where}: ${which} is unbound; pass its size in dims (e.g. { ${
            JSON.stringify(missing)
          }: 64 })`,
        );
      }
      return size;
    });
  };
  const pick = (list: readonly string[], i: number, kind: string): string => {
    const name = list[i];
    if (name === undefined || name === "") {
      throw new FlopCountError(
        `Cannot count FLOPs of node "${node.name}" (${node.opType}): it has no ${kind} ${i}`,
      );
    }
    return name;
  };
  return {
    input: (i) => resolve(pick(node.inputs, i, "input"), "input"),
    output: (i) => resolve(pick(node.outputs, i, "output"), "output"),
  };
}
