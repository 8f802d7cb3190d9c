import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { countFlops } from "../../src/graph/flops.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";
import { humanNumbersData } from "../../src/data/pipelines.ts";
import { spread } from "../../tools/lib/bench/bench_measure.ts";
import { pickConfigs, zipfIds } from "../../tools/lib/bench/bench_configs.ts";
import { runTool } from "../helpers/cli.ts";

// The benchmark's own smoke test: one repeat, no timing assertions (these machines are
// noisy); it checks that every figure is there, finite and consistent.
Deno.test("bench lm1 --repeat 1: every figure, as JSON and as a record appended to a file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "onnx-lm-bench-" });
  try {
    const record = `${dir}/BENCH.md`;
    await Deno.writeTextFile(record, "# Benchmarks\n\nearlier runs\n");
    const r = await runTool("bench", [
      "lm1",
      "--repeat",
      "1",
      "--epochs",
      "1",
      "--json",
      "--record",
      record,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [result] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(result.config, "lm1");
    for (const key of ["stepMs", "epochS", "evalMs", "sessionMs", "tokenMs"]) {
      assert.ok(result[key].median > 0 && Number.isFinite(result[key].median), key);
      assert.equal(result[key].n, 1, key); // --repeat 1, --epochs 1
    }
    for (
      const key of [
        "stepsPerSecond",
        "tokensPerSecond",
        "gflops",
        "peakRssMiB",
        "matmulPeakGflops",
        "batchedTokensPerSecond",
      ]
    ) {
      assert.ok(result[key] > 0 && Number.isFinite(result[key]), key);
    }
    // The FLOPs are the train graph's, counted as countFlops counts them.
    const entry = findModel("lm1");
    const artifacts = buildArtifacts(entry.create(), {
      batchSize: entry.recipe.batchSize,
      seqLen: entry.recipe.seqLen,
      optimizer: { kind: "adam", wd: entry.recipe.wd },
    });
    assert.equal(result.flopsPerStep, countFlops(artifacts.train).total);
    assert.deepEqual(result.nodes, {
      train: artifacts.train.nodes.length,
      infer: artifacts.infer.nodes.length,
    });
    assert.equal(result.epochSteps, humanNumbersData(entry.recipe).train.length);
    const text = await Deno.readTextFile(record);
    assert.match(
      text,
      /^# Benchmarks\n\nearlier runs\n\n### deno task bench, \d{4}-\d\d-\d\d, commit \S+\n\n```text\ndeno task bench lm1 --repeat 1 /,
    );
    // onnxruntime's MatMul, and OpenBLAS's sgemm where the machine has it (else why not).
    assert.match(
      text,
      /MatMul 1024 peak at 1 thread\(s\): onnxruntime [\d.]+, (OpenBLAS sgemm [\d.]+ GFLOP\/s \(of peak: the higher\)|GFLOP\/s \(OpenBLAS: no OpenBLAS found)/,
    );
    assert.match(text, /\n\| lm1 +\| [\d.]+ \([\d.]+-[\d.]+\) +\| /);
    // The record keeps the file as deno fmt writes it.
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--check", "--line-width", "100", record],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(fmt.success, new TextDecoder().decode(fmt.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("spread() gives the median and nearest-rank p10/p90", () => {
  assert.deepEqual(spread([5, 1, 3]), { median: 3, p10: 1, p90: 5, n: 3 });
  assert.deepEqual(spread([4, 1, 3, 2]), { median: 2.5, p10: 1, p90: 4, n: 4 });
  const many = spread(Array.from({ length: 11 }, (_, i) => i));
  assert.deepEqual([many.p10, many.median, many.p90], [1, 5, 9]);
});

Deno.test("the suite's scaled configurations: hidden 256 and 1024, vocabulary 10,000, bs 64, sl 64", () => {
  const [h256, h1024] = pickConfigs(["lstm-h256", "lstm-h1024"]);
  for (const [c, hidden] of [[h256, 256], [h1024, 1024]] as const) {
    assert.deepEqual(
      [c.arch.hidden, c.arch.vocabSize, c.recipe.batchSize, c.recipe.seqLen],
      [hidden, 10_000, 64, 64],
    );
  }
  assert.equal(pickConfigs(["lstm"])[0].name, "lm6"); // aliases name book models
  // Zipf: rank 0 is the most frequent, about 1/H(10000) = 10% of tokens; seeded.
  const ids = zipfIds(10_000, 100_000, 1);
  const zeros = ids.filter((i) => i === 0).length / ids.length;
  assert.ok(zeros > 0.09 && zeros < 0.12, `share of rank 0: ${zeros}`);
  assert.deepEqual(zipfIds(10_000, 50, 1), ids.subarray(0, 50));
  assert.ok(ids.every((i) => i >= 0 && i < 10_000));
});
