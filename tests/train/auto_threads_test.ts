import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { arrayBatches } from "../../src/data/stream_batches.ts";
import { AUTO_THREADS_FLOPS, autoThreads } from "../../src/train/auto_threads.ts";
import { Learner } from "../../src/train/learner.ts";

Deno.test("autoThreads: one thread for small steps, every core without spinning for large ones", () => {
  assert.deepEqual(autoThreads(335e6, 8), { threads: 1, spinning: undefined });
  assert.deepEqual(autoThreads(AUTO_THREADS_FLOPS, 8), { threads: 8, spinning: false });
  assert.deepEqual(autoThreads(89e9, 2), { threads: 2, spinning: false });
  assert.deepEqual(autoThreads(89e9, 1), { threads: 1, spinning: undefined });
});

Deno.test("a learner with autoThreads gives lm6 one thread and a large step every core", async () => {
  const entry = findModel("lm6");
  const data = { train: arrayBatches([]), valid: arrayBatches([]) };
  const threadsOf = async (arch: typeof entry.arch, seqLen: number) => {
    const learner = await Learner.create(entry.create(arch), { ...entry.recipe, seqLen }, {
      seed: 1,
      data,
      autoThreads: { cores: 3 },
      session: { threads: 7 }, // ignored under autoThreads
    });
    try {
      return [learner.runner.sessionOptions.threads, learner.runner.sessionOptions.spinning];
    } finally {
      await learner.release();
    }
  };
  assert.deepEqual(await threadsOf(entry.arch, entry.recipe.seqLen), [1, undefined]);
  // Vocabulary 5,000 at hidden 16, 64 x 64 tokens a step: about 2 GFLOP in the decoder alone.
  const large = { ...entry.arch, vocabSize: 5000, hidden: 16, layers: 1 };
  assert.deepEqual(await threadsOf(large, 64), [3, false]);
});
