import assert from "node:assert/strict";
import { LMModel6 } from "../../models/lm_model6.ts";
import { countFlops, FlopCountError, Graph, type OpType } from "../../src/graph/mod.ts";
import * as ops from "../../src/ops/mod.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";

Deno.test("countFlops() counts 2·m·n·k for a MatMul [2, 3] x [3, 4]", () => {
  const g = new Graph();
  g.output(ops.matMul(g.input("a", "float32", [2, 3]), g.input("b", "float32", [3, 4])), "y");
  // 2 · 4 = 8 outputs, each 3 multiply-adds.
  assert.deepEqual(countFlops(g), {
    total: 48,
    byOp: { MatMul: 48, Identity: 0 },
    uncounted: [],
  });
});

Deno.test("countFlops() multiplies a batched MatMul by the broadcast batch", () => {
  const g = new Graph();
  const a = g.input("a", "float32", [2, 1, 3, 4]);
  const b = g.input("b", "float32", [5, 4, 6]);
  ops.matMul(a, b); // [2, 5, 3, 6]: batch 2·5 = 10, each 2·3·6·4 = 144
  assert.equal(countFlops(g).total, 1440);
  // A vector operand: [4] x [4, 6] is 6 dot products of length 4.
  const v = new Graph();
  ops.matMul(v.input("x", "float64", [4]), v.input("w", "float64", [4, 6]));
  assert.equal(countFlops(v).total, 48);
});

Deno.test("countFlops() counts Gemm with transposes, and C only when beta != 0", () => {
  const g = new Graph();
  const a = g.input("a", "float32", [5, 8]); // transA: A' is [8, 5], k = 5
  const b = g.input("b", "float32", [3, 5]); // transB: B' is [5, 3]
  const c = g.input("c", "float32", [3]);
  ops.gemm(a, b, null, { transA: true, transB: true }); // [8, 3]: 2·8·3·5 = 240
  assert.equal(countFlops(g).total, 240);
  ops.gemm(a, b, c, { transA: true, transB: true }); // + 8·3 adds of C
  assert.equal(countFlops(g).byOp.Gemm, 240 + 264);
  ops.gemm(a, b, c, { transA: true, transB: true, beta: 0 }); // C ignored
  assert.equal(countFlops(g).byOp.Gemm, 240 + 264 + 240);
});

Deno.test("countFlops() counts elementwise ops per output element, with broadcasting", () => {
  const g = new Graph();
  const x = g.input("x", "float32", [4, 3]);
  const bias = g.input("bias", "float32", [3]);
  const scale = g.input("scale", "float32", [4, 1]);
  const y = ops.mul(ops.tanh(ops.add(x, bias)), scale); // 12 + 12 + 12
  const flat = ops.reshape(y, [12]); // data movement: 0
  ops.reduceSum(flat); // one add per element read: 12
  ops.sum(x, x, x); // 2 adds per output element: 24
  ops.softmax(x, 1); // 5 per element (see flops.ts): 60
  const counted = countFlops(g);
  assert.equal(counted.total, 12 * 3 + 12 + 24 + 60);
  assert.deepEqual(counted.byOp, {
    Add: 12,
    Tanh: 12,
    Mul: 12,
    Constant: 0,
    Reshape: 0,
    ReduceSum: 12,
    Sum: 24,
    Softmax: 60,
  });
});

Deno.test("countFlops() counts integer arithmetic as 0: it is not floating point", () => {
  const g = new Graph();
  const i = g.input("i", "int64", [100]);
  ops.add(ops.mul(i, i), i);
  assert.equal(countFlops(g).total, 0);
});

