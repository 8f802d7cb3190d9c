/**
 * Test helper for op builders: builds a small graph from declared inputs, checks it, runs it
 * through onnxruntime-node and checks ORT's output dims and dtypes against the builder's
 * inferred types. Every graph built here is recorded in `builtModels` (for the ONNX checker).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  checkGraph,
  type Dim,
  Graph,
  GraphBuildError,
  saveGraph,
  type Value,
} from "../../src/graph/mod.ts";
import type { DType } from "../../src/onnx/dtype.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import { Session } from "../../src/runtime/session.ts";
import { type Arr, assertClose, type Tolerance } from "./reference.ts";

/**
 * Every model built by `buildOne`, in build order. `deno test` runs each test module in its
 * own isolate, so this holds the models of the test modules loaded into the current one.
 */
export const builtModels: { label: string; bytes: Uint8Array }[] = [];

/** A graph input: its declared type and the data fed at run time. */
export interface InputSpec {
  dtype: DType;
  /** Declared shape (may be symbolic); defaults to the data's shape. */
  shape?: Dim[];
  data: Arr;
}

/** A float64 input. */
export const f64 = (data: Arr, shape?: Dim[]): InputSpec => ({ dtype: "float64", data, shape });
/** A float32 input. */
export const f32 = (data: Arr, shape?: Dim[]): InputSpec => ({ dtype: "float32", data, shape });
/** An int64 input. */
export const i64 = (data: Arr, shape?: Dim[]): InputSpec => ({ dtype: "int64", data, shape });
/** A bool input (data as 0/1). */
export const bool = (data: Arr, shape?: Dim[]): InputSpec => ({ dtype: "bool", data, shape });

/** Builds the op(s) under test from the declared inputs, by name. */
export type Build = (x: Record<string, Value>, g: Graph) => Value | Value[];

/** A built graph, ready to run. */
export interface Built {
  label: string;
  bytes: Uint8Array;
  /** The builder's outputs, with their inferred types. */
  values: Value[];
}

/** One output of a run: ORT's tensor, its data as plain numbers, and the inferred value. */
export interface Output {
  tensor: Tensor;
  data: number[];
  value: Value;
}

/** Tolerance for float64 kernels. */
export const TOL64: Tolerance = { rtol: 1e-12, atol: 1e-12 };
/** Tolerance for float32 kernels. */
export const TOL32: Tolerance = { rtol: 1e-5, atol: 1e-6 };
/** Exact comparison (int64, bool, and data movement). */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

/**
 * Builds a graph with the given inputs, checks it with `checkGraph` and records its bytes.
 *
 * @param label Unique label: the key in `builtModels`.
 * @param inputs Graph inputs by name, in declaration order.
 * @param build Adds the nodes; its results become outputs `y0`, `y1`, ...
 * @returns The bytes and the inferred output values.
 */
export function buildOne(label: string, inputs: Record<string, InputSpec>, build: Build): Built {
  if (builtModels.some((m) => m.label === label)) throw new Error(`Duplicate label "${label}"`);
  const g = new Graph("op_test");
  const xs: Record<string, Value> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    xs[name] = g.input(name, spec.dtype, spec.shape ?? spec.data.shape);
  }
  const result = build(xs, g);
  const values = Array.isArray(result) ? result : [result];
  values.forEach((v, i) => g.output(v, `y${i}`));
  checkGraph(g);
  const bytes = saveGraph(g);
  builtModels.push({ label, bytes });
  return { label, bytes, values };
}

/**
 * Runs a built graph on onnxruntime-node (CPU, one thread) and asserts that every output's
 * dtype and dims are what the builder inferred (symbolic dims resolved with `symbols`).
 *
 * @param built From `buildOne`.
 * @param inputs The same specs (their data is fed; it may differ in symbolic dims).
 * @param symbols Sizes of symbolic dims for this run, e.g. `{ batch: 5 }`.
 * @returns The outputs in order.
 */
export async function runBuilt(
  built: Built,
  inputs: Record<string, InputSpec>,
  symbols: Record<string, number> = {},
): Promise<Output[]> {
  const session = await Session.create(built.bytes, { threads: 1, source: built.label });
  try {
    const feeds: Record<string, Tensor> = {};
    for (const [name, spec] of Object.entries(inputs)) {
      const data = spec.dtype === "int64" ? spec.data.data.map(BigInt) : spec.data.data;
      feeds[name] = tensor(spec.dtype, spec.data.shape, data);
    }
    const out = await session.run(feeds);
    return built.values.map((value, i) => {
      const t = out[`y${i}`];
      const what = `${built.label}: output ${i}`;
      assert.equal(t.dtype, value.dtype, `${what} dtype`);
      const dims = value.shape.map((d, k) => resolveDim(d, symbols) ?? t.dims[k]);
      assert.deepEqual(t.dims, dims, what);
      return { tensor: t, data: Array.from(t.data as ArrayLike<number | bigint>, Number), value };
    });
  } finally {
    await session.release();
  }
}

/**
 * A dim's size for one run: numbers stay, `"16*batch"` and `"batch+2"` are evaluated with
 * `symbols`, and an unknown (`null`) dim gives undefined (it matches anything).
 *
 * @param d The inferred dim.
 * @param symbols Sizes of the symbols.
 * @returns The size (NaN for a symbol missing from `symbols`).
 */
export function resolveDim(d: Dim, symbols: Record<string, number>): number | undefined {
  if (typeof d === "number") return d;
  if (d === null) return undefined;
  const term = (t: string) =>
    t.split("*").reduce((p, f) => p * (/^\d+$/.test(f) ? Number(f) : symbols[f] ?? NaN), 1);
  return d.split("+").reduce((s, t) => s + term(t), 0);
}

/**
 * `buildOne` then `runBuilt`: the usual one-op test.
 *
 * @param label Unique label.
 * @param inputs Graph inputs with data.
 * @param build Adds the op(s).
 * @returns The outputs.
 */
export function runOne(
  label: string,
  inputs: Record<string, InputSpec>,
  build: Build,
): Promise<Output[]> {
  return runBuilt(buildOne(label, inputs, build), inputs);
}

/**
 * Runs one op and compares its single output's values with a reference array.
 *
 * @param label Unique label.
 * @param inputs Graph inputs with data.
 * @param build Adds the op.
 * @param expected The reference result (its shape must match too).
 * @param tol Tolerance (TOL64 for float64 kernels, TOL32 for float32, EXACT otherwise).
 */
export async function expectOp(
  label: string,
  inputs: Record<string, InputSpec>,
  build: Build,
  expected: Arr,
  tol: Tolerance = TOL64,
): Promise<Output> {
  const [out] = await runOne(label, inputs, build);
  assert.deepEqual(out.tensor.dims, expected.shape, `${label}: reference shape`);
  assertClose(out.data, expected.data, tol, label);
  return out;
}

/**
 * Asserts that `fn` throws a GraphBuildError with exactly `message`.
 *
 * @param fn Builds something invalid.
 * @param message The expected message.
 */
export function assertBuildError(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GraphBuildError, `expected a GraphBuildError, got ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

/**
 * A graph with the given inputs declared and no data, for error tests.
 *
 * @param inputs name -> [dtype, shape].
 * @returns The graph's input values by name.
 */
export function declare(inputs: Record<string, [DType, Dim[]]>): Record<string, Value> {
  const g = new Graph("error_test");
  const xs: Record<string, Value> = {};
  for (const [name, [dtype, shape]] of Object.entries(inputs)) {
    xs[name] = g.input(name, dtype, shape);
  }
  return xs;
}
