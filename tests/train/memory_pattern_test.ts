import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { pickConfigs } from "../../tools/lib/bench/bench_configs.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";
import { liveBytes } from "../../src/graph/live_bytes.ts";
import { keepsMemoryPattern, MEMORY_PATTERN_LIMIT } from "../../src/train/memory_pattern.ts";
import { Learner } from "../../src/train/learner.ts";
import { arrayBatches } from "../../src/data/stream_batches.ts";

const trainLive = (name: string) => {
  const c = pickConfigs([name])[0];
  const a = buildArtifacts(c.entry.create(c.arch), {
    batchSize: c.recipe.batchSize,
    seqLen: c.recipe.seqLen,
    optimizer: { kind: "adam", wd: c.recipe.wd },
  });
  return liveBytes(a.train).peak;
};

Deno.test("the memory pattern stays for the book's graphs and goes for the scaled ones", () => {
  for (const name of ["lm1", "lm6", "lm7", "gru"]) {
    assert.ok(keepsMemoryPattern(trainLive(name)), name);
  }
  const h256 = trainLive("lstm-h256");
  assert.ok(h256 > MEMORY_PATTERN_LIMIT, `${h256}`);
  assert.ok(!keepsMemoryPattern(h256));
});

Deno.test("a learner without the memory pattern trains to the same bits as one with it", async () => {
  const entry = findModel("lm6");
  const arch = { ...entry.arch, hidden: 16 };
  const run = async (memPattern: boolean | undefined) => {
    const learner = await Learner.create(entry.create(arch), entry.recipe, {
      seed: 3,
      ...(memPattern === undefined ? {} : { session: { memPattern } }),
    });
    try {
      const rows = await learner.fit(1);
      return {
        pattern: learner.runner.sessionOptions.memPattern,
        rows,
        tensors: learner.runner.tensors(),
      };
    } finally {
      await learner.release();
    }
  };
  const [byDefault, without] = [await run(undefined), await run(false)];
  assert.equal(byDefault.pattern, undefined, "a small graph keeps onnxruntime's default");
  assert.equal(without.pattern, false);
  assert.deepEqual(
    without.rows.map((r) => [r.train_loss, r.valid_loss, r.accuracy]),
    byDefault.rows.map((r) => [r.train_loss, r.valid_loss, r.accuracy]),
  );
  for (const [name, t] of byDefault.tensors) {
    assert.deepEqual(without.tensors.get(name)!.data, t.data, name);
  }
});

Deno.test("a learner on the CPU turns the memory pattern off for a graph of large values", async () => {
  const entry = findModel("lm6");
  // An LSTM of hidden 512 over 64 x 64 tokens: 134 MiB of live values, past the limit.
  const arch = { ...entry.arch, hidden: 512, layers: 1 };
  const recipe = { ...entry.recipe, seqLen: 64 };
  const data = { train: arrayBatches([]), valid: arrayBatches([]) };
  const learner = await Learner.create(entry.create(arch), recipe, { seed: 1, data });
  try {
    assert.equal(learner.runner.sessionOptions.memPattern, false);
  } finally {
    await learner.release();
  }
  const kept = await Learner.create(entry.create(arch), recipe, {
    seed: 1,
    data,
    session: { memPattern: true }, // asked for: kept
  });
  try {
    assert.equal(kept.runner.sessionOptions.memPattern, true);
  } finally {
    await kept.release();
  }
});