Deno.test("countFlops() binds symbolic dims from dims, and names the node when one is unbound", () => {
  const g = new Graph();
  const x = g.input("x", "float32", ["batch", 3]);
  ops.matMul(x, g.input("w", "float32", [3, 4]));
  assert.equal(countFlops(g, { batch: 2 }).total, 48);
  assert.equal(countFlops(g, { batch: 10 }).total, 240);
  assert.throws(() => countFlops(g), (e: Error) => {
    assert.ok(e instanceof FlopCountError);
    assert.equal(
      e.message,
      `Cannot count FLOPs of node "MatMul" (MatMul): input "x" [batch, 3]: dimension ` +
        `"batch" is unbound; pass its size in dims (e.g. { "batch": 64 })`,
    );
    return true;
  });
  assert.throws(
    () => countFlops(g, { batch: 2.5 }),
    /dims\["batch"\] must be an integer >= 0: got 2.5/,
  );
  // Shape inference writes products of symbols (`16*batch` after a Reshape): bound by symbol.
  const p = new Graph();
  const rows = ops.reshape(p.input("x", "float32", ["batch", 16, 3]), [-1, 3]);
  ops.relu(rows);
  assert.deepEqual(p.value("Relu").shape, ["16*batch", 3]);
  assert.equal(countFlops(p, { batch: 2 }).total, 96);
  assert.throws(
    () => countFlops(p),
    /node "Relu" \(Relu\): output "Relu" \[16\*batch, 3\]: dimension "16\*batch" needs "batch", which is unbound/,
  );
  // A symbolic dim that only passes through free ops needs no binding.
  const r = new Graph();
  ops.reshape(r.input("x", "float32", ["batch", 3]), [-1]);
  assert.equal(countFlops(r).total, 0);
});

Deno.test("countFlops() lists operators it does not know instead of guessing", () => {
  const g = new Graph();
  const x = g.input("x", "float32", [2, 2]);
  g.define("y", "float32", [2, 2]);
  // A graph assembled by hand (or loaded) may hold an operator the cost table lacks.
  g.addNode({
    opType: "Einsum" as OpType,
    name: "e",
    inputs: [x.name],
    outputs: ["y"],
    attributes: {},
  });
  ops.relu(x);
  assert.deepEqual(countFlops(g), {
    total: 4,
    byOp: { Einsum: 0, Relu: 4 },
    uncounted: ["Einsum"],
  });
});

Deno.test("countFlops() on lm6's artifacts: ~138 MFLOP forward, ~0.33 GFLOP a train step", () => {
  // The book's LMModel6: vocab 30, hidden 64, 2 LSTM layers; bs 64, sl 16: 1024 tokens a step.
  const a = buildArtifacts(new LMModel6(30, 64, 2), { batchSize: 64, seqLen: 16 });
  const tokens = 64 * 16;
  // The forward pass's products, per layer: the input projection of all tokens at once,
  // Gemm [1024, 64] x [64, 256] (4 gates of 64), and 16 recurrent steps of
  // [64, 64] x [64, 256]: together 2·64·256 FLOPs per token for each of W_ih and W_hh.
  // The decoder is [1024, 64] x [64, 30]. Each Gemm also adds its C (bias or projection).
  const products = 2 * (2 * tokens * 256 * 64 * 2) + 2 * tokens * 30 * 64; // 138,149,888
  const biasAdds = 2 * (tokens * 256 + 16 * 64 * 256) + tokens * 30;
  const infer = countFlops(a.infer, { batch: 64 });
  assert.equal(infer.byOp.Gemm, products + biasAdds);
  assert.equal(infer.byOp.MatMul ?? 0, 0);

  // The train graph's batch is static, so its first layer projects the 30-row embedding table
  // instead of 1024 embedded tokens (see `firstProjection`): that projection is 30/1024 of the
  // size. Backward computes, for every forward product, both dX and dW of the same size, and
  // the projected rows' gradient gathers back into the table's as a one-hot product
  // [30, 1024] x [1024, 256]. Elementwise work (gates, the loss, Adam over 67k parameters)
  // adds a few percent, so the whole step lies within ±30% of 0.33 GFLOP.
  const firstLayer = 2 * tokens * 256 * 64;
  const trainForward = products - firstLayer + 2 * 30 * 256 * 64;
  const expected = 3 * trainForward + 2 * 30 * tokens * 256; // 332,464,128
  const train = countFlops(a.train);
  assert.deepEqual(train.uncounted, []);
  const trainProducts = (train.byOp.Gemm ?? 0) + (train.byOp.MatMul ?? 0);
  assert.ok(
    Math.abs(trainProducts / expected - 1) < 0.05,
    `train-step products: ${trainProducts}, expected about ${expected}`,
  );
  assert.ok(
    Math.abs(train.total / 0.33e9 - 1) < 0.3,
    `train-step FLOPs: ${train.total}, expected 0.33e9 ± 30%`,
  );
});
