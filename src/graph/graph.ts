/**
 * The graph under construction: inputs, initializers, nodes in topological order, outputs,
 * and the type of every value. Nodes are plain NodeProto-shaped data.
 *
 * @module
 */

import type { DType } from "../onnx/dtype.ts";
import type { NodeData } from "../onnx/model.ts";
import type { Tensor } from "../onnx/tensor.ts";
import { GraphBuildError } from "./errors.ts";
import { MAX_NODE_TENSORS } from "./limits.ts";
import type { OpType } from "./op_type.ts";
import type { Dim, TypeInfo } from "./value.ts";
import { formatType } from "./value.ts";
import { implicitInputs } from "./subgraph.ts";

/** A named value in a graph: a graph input, an initializer, or a node output. */
export interface Value extends TypeInfo {
  /** The graph the value lives in; op builders add their nodes there. */
  readonly graph: Graph;
  /** Its name, unique in the graph. */
  readonly name: string;
}

/** A node of a graph onnx-lm builds: a file's node whose operator is one of ours. */
export interface Node extends NodeData {
  /** Operator name in ONNX spelling. */
  readonly opType: OpType;
}

/** How a graph is built. */
export interface GraphOptions {
  /**
   * The most tensors one node may read and write together (`MAX_NODE_TENSORS`, 8, which
   * WebGPU needs); `Infinity` for a graph that never runs on WebGPU.
   */
  readonly maxNodeTensors?: number;
  /**
   * What every fresh name starts with: a Loop body's names carry its own prefix, so that
   * they never meet a name of the graph around it, even one added after the body is built.
   */
  readonly namePrefix?: string;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:\/-]*$/;

/** A computation graph being built, differentiated or loaded. */
export class Graph {
  /** Graph inputs in declaration order (fed at run time). */
  readonly inputs: Value[] = [];
  /** Graph outputs in declaration order. */
  readonly outputs: Value[] = [];
  /** Nodes in topological order. */
  readonly nodes: Node[] = [];
  /** Constant tensors stored in the file, by name. */
  readonly initializers: Map<string, Tensor> = new Map();
  /** Every value's type, by name. */
  readonly values: Map<string, Value> = new Map();
  /** int64 contents known at build time (constants, shapes), used by shape inference. */
  readonly known: Map<string, readonly Dim[]> = new Map();
  /**
   * Values of an enclosing graph that this one (a Loop body) reads by name, as ONNX
   * subgraphs may: typed here for inference, declared nowhere in the file.
   */
  readonly captured: Value[] = [];
  /** The most tensors one node reads and writes together (see `GraphOptions`). */
  readonly maxNodeTensors: number;
  private readonly namePrefix: string;
  private readonly counters = new Map<string, number>();
  private readonly nodeNames = new Set<string>();
  private readonly producers = new Map<string, Node>();

  /**
   * An empty graph.
   *
   * @param name The graph's name in the file.
   * @param options Limits the builders keep (`maxNodeTensors`).
   * @throws GraphBuildError for a `maxNodeTensors` under 4: a Split of two pieces with its
   *   sizes input binds 4 tensors, and a tree of smaller nodes needs that much.
   */
  constructor(readonly name = "main", options: GraphOptions = {}) {
    const most = options.maxNodeTensors ?? MAX_NODE_TENSORS;
    if (!(most >= 4) || (most !== Infinity && !Number.isInteger(most))) {
      throw new GraphBuildError(
        `Graph option "maxNodeTensors" must be an integer >= 4 or Infinity: got ${most}`,
      );
    }
    this.maxNodeTensors = most;
    this.namePrefix = options.namePrefix ?? "";
  }

  /**
   * Makes a value of the enclosing graph readable here under its own name (a subgraph's
   * implicit input), or returns it when it was captured already.
   *
   * @param outer A value of another graph.
   * @returns The value as this graph sees it.
   */
  capture(outer: Value): Value {
    const known = this.captured.find((v) => v.name === outer.name);
    if (known) return known;
    const v = this.define(outer.name, outer.dtype, outer.shape);
    const value = this.known.get(outer.name) ?? outer.graph.known.get(outer.name);
    if (value) this.known.set(outer.name, value);
    this.captured.push(v);
    return v;
  }

  /**
   * Declares a graph input.
   *
   * @param name Its name (a feed name at run time).
   * @param dtype Element type.
   * @param shape Dimensions; strings are symbolic (e.g. `"batch"`).
   * @returns The input value.
   */
  input(name: string, dtype: DType, shape: readonly Dim[]): Value {
    const v = this.define(name, dtype, shape);
    this.inputs.push(v);
    return v;
  }

  /**
   * Adds a named constant stored in the file.
   *
   * @param name Its name (for parameters, the PyTorch `state_dict` key).
   * @param tensor The data.
   * @returns The value that reads it.
   */
  initializer(name: string, tensor: Tensor): Value {
    const v = this.define(name, tensor.dtype, tensor.dims);
    this.initializers.set(name, tensor);
    if (tensor.dtype === "int64" && tensor.dims.length <= 1) {
      this.known.set(name, Array.from(tensor.data as BigInt64Array, Number));
    }
    return v;
  }

  /**
   * Marks a value as a graph output, under `name` when given (adding an Identity if the
   * value already has another name, so the output has exactly the requested name).
   *
   * @param value A value of this graph.
   * @param name The output name.
   * @returns The output value.
   */
  output(value: Value, name?: string): Value {
    this.expectOwn(value, "output");
    let out = value;
    if (name !== undefined && name !== value.name) {
      out = this.define(name, value.dtype, value.shape);
      this.addNode({
        opType: "Identity",
        name: this.freshName("Identity"),
        inputs: [value.name],
        outputs: [name],
        attributes: {},
      });
    }
    if (this.outputs.some((o) => o.name === out.name)) {
      throw new GraphBuildError(`Graph "${this.name}" already has an output named "${out.name}"`);
    }
    this.outputs.push(out);
    return out;
  }

