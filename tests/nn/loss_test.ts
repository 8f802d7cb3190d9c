import assert from "node:assert/strict";
import { Graph } from "../../src/graph/mod.ts";
import type { DType } from "../../src/onnx/dtype.ts";
import {
  activationRegularization,
  correctCount,
  crossEntropy,
  crossEntropySum,
  temporalActivationRegularization,
} from "../../src/nn/loss.ts";
import { checkGrad, f64, i64 } from "../grad/fd.ts";
import { referenceCheckTest } from "../helpers/onnx_checker.ts";
import { assertClose, rng } from "../helpers/reference.ts";
import { runGraph, saved, t32, t64, tI64 } from "../helpers/run_graph.ts";

const TOL64 = { rtol: 1e-12, atol: 1e-12 };
const TOL32 = { rtol: 1e-6, atol: 1e-5 };

/** Per prediction: -log softmax(row)[target] (max-shifted) and argmax (first index on ties). */
function referenceRows(logits: number[], targets: number[], V: number) {
  return targets.map((target, r) => {
    const row = logits.slice(r * V, (r + 1) * V);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
    return { nll: lse - row[target], argmax: row.indexOf(max) };
  });
}

function referenceLosses(logits: number[], targets: number[], V: number) {
  const rows = referenceRows(logits, targets, V);
  const sum = rows.reduce((a, r) => a + r.nll, 0);
  const correct = rows.filter((r, i) => r.argmax === targets[i]).length;
  return { ce: sum / rows.length, ceSum: sum, correct };
}

/** A graph computing crossEntropy, crossEntropySum and correctCount of one logits input. */
async function runLosses(
  label: string,
  dtype: DType,
  dims: number[],
  logits: number[],
  targets: number[],
  composite = false,
) {
  const g = new Graph("loss");
  const x = g.input("logits", dtype, dims);
  const y = g.input("targets", "int64", dims.slice(0, -1));
  g.output(crossEntropy(x, y, { composite }), "ce");
  g.output(crossEntropySum(x, y, { composite }), "ce_sum");
  const correct = correctCount(x, y);
  assert.equal(correct.dtype, dtype);
  g.output(correct, "correct");
  const feed = dtype === "float64" ? t64 : t32;
  const [got] = await runGraph(label, g, {
    logits: feed(dims, logits),
    targets: tI64(dims.slice(0, -1), targets),
  });
  for (const name of ["ce", "ce_sum", "correct"]) assert.deepEqual(got[name].dims, [], name);
  return { ce: got.ce.data[0], ceSum: got.ce_sum.data[0], correct: got.correct.data[0] };
}

const CE_CASES: { label: string; dims: number[] }[] = [
  { label: "[B, V]", dims: [7, 5] },
  { label: "[B, T, V]", dims: [3, 4, 30] },
  { label: "[1, 1, V]", dims: [1, 1, 6] },
];

for (const c of CE_CASES) {
  Deno.test(`crossEntropy(), crossEntropySum(), correctCount() on ${c.label} logits`, async () => {
    const V = c.dims[c.dims.length - 1];
    const n = c.dims.slice(0, -1).reduce((a, b) => a * b, 1);
    const r = rng(n * 31 + V);
    const logits = Array.from({ length: n * V }, () => 6 * r() - 3);
    // Half the targets are the argmax, so the count is neither 0 nor n.
    const targets = Array.from({ length: n }, (_, i) => {
      const row = logits.slice(i * V, (i + 1) * V);
      return i % 2 === 0 ? row.indexOf(Math.max(...row)) : Math.floor(r() * V);
    });
    const ref = referenceLosses(logits, targets, V);
    assert.ok(ref.correct > 0 && (ref.correct < n || n === 1));
    const got = await runLosses(`losses ${c.label}`, "float64", c.dims, logits, targets);
    assertClose([got.ce], [ref.ce], TOL64, "crossEntropy");
    assertClose([got.ceSum], [ref.ceSum], TOL64, "crossEntropySum");
    assert.equal(got.correct, ref.correct, "correctCount");
  });
}

Deno.test("correctCount() breaks argmax ties by the first index", async () => {
  // Rows with tied maxima; targets alternate between the first and a later tied index.
  const logits = [
    [2, 5, 5, 1], // first max 1
    [2, 5, 5, 1], // target 2: a tied but later index is wrong
    [7, 7, 7, 7], // first max 0
    [7, 7, 7, 7], // target 3: wrong
    [0, 1, 3, 3], // first max 2
    [-1, -1, -2, -3], // first max 0
  ].flat();
  const targets = [1, 2, 0, 3, 2, 1];
  assert.equal(referenceLosses(logits, targets, 4).correct, 3);
  const r = rng(17); // and many random small-integer rows, full of ties
  const many = Array.from({ length: 40 * 4 }, () => Math.floor(3 * r()));
  const manyTargets = Array.from({ length: 40 }, () => Math.floor(4 * r()));
  const ref = referenceLosses(many, manyTargets, 4);
  const got = await runLosses("ties", "float64", [6, 4], logits, targets);
  assert.equal(got.correct, 3);
  const gotMany = await runLosses("many ties", "float64", [40, 4], many, manyTargets);
  assert.equal(gotMany.correct, ref.correct);
  assertClose([gotMany.ce], [ref.ce], TOL64, "crossEntropy with ties");
});

