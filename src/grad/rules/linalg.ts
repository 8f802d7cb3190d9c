/**
 * Gradient rules of MatMul and Gemm.
 *
 * @module
 */

import { readFloat, readInt } from "../../graph/attributes.ts";
import type { Value } from "../../graph/graph.ts";
import { constantScalar } from "../../ops/constant.ts";
import { mul } from "../../ops/elementwise.ts";
import { gemm, matMul } from "../../ops/linalg.ts";
import { squeeze, transpose, unsqueeze } from "../../ops/shape.ts";
import { type GradRule, input, single } from "../rule.ts";
import { unbroadcast } from "../unbroadcast.ts";

/** Swaps the last two axes. */
function swapLast(x: Value): Value {
  const r = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return transpose(x, perm);
}

// Y = A @ B: dA = dY @ B^T, dB = A^T @ dY, batch axes summed where they were broadcast.
// A 1-D A is a [1, K] row and a 1-D B a [K, 1] column whose extra axis Y does not have.
export const matMulGrad: GradRule = single((n, dy) => {
  const [a, b] = [input(n, 0), input(n, 1)];
  const a2 = a.shape.length === 1 ? unsqueeze(a, [0]) : a;
  const b2 = b.shape.length === 1 ? unsqueeze(b, [1]) : b;
  let dy2 = dy;
  if (b.shape.length === 1) dy2 = unsqueeze(dy2, [-1]);
  if (a.shape.length === 1) dy2 = unsqueeze(dy2, [-2]);
  let da = unbroadcast(matMul(dy2, swapLast(b2)), a2.shape);
  let db = unbroadcast(matMul(swapLast(a2), dy2), b2.shape);
  if (a.shape.length === 1) da = squeeze(da, [0]);
  if (b.shape.length === 1) db = squeeze(db, [1]);
  return [da, db];
});

// Y = alpha * A' @ B' + beta * C with A' = A^T if transA, B' = B^T if transB:
// dA' = alpha * dY @ B'^T, dB' = alpha * A'^T @ dY, dC = beta * dY (summed to C's shape).
// Each is one Gemm with the transposes folded into its flags.
export const gemmGrad: GradRule = single((n, dy) => {
  const [a, b, c] = [input(n, 0), input(n, 1), n.inputs[2]];
  const attributes = n.node.attributes;
  const alpha = readFloat(attributes, "alpha", 1);
  const beta = readFloat(attributes, "beta", 1);
  const transA = readInt(attributes, "transA", 0) !== 0;
  const transB = readInt(attributes, "transB", 0) !== 0;
  const da = transA
    ? gemm(b, dy, null, { transA: transB, transB: true, alpha })
    : gemm(dy, b, null, { transB: !transB, alpha });
  const db = transB
    ? gemm(dy, a, null, { transA: true, transB: transA, alpha })
    : gemm(a, dy, null, { transA: !transA, alpha });
  let dc: Value | null = null;
  if (c) {
    // beta is a float32 attribute: the forward pass scales C by fround(beta), not beta.
    const b32 = Math.fround(beta);
    const scaled = beta === 1 ? dy : mul(dy, constantScalar(dy.graph, dy.dtype, b32));
    dc = unbroadcast(scaled, c.shape);
  }
  return [da, db, dc];
});
