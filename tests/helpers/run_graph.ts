/**
 * Test helper for layers: declares a module's parameters as graph inputs (as
 * `src/train/artifacts.ts` does), checks and saves a graph, runs it on onnxruntime-node and
 * records its bytes for the reference ONNX checker.
 *
 * @module
 */

import { checkGraph, type Graph, saveGraph, type Value } from "../../src/graph/mod.ts";
import type { DType } from "../../src/onnx/dtype.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import type { Module } from "../../src/nn/module.ts";
import { BuildContext } from "../../src/nn/build_context.ts";
import type { Parameter } from "../../src/nn/parameter.ts";
import { Session } from "../../src/runtime/session.ts";
import type { ModelToCheck } from "./onnx_checker.ts";

/** Every graph run by `runGraph` in this test module, for `referenceCheckTest`. */
export const saved: ModelToCheck[] = [];

/**
 * Declares one graph input per parameter (named by `namedParameters`) and gives them to a
 * build context.
 *
 * @param g The graph.
 * @param model The module whose parameters the forward pass uses.
 * @param dtype Element type of the parameter inputs.
 * @param training Build a training graph (dropout active).
 * @returns The context to pass to `forward`.
 */
export function bindModel(g: Graph, model: Module, dtype: DType, training = false): BuildContext {
  const named = model.namedParameters();
  const parameters = new Map<Parameter, Value>(
    named.map(([name, p]) => [p, g.input(name, dtype, p.shape)]),
  );
  return new BuildContext(g, { training, parameters });
}

/** A float64 tensor from plain numbers. */
export const t64 = (dims: readonly number[], data: ArrayLike<number>): Tensor =>
  tensor("float64", dims, Float64Array.from(data));

/** A float32 tensor from plain numbers. */
export const t32 = (dims: readonly number[], data: ArrayLike<number>): Tensor =>
  tensor("float32", dims, Float32Array.from(data));

/** An int64 tensor from plain numbers. */
export const tI64 = (dims: readonly number[], data: readonly number[]): Tensor =>
  tensor("int64", dims, BigInt64Array.from(data, BigInt));

/**
 * Checks and saves `g` (recording its bytes once under `label`), then runs it.
 *
 * @param label Unique label for the checker.
 * @param g A graph with its outputs declared.
 * @param feedSets One or more sets of feeds; each is run in the same session.
 * @returns The outputs of each run, as plain numbers with dims.
 */
export async function runGraph(
  label: string,
  g: Graph,
  ...feedSets: Record<string, Tensor>[]
): Promise<Record<string, { dims: number[]; data: number[] }>[]> {
  if (saved.some((m) => m.label === label)) throw new Error(`Duplicate label "${label}"`);
  checkGraph(g);
  const bytes = saveGraph(g);
  saved.push({ label, bytes });
  const session = await Session.create(bytes, { threads: 1, source: label });
  try {
    const results = [];
    for (const feeds of feedSets) {
      const out = await session.run(feeds);
      results.push(
        Object.fromEntries(
          Object.entries(out).map(([name, t]) => [
            name,
            { dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint>, Number) },
          ]),
        ),
      );
    }
    return results;
  } finally {
    await session.release();
  }
}