Deno.test("crossEntropy() is stable for huge logits in float32", async () => {
  const logits = [
    [1000, 999, 0],
    [1000, 999, 0],
    [-1000, 1000, 1000],
    [88, 89, -90], // exp(89) overflows float32
    [1e4, -1e4, 0],
    [-500, -500.5, -501],
  ].flat();
  const targets = [1, 2, 0, 0, 0, 2];
  const ref = referenceLosses(logits, targets, 3);
  assert.ok(ref.ceSum > 3000 && Number.isFinite(ref.ceSum));
  const got = await runLosses("huge logits float32", "float32", [6, 3], logits, targets);
  for (const v of [got.ce, got.ceSum, got.correct]) assert.ok(Number.isFinite(v), `${v}`);
  assertClose([got.ce], [ref.ce], TOL32, "crossEntropy");
  assertClose([got.ceSum], [ref.ceSum], TOL32, "crossEntropySum");
  assert.equal(got.correct, ref.correct);
  // Per-row values: a confident right answer costs about nothing, not NaN.
  const rows = referenceRows(logits, targets, 3).map((x) => x.nll);
  const soft = Math.log1p(Math.exp(-1)); // log(1 + e^-1)
  const expected = [
    1 + soft,
    1000 + soft,
    2000 + Math.LN2,
    1 + soft,
    0,
    1 + Math.log(1 + Math.exp(-0.5) + Math.exp(-1)),
  ];
  assertClose(rows, expected, TOL64, "reference rows");
});

Deno.test("the composed log-softmax (for WebGPU) gives the same losses, stable for huge logits", async () => {
  for (const c of CE_CASES) {
    const V = c.dims[c.dims.length - 1];
    const n = c.dims.slice(0, -1).reduce((a, b) => a * b, 1);
    const r = rng(n * 17 + V);
    const logits = Array.from({ length: n * V }, () => 6 * r() - 3);
    const targets = Array.from({ length: n }, () => Math.floor(r() * V));
    const ref = referenceLosses(logits, targets, V);
    const got = await runLosses(`composite ${c.label}`, "float64", c.dims, logits, targets, true);
    assertClose([got.ce, got.ceSum], [ref.ce, ref.ceSum], TOL64, `composite ${c.label}`);
  }
  const huge = [1000, 999, 0, 88, 89, -90, 1e4, -1e4, 0];
  const ref = referenceLosses(huge, [1, 0, 2], 3);
  const got = await runLosses("composite huge float32", "float32", [3, 3], huge, [1, 0, 2], true);
  assertClose([got.ce], [ref.ce], TOL32, "composite crossEntropy, huge logits");
});

Deno.test("the composed log-softmax's gradient matches central differences", async () => {
  await checkGrad(
    "composite cross-entropy",
    { logits: f64([4, 6], 5, { lo: -2, hi: 2 }), targets: i64([4], [0, 5, 2, 2]) },
    (xs) => crossEntropy(xs.logits, xs.targets, { composite: true }),
    { wrt: ["logits"] },
  );
});

Deno.test("activationRegularization() is alpha * mean(out^2)", async () => {
  const dims = [3, 4, 5];
  const out = Array.from({ length: 60 }, rng(5)).map((v) => 4 * v - 2);
  const g = new Graph("ar");
  const x = g.input("out", "float64", dims);
  g.output(activationRegularization(x, 2), "ar2");
  g.output(activationRegularization(x, 0.5), "ar_half");
  const [got] = await runGraph("ar", g, { out: t64(dims, out) });
  const meanSq = out.reduce((a, v) => a + v * v, 0) / out.length;
  assert.deepEqual(got.ar2.dims, []);
  assertClose(got.ar2.data, [2 * meanSq], TOL64, "AR alpha 2");
  assertClose(got.ar_half.data, [0.5 * meanSq], TOL64, "AR alpha 0.5");
});

/** `beta * mean((raw[:, 1:] - raw[:, :-1])^2)` over `[B, T, H]`. */
function referenceTar(raw: number[], [B, T, H]: number[], beta: number): number {
  let sum = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 1; t < T; t++) {
      for (let h = 0; h < H; h++) {
        sum += (raw[(b * T + t) * H + h] - raw[(b * T + t - 1) * H + h]) ** 2;
      }
    }
  }
  return (beta * sum) / (B * (T - 1) * H);
}

Deno.test("temporalActivationRegularization() is beta * mean of squared step differences", async () => {
  for (const dims of [[2, 5, 3], [3, 2, 4], [1, 16, 2]]) {
    const n = dims[0] * dims[1] * dims[2];
    const raw = Array.from({ length: n }, rng(n)).map((v) => 2 * v - 1);
    const g = new Graph("tar");
    const x = g.input("raw", "float64", dims);
    g.output(temporalActivationRegularization(x, 1), "tar1");
    g.output(temporalActivationRegularization(x, 3), "tar3");
    const [got] = await runGraph(`tar [${dims}]`, g, { raw: t64(dims, raw) });
    assert.deepEqual(got.tar1.dims, []);
    assertClose(got.tar1.data, [referenceTar(raw, dims, 1)], TOL64, `TAR beta 1 [${dims}]`);
    assertClose(got.tar3.data, [referenceTar(raw, dims, 3)], TOL64, `TAR beta 3 [${dims}]`);
  }
  // A sequence constant in time costs nothing; the batch axis is never differenced.
  const dims = [2, 3, 1];
  const g = new Graph("tar");
  g.output(temporalActivationRegularization(g.input("raw", "float64", dims), 1), "tar");
  const [got] = await runGraph("tar constant in time", g, { raw: t64(dims, [1, 1, 1, 9, 9, 9]) });
  assert.deepEqual(got.tar.data, [0]);
});

referenceCheckTest("loss graphs pass the reference ONNX checker", saved);
