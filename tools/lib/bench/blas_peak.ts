/**
 * The best matrix rate this machine's BLAS reaches, for `bench`'s "of peak" column: one square
 * float32 `cblas_sgemm` through OpenBLAS, loaded with Deno's FFI when the system has it (Debian:
 * `apt-get install libopenblas0-pthread`). onnxruntime's own MatMul is one kernel among several;
 * PyTorch on the same machine multiplies at OpenBLAS's rate (issue 23: 124 GFLOP/s on one AMD
 * EPYC core against onnxruntime's 93), so a share of onnxruntime's rate alone flatters us.
 *
 * @module
 */

import { median } from "./machine.ts";

/** Where Debian and other distributions put OpenBLAS's shared library. */
export const OPENBLAS_PATHS: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "/usr/lib64/libopenblas.so.0",
  "/usr/lib/libopenblas.so.0",
  "/usr/local/lib/libopenblas.so.0",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
];

/** OpenBLAS's rate, or why there is none. */
export type BlasPeak =
  | {
    readonly library: string;
    /** FLOPs of one product (`2·n³`) over the median time, in GFLOP/s. */
    readonly gflops: number;
    readonly msPerRun: number;
  }
  | { readonly library: undefined; readonly reason: string };

const CBLAS_ROW_MAJOR = 101;
const CBLAS_NO_TRANS = 111;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32", // order
      "i32", // transA
      "i32", // transB
      "i32", // m
      "i32", // n
      "i32", // k
      "f32", // alpha
      "buffer", // a
      "i32", // lda
      "buffer", // b
      "i32", // ldb
      "f32", // beta
      "buffer", // c
      "i32", // ldc
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
} as const;

/**
 * Times `C = A·B` for `[n, n]` float32 matrices with OpenBLAS at a thread count: a warm-up
 * product, checked exactly (small integers), then `repeats` timed ones; the median.
 *
 * @param options n (1024), threads (1), repeats (20), and where to look for the library.
 * @returns The rate and the library's path, or the reason there is none (no OpenBLAS found,
 *   or no FFI permission).
 * @throws Error when the warm-up product is wrong.
 */
export function measureBlasPeak(
  options: {
    readonly n?: number;
    readonly threads?: number;
    readonly repeats?: number;
    readonly paths?: readonly string[];
  } = {},
): BlasPeak {
  const { n = 1024, threads = 1, repeats = 20, paths = OPENBLAS_PATHS } = options;
  const path = paths.find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  if (!path) {
    return {
      library: undefined,
      reason: `no OpenBLAS found (Debian: apt-get install libopenblas0-pthread)`,
    };
  }
  let lib;
  try {
    lib = Deno.dlopen(path, SYMBOLS);
  } catch (error) {
    return { library: undefined, reason: `cannot load ${path}: ${(error as Error).message}` };
  }
  try {
    lib.symbols.openblas_set_num_threads(Math.max(1, threads));
    const a = smallIntegers(n, 1);
    const b = smallIntegers(n, 2);
    const c = new Float32Array(n * n);
    const run = () =>
      lib.symbols.cblas_sgemm(
        CBLAS_ROW_MAJOR,
        CBLAS_NO_TRANS,
        CBLAS_NO_TRANS,
        n,
        n,
        n,
        1,
        a,
        n,
        b,
        n,
        0,
        c,
        n,
      );
    run();
    checkRow(a, b, c, n);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      run();
      times.push(performance.now() - start);
    }
    const msPerRun = median(times);
    return { library: path, gflops: (2 * n ** 3) / (msPerRun * 1e6), msPerRun };
  } finally {
    lib.close();
  }
}

/** Integers in -4..4: every sum of products is exact in float32, in any order. */
function smallIntegers(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * n);
  let s = seed * 2654435761 >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s >>> 16) % 9 - 4;
  }
  return out;
}

/** Checks the first and last rows against a plain loop. */
function checkRow(a: Float32Array, b: Float32Array, c: Float32Array, n: number): void {
  for (const i of [0, n - 1]) {
    for (let col = 0; col < n; col++) {
      let expected = 0;
      for (let k = 0; k < n; k++) expected += a[i * n + k] * b[k * n + col];
      if (c[i * n + col] !== expected) {
        throw new Error(
          `measureBlasPeak(): sgemm ${n}x${n} gave c[${i}][${col}] = ${c[i * n + col]}, ` +
            `expected ${expected}`,
        );
      }
    }
  }
}