  /**
   * Gives a node's output another name, wherever it is read. A graph output computed under
   * its own name needs no Identity copy from `output(value, name)`: onnxruntime writes it in
   * place (for the train graph's parameters and optimizer state, a whole copy a step).
   *
   * @param value A node's output, not yet a graph output nor read by a subgraph.
   * @param name Its new name, unused in the graph.
   * @returns The value under its new name; `value` is stale afterwards.
   * @throws GraphBuildError for an input, an initializer, a graph output or a value a Loop's
   *   body reads.
   */
  rename(value: Value, name: string): Value {
    this.expectOwn(value, "the value to rename");
    const old = value.name;
    const fail = (why: string): never => {
      throw new GraphBuildError(`Cannot rename "${old}" of graph "${this.name}": ${why}`);
    };
    if (!this.producers.has(old)) fail("only a node's output can be renamed");
    if (this.outputs.includes(value)) fail("it is a graph output");
    if (this.nodes.some((n) => implicitInputs(n).includes(old))) fail("a Loop's body reads it");
    const renamed = this.define(name, value.dtype, value.shape);
    const swap = (names: readonly string[]) => names.map((n) => n === old ? name : n);
    this.nodes.forEach((node, i) => {
      if (!node.inputs.includes(old) && !node.outputs.includes(old)) return;
      const changed = { ...node, inputs: swap(node.inputs), outputs: swap(node.outputs) };
      this.nodes[i] = changed;
      for (const out of changed.outputs) this.producers.set(out, changed);
    });
    this.producers.delete(old);
    this.values.delete(old);
    const known = this.known.get(old);
    if (known) this.known.set(name, known);
    this.known.delete(old);
    return renamed;
  }

  /**
   * The value with this name, or a clear error naming the graph.
   *
   * @param name A value name.
   * @returns The value.
   */
  value(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw new GraphBuildError(`Graph "${this.name}" has no value named "${name}"`);
    return v;
  }

  /**
   * A name not used yet in this graph: `stem`, then `stem_1`, `stem_2`, ... (after the
   * graph's `namePrefix`). Deterministic: the same sequence of builder calls gives the same
   * names.
   *
   * @param stem Name stem (usually the op type).
   * @returns A fresh name.
   */
  freshName(stem: string): string {
    const prefix = this.namePrefix + stem;
    let n = this.counters.get(prefix) ?? 0;
    let name = n === 0 ? prefix : `${prefix}_${n}`;
    while (this.values.has(name) || this.nodeNames.has(name)) {
      n++;
      name = `${prefix}_${n}`;
    }
    this.counters.set(prefix, n + 1);
    return name;
  }

  /**
   * Registers a new value name with its type (for inputs, initializers and node outputs).
   *
   * @param name Unique value name.
   * @param dtype Element type.
   * @param shape Dimensions.
   * @returns The value.
   */
  define(name: string, dtype: DType, shape: readonly Dim[]): Value {
    if (!NAME_PATTERN.test(name)) {
      throw new GraphBuildError(
        `Invalid value name "${name}" in graph "${this.name}": use letters, digits, "_", ".", ` +
          `":", "/" or "-", starting with a letter or "_"`,
      );
    }
    const existing = this.values.get(name);
    if (existing) {
      throw new GraphBuildError(
        `Graph "${this.name}" already has a value named "${name}" (${formatType(existing)})`,
      );
    }
    const v: Value = { graph: this, name, dtype, shape: [...shape] };
    this.values.set(name, v);
    return v;
  }

  /**
   * Appends a node whose outputs are already defined (see `op()` for the checked path).
   *
   * @param node The node.
   */
  addNode(node: Node): void {
    if (this.nodeNames.has(node.name)) {
      throw new GraphBuildError(`Graph "${this.name}" already has a node named "${node.name}"`);
    }
    this.nodeNames.add(node.name);
    this.nodes.push(node);
    for (const name of node.outputs) this.producers.set(name, node);
  }

  /**
   * The node that computes a value.
   *
   * @param name The value's name.
   * @returns Its node, or undefined for graph inputs, initializers and unknown names.
   */
  producer(name: string): Node | undefined {
    return this.producers.get(name);
  }

  /**
   * Removes the nodes for which `keep` is false, with their output values.
   *
   * @param keep Decides per node (and its index) whether it stays.
   * @returns How many nodes were removed.
   */
  removeNodes(keep: (node: Node, index: number) => boolean): number {
    const kept: Node[] = [];
    let removed = 0;
    this.nodes.forEach((node, index) => {
      if (keep(node, index)) {
        kept.push(node);
        return;
      }
      removed++;
      this.nodeNames.delete(node.name);
      for (const name of node.outputs) {
        this.values.delete(name);
        this.known.delete(name);
        this.producers.delete(name);
      }
    });
    this.nodes.length = 0;
    this.nodes.push(...kept);
    return removed;
  }

  /** Throws unless the value belongs to this graph. */
  expectOwn(value: Value, role: string): void {
    if (value.graph === this && this.values.get(value.name) !== value) {
      throw new GraphBuildError(
        `Cannot use value "${value.name}" as ${role} of graph "${this.name}": it was renamed ` +
          `or removed (use the value rename() returned)`,
      );
    }
    if (value.graph !== this) {
      throw new GraphBuildError(
        `Cannot use value "${value.name}" as ${role} of graph "${this.name}": it belongs to ` +
          `graph "${value.graph.name}"`,
      );
    }
  }
}
