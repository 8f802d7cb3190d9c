/**
 * Finite-difference tests of the MatMul and Gemm gradient rules (src/grad/rules/linalg.ts),
 * and of weight tying (one matrix used by Gather and, transposed, by MatMul).
 */

import * as ops from "../../../src/ops/mod.ts";
import { type ModelToCheck, referenceCheckTest } from "../../helpers/onnx_checker.ts";
import { checkGrad, f64, i64 } from "../fd.ts";

const models: ModelToCheck[] = [];

async function matMulCase(label: string, sa: number[], sb: number[], seed: number) {
  await checkGrad(
    `MatMul ${label} [${sa}] @ [${sb}]`,
    { a: f64(sa, seed), b: f64(sb, seed + 1) },
    (x) => ops.matMul(x.a, x.b),
    { models },
  );
}

Deno.test("matMulGrad() multiplies by the transposed other operand (2-D)", async () => {
  await matMulCase("2-D", [2, 3], [3, 4], 100);
  await matMulCase("2-D column", [3, 1], [1, 2], 102);
});

Deno.test("matMulGrad() handles batched operands of equal batch shape", async () => {
  await matMulCase("batched", [2, 2, 3], [2, 3, 4], 110);
  await matMulCase("batched 4-D", [2, 1, 2, 3], [2, 1, 3, 2], 112);
});

Deno.test("matMulGrad() sums over a broadcast batch (one side 2-D, other 3-D)", async () => {
  await matMulCase("3-D @ 2-D", [2, 2, 3], [3, 4], 120);
  await matMulCase("2-D @ 3-D", [2, 3], [2, 3, 4], 122);
  await matMulCase("size-1 batch", [1, 2, 3], [3, 3, 2], 124);
  await matMulCase("4-D @ 3-D", [2, 1, 2, 3], [3, 3, 2], 126);
});

Deno.test("matMulGrad() handles a 1-D operand on either side and on both", async () => {
  await matMulCase("1-D left", [3], [3, 4], 130);
  await matMulCase("1-D left batched", [3], [2, 3, 4], 132);
  await matMulCase("1-D right", [2, 3], [3], 134);
  await matMulCase("1-D right batched", [2, 2, 3], [3], 136);
  await matMulCase("1-D both", [4], [4], 138);
});

const TRANS = [[false, false], [false, true], [true, false], [true, true]] as const;

Deno.test("gemmGrad() handles every transA/transB combination", async () => {
  for (const [i, [transA, transB]] of TRANS.entries()) {
    const [m, k, n] = [2, 3, 4];
    await checkGrad(
      `Gemm transA=${transA} transB=${transB}`,
      {
        a: f64(transA ? [k, m] : [m, k], 140 + i),
        b: f64(transB ? [n, k] : [k, n], 150 + i),
        c: f64([m, n], 160 + i),
      },
      (x) => ops.gemm(x.a, x.b, x.c, { transA, transB }),
      { models },
    );
  }
});

Deno.test("gemmGrad() scales by alpha and beta under every transpose", async () => {
  for (const [i, [transA, transB]] of TRANS.entries()) {
    await checkGrad(
      `Gemm alpha beta transA=${transA} transB=${transB}`,
      {
        a: f64(transA ? [3, 2] : [2, 3], 170 + i),
        b: f64(transB ? [2, 3] : [3, 2], 180 + i),
        c: f64([2], 190 + i),
      },
      (x) => ops.gemm(x.a, x.b, x.c, { transA, transB, alpha: 0.5, beta: -2 }),
      { models },
    );
  }
});

Deno.test("gemmGrad() reduces a broadcast bias: C as scalar, [N], [1, N], [M, 1], [M, N]", async () => {
  const shapes = [[], [4], [1, 4], [2, 1], [2, 4]];
  for (const [i, sc] of shapes.entries()) {
    await checkGrad(
      `Gemm C [${sc}]`,
      { a: f64([2, 3], 200 + i), b: f64([4, 3], 210 + i), c: f64(sc, 220 + i) },
      (x) => ops.gemm(x.a, x.b, x.c, { transB: true, beta: 1.5 }),
      { models },
    );
  }
});

Deno.test("gemmGrad() without C (PyTorch Linear without bias)", async () => {
  await checkGrad(
    "Gemm no C",
    { a: f64([3, 2], 230), b: f64([3, 2], 231) },
    (x) => ops.gemm(x.a, x.b, null, { transA: true, alpha: 2 }),
    { models },
  );
});

Deno.test("gemmGrad() uses the float32 alpha and beta that onnxruntime uses", async () => {
  // Gemm stores alpha and beta as float32 attributes: 0.3 runs as 0.30000001192...
  // The analytic gradient must use the same number, which a 1e-9 tolerance can tell apart.
  await checkGrad(
    "Gemm inexact alpha beta",
    { a: f64([2, 3], 240), b: f64([3, 2], 241), c: f64([2, 2], 242, { lo: 2, hi: 3 }) },
    (x) => ops.gemm(x.a, x.b, x.c, { alpha: 0.3, beta: 0.3 }),
    { models, rtol: 1e-9, atol: 1e-9 },
  );
});

Deno.test("backward() sums the gradients of a weight tied between Gather and MatMul", async () => {
  // LMModel7's weight tying: the embedding matrix is also the (transposed) output layer.
  await checkGrad(
    "weight tying",
    { emb: f64([5, 3], 250), idx: i64([2, 3], [0, 4, 4, 1, 0, 2]), w: f64([3, 3], 251) },
    (x) => {
      const h = ops.tanh(ops.matMul(ops.gather(x.emb, x.idx), x.w));
      return ops.logSoftmax(ops.matMul(h, ops.transpose(x.emb)));
    },
    { models },
  );
});

Deno.test("backward() sums the gradients of a weight tied between Gather and Gemm", async () => {
  await checkGrad(
    "weight tying Gemm",
    { emb: f64([4, 3], 260), idx: i64([3], [3, 1, 3]), bias: f64([4], 261) },
    (x) => ops.softmax(ops.gemm(ops.gather(x.emb, x.idx), x.emb, x.bias, { transB: true })),
    { models },
  );
});

referenceCheckTest(
  "every gradient graph in linalg_test.ts passes the reference ONNX checker",
  models,
);
