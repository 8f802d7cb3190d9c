/**
 * The machine's MatMul peak through onnxruntime: one square float32 MatMul, timed. A
 * training step's GFLOP/s (from `countFlops`) means little alone; beside this figure, at the
 * same thread count, it says how far from the floor the step is.
 *
 * @module
 */

import { countFlops } from "../../../src/graph/flops.ts";
import { Graph } from "../../../src/graph/graph.ts";
import { saveGraph } from "../../../src/graph/model_io.ts";
import { matMul } from "../../../src/ops/linalg.ts";
import { Random } from "../../../src/nn/random.ts";
import { type Tensor, tensor } from "../../../src/onnx/tensor.ts";
import { Session } from "../../../src/runtime/session.ts";
import { median } from "./machine.ts";

/** What to measure. */
export interface MatMulPeakOptions {
  /** The matrices are `[n, n]` (1024). */
  readonly n?: number;
  /** onnxruntime's intra-op threads (1); 0 lets it decide. */
  readonly threads?: number;
  /** Timed runs after the warm-up (20). */
  readonly repeats?: number;
}

/** The measured rate. */
export interface MatMulPeak {
  /** FLOPs of one run (`2·n³`) over the median run time, in GFLOP/s. */
  readonly gflops: number;
  /** The median wall time of one run, in milliseconds. */
  readonly msPerRun: number;
}

/**
 * The one-node graph `y = MatMul(a, b)` with `a` and `b` float32 `[n, n]` inputs. Both are
 * fed, not stored: onnxruntime would fold a MatMul of two initializers away at load time.
 *
 * @param n The matrix size.
 * @returns The graph.
 */
export function matMulGraph(n: number): Graph {
  const g = new Graph("matmul_peak");
  g.output(matMul(g.input("a", "float32", [n, n]), g.input("b", "float32", [n, n])), "y");
  return g;
}

/**
 * Times a square float32 MatMul through `Session` (onnxruntime-node's CPU provider): one
 * warm-up run, checked against a reference, then `repeats` timed runs; reports the median.
 *
 * @param options n (1024), threads (1), repeats (20).
 * @returns The median rate and run time.
 * @throws Error for a size, thread count or repeat count that is not a positive integer
 *   (threads may be 0), and when the warm-up run's product is wrong.
 */
export async function measureMatMulPeak(options: MatMulPeakOptions = {}): Promise<MatMulPeak> {
  const { n = 1024, threads = 1, repeats = 20 } = options;
  expectInteger("n", n, 1);
  expectInteger("threads", threads, 0);
  expectInteger("repeats", repeats, 1);
  const g = matMulGraph(n);
  const flops = countFlops(g).total;
  const feeds = { a: smallIntegers(n, 1), b: smallIntegers(n, 2) };
  const session = await Session.create(saveGraph(g), { threads, source: `MatMul ${n}x${n}` });
  try {
    checkProduct(feeds.a, feeds.b, (await session.run(feeds)).y, n);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      await session.run(feeds);
      times.push(performance.now() - start);
    }
    const msPerRun = median(times);
    return { gflops: flops / (msPerRun * 1e6), msPerRun };
  } finally {
    await session.release();
  }
}

function expectInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`measureMatMulPeak(): "${name}" must be an integer >= ${min}: got ${value}`);
  }
}

/**
 * An `[n, n]` matrix of integers in -4..4. Every product and partial sum is then an integer
 * below 2^24, exact in float32 whatever order the kernel sums in, so the check is exact.
 */
function smallIntegers(n: number, seed: number): Tensor<"float32"> {
  const rng = new Random(seed);
  const data = new Float32Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng.uniform(-4, 5));
  return tensor("float32", [n, n], data);
}

/**
 * Compares 8 rows spread over the result (all rows when n <= 8) with a plain loop: n = 1024
 * in full would take JavaScript seconds, and a wrong kernel is wrong in many rows.
 */
function checkProduct(a: Tensor, b: Tensor, y: Tensor, n: number): void {
  const rows = n <= 8
    ? Array.from({ length: n }, (_, i) => i)
    : Array.from({ length: 8 }, (_, j) => Math.round(j * (n - 1) / 7));
  for (const i of rows) {
    for (let col = 0; col < n; col++) {
      let expected = 0;
      for (let k = 0; k < n; k++) {
        expected += Number(a.data[i * n + k]) * Number(b.data[k * n + col]);
      }
      const actual = Number(y.data[i * n + col]);
      if (actual !== expected) {
        throw new Error(
          `measureMatMulPeak(): MatMul ${n}x${n} gave y[${i}][${col}] = ${actual}, ` +
            `expected ${expected}`,
        );
      }
    }
  }
}
