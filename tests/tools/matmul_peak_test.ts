import assert from "node:assert/strict";
import { saveGraph } from "../../src/graph/mod.ts";
import { tensor } from "../../src/onnx/mod.ts";
import { Session } from "../../src/runtime/session.ts";
import { matMulGraph, measureMatMulPeak } from "../../tools/lib/bench/matmul_peak.ts";

Deno.test("matMulGraph() computes a · b through onnxruntime", async () => {
  const session = await Session.create(saveGraph(matMulGraph(2)), { threads: 1 });
  try {
    const { y } = await session.run({
      a: tensor("float32", [2, 2], [1, 2, 3, 4]),
      b: tensor("float32", [2, 2], [5, 6, 7, 8]),
    });
    assert.deepEqual(y.dims, [2, 2]);
    assert.deepEqual([...y.data], [19, 22, 43, 50]);
  } finally {
    await session.release();
  }
});

Deno.test("measureMatMulPeak() reports a positive, finite rate for a checked product", async () => {
  // The warm-up run's product is checked inside (it throws when wrong); no timing bounds:
  // machines are noisy.
  for (const threads of [1, 2]) {
    const { gflops, msPerRun } = await measureMatMulPeak({ n: 64, threads, repeats: 3 });
    assert.ok(Number.isFinite(gflops) && gflops > 0, `gflops: ${gflops}`);
    assert.ok(Number.isFinite(msPerRun) && msPerRun > 0, `msPerRun: ${msPerRun}`);
    // The rate is the count over the time: 2·64³ FLOPs a run.
    assert.ok(Math.abs(gflops * msPerRun * 1e6 / (2 * 64 ** 3) - 1) < 1e-9);
  }
});

Deno.test("measureMatMulPeak() refuses a size that is not a positive integer", async () => {
  await assert.rejects(
    () => measureMatMulPeak({ n: 0 }),
    /measureMatMulPeak\(\): "n" must be an integer >= 1: got 0/,
  );
  await assert.rejects(
    () => measureMatMulPeak({ repeats: 1.5 }),
    /"repeats" must be an integer >= 1: got 1.5/,
  );
});
