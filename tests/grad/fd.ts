/**
 * Finite-difference checks of generated gradients, run through onnxruntime-node in float64.
 *
 * `checkGrad` builds `loss = sum(f(inputs) * R)` for a fixed random R (so every output element
 * matters with a different weight), differentiates it with `backward()`, runs the graph, and
 * compares each analytic gradient element with the central difference
 * `(loss(x + eps) - loss(x - eps)) / (2 eps)` computed by the same session.
 *
 * @module
 */

import { checkGraph, Graph, saveGraph, type Value } from "../../src/graph/mod.ts";
import { backward } from "../../src/grad/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import type { DType } from "../../src/onnx/dtype.ts";
import { type Tensor, tensor } from "../../src/onnx/tensor.ts";
import { Session } from "../../src/runtime/session.ts";
import type { ModelToCheck } from "../helpers/onnx_checker.ts";
import { rng } from "../helpers/reference.ts";

/** A graph input for a gradient check. Float inputs are differentiated unless excluded. */
export interface GradInput {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

/** Options of `checkGrad`. */
export interface GradCheckOptions {
  /** Inputs to differentiate (default: every float input). */
  readonly wrt?: readonly string[];
  /** Step of the central difference (1e-6). */
  readonly eps?: number;
  /** Relative tolerance (1e-6). */
  readonly rtol?: number;
  /** Absolute tolerance (1e-8). */
  readonly atol?: number;
  /** Where to record the saved model for the reference ONNX checker. */
  readonly models?: ModelToCheck[];
}

/**
 * Builds `f`, differentiates it and checks every gradient element by central differences.
 *
 * @param label Names the check in messages.
 * @param inputs Graph inputs with their data.
 * @param f Builds the function from the input values (may return several outputs).
 * @param options Which inputs, step, tolerances, and the checker list.
 * @returns The largest absolute error seen.
 */
export async function checkGrad(
  label: string,
  inputs: Readonly<Record<string, GradInput>>,
  f: (xs: Record<string, Value>, g: Graph) => Value | Value[],
  options: GradCheckOptions = {},
): Promise<number> {
  const g = new Graph(label.replace(/[^A-Za-z0-9_]+/g, "_"));
  const xs: Record<string, Value> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    xs[name] = g.input(name, spec.dtype, spec.shape);
  }
  const result = f(xs, g);
  const ys = Array.isArray(result) ? result : [result];
  const random = rng(12345);
  const terms = ys.map((y) => {
    const dims = y.shape as number[];
    const n = dims.reduce((p, d) => p * d, 1);
    const r = ops.constant(
      g,
      tensor(y.dtype, dims, Array.from({ length: n }, () => random() * 2 - 1)),
    );
    return ops.reduceSum(ops.mul(y, r), [], { keepdims: false });
  });
  const loss = terms.length === 1 ? terms[0] : ops.sum(...terms);
  g.output(loss, "loss");
  const wrt = options.wrt ?? Object.keys(inputs).filter((k) => inputs[k].dtype.startsWith("float"));
  const grads = backward(loss, wrt.map((name) => xs[name]));
  grads.forEach((d, i) => g.output(d, `grad.${wrt[i]}`));
  checkGraph(g);
  assertNoDeadNodes(g);
  const bytes = saveGraph(g);
  options.models?.push({ label, bytes });

  const session = await Session.create(bytes, { threads: 1, source: label });
  try {
    const feeds: Record<string, Tensor> = {};
    for (const [name, spec] of Object.entries(inputs)) {
      feeds[name] = tensor(spec.dtype, spec.shape, [...spec.data]);
    }
    const analytic = await session.run(feeds);
    const lossAt = async (name: string, i: number, delta: number) => {
      const data = (feeds[name].data as Float64Array).slice();
      data[i] += delta;
      const out = await session.run({
        ...feeds,
        [name]: tensor(feeds[name].dtype, feeds[name].dims, data as never),
      }, ["loss"]);
      return Number(out.loss.data[0]);
    };
    const eps = options.eps ?? 1e-6;
    const rtol = options.rtol ?? 1e-6;
    const atol = options.atol ?? 1e-8;
    let worst = 0;
    for (const name of wrt) {
      if (inputs[name].dtype !== "float64") {
        throw new Error(
          `${label}: checkGrad needs float64 inputs: "${name}" is ${inputs[name].dtype}`,
        );
      }
      const dims = analytic[`grad.${name}`].dims;
      if (dims.join() !== inputs[name].shape.join()) {
        throw new Error(`${label}: grad.${name} has dims [${dims}], not [${inputs[name].shape}]`);
      }
      const got = analytic[`grad.${name}`].data as Float64Array;
      for (let i = 0; i < got.length; i++) {
        const numeric = ((await lossAt(name, i, eps)) - (await lossAt(name, i, -eps))) / (2 * eps);
        const err = Math.abs(got[i] - numeric);
        worst = Math.max(worst, err);
        if (!(err <= atol + rtol * Math.abs(numeric))) {
          throw new Error(
            `${label}: d loss / d ${name}[${i}] is ${
              got[i]
            } analytically but ${numeric} by central ` +
              `differences (|diff| ${err.toExponential(2)} > ${atol} + ${rtol} * |numeric|)`,
          );
        }
      }
    }
    return worst;
  } finally {
    await session.release();
  }
}

/**
 * Throws when a node computes nothing that a graph output needs: `backward()` must not leave
 * gradient nodes for inputs outside `wrt` behind.
 *
 * @param g The graph, with its outputs declared.
 */
export function assertNoDeadNodes(g: Graph): void {
  const needed = new Set(g.outputs.map((v) => v.name));
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const node = g.nodes[k];
    if (!node.outputs.some((name) => needed.has(name))) {
      throw new Error(`Graph "${g.name}": node "${node.name}" (${node.opType}) is unused`);
    }
    for (const name of node.inputs) needed.add(name);
  }
}

/**
 * Seeded float64 data in [lo, hi), optionally kept at least `gap` away from 0 (kinks, poles).
 *
 * @param shape Dimensions.
 * @param seed Seed of `rng`.
 * @param options lo (-1), hi (1), gap (0): values in (-gap, gap) move outwards by `gap`.
 * @returns A gradient-check input.
 */
export function f64(
  shape: readonly number[],
  seed: number,
  options: { lo?: number; hi?: number; gap?: number } = {},
): GradInput {
  const { lo = -1, hi = 1, gap = 0 } = options;
  const r = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const data = Array.from({ length: n }, () => {
    const v = lo + (hi - lo) * r();
    return Math.abs(v) < gap ? v + Math.sign(v || 1) * gap : v;
  });
  return { dtype: "float64", shape, data };
}

/**
 * An int64 input (indices) with given values.
 *
 * @param shape Dimensions.
 * @param data Row-major values.
 * @returns A gradient-check input (never differentiated).
 */
export function i64(shape: readonly number[], data: readonly number[]): GradInput {
  return { dtype: "int64", shape, data };
}

/**
 * A bool input (a Where condition) from 0/1 values.
 *
 * @param shape Dimensions.
 * @param data Row-major 0/1 values.
 * @returns A gradient-check input (never differentiated).
 */
export function bool(shape: readonly number[], data: readonly number[]): GradInput {
  return { dtype: "bool", shape, data };
}
