import assert from "node:assert/strict";
import { humanNumbers, sequenceLoaders, threeTokenLoaders } from "../../src/data/pipelines.ts";
import { sequenceSamples, splitSamples, threeTokenSamples } from "../../src/data/samples.ts";
import type { Batch } from "../../src/data/batches.ts";
import {
  type BatchSource,
  sampleCount,
  streamBatches,
  tokensForOneBatch,
} from "../../src/data/stream_batches.ts";

const all = (s: BatchSource): Batch[] => Array.from({ length: s.length }, (_, i) => s.batch(i));

// The book's pipelines split samples, not tokens: the samples of a split are exactly the
// stream up to the token after their last target, so a stream view of that prefix must give
// the very same batches.
Deno.test("streamBatches() equals the book's sequence pipeline (group_chunks, drop_last)", () => {
  const nums = Int32Array.from(humanNumbers().nums);
  for (const [bs, sl] of [[64, 16], [8, 32]]) {
    const { cut } = splitSamples(sequenceSamples(humanNumbers().nums, sl));
    const train = streamBatches(nums.subarray(0, cut * sl + 2), { data: "sequence", bs, sl });
    assert.deepEqual(all(train), sequenceLoaders({ bs, sl }).train, `bs ${bs}, sl ${sl}`);
  }
});

Deno.test("streamBatches() equals the book's three-token pipelines, stateful and not", () => {
  const nums = Int32Array.from(humanNumbers().nums);
  const { cut } = splitSamples(threeTokenSamples(humanNumbers().nums));
  const prefix = nums.subarray(0, cut * 3 + 2);
  const stateful = streamBatches(prefix, { data: "three-token-stateful", bs: 64, sl: 3 });
  assert.deepEqual(all(stateful), threeTokenLoaders({ stateful: true }).train);
  const plain = streamBatches(prefix, { data: "three-token", bs: 64, sl: 3 });
  assert.deepEqual(all(plain), threeTokenLoaders().train);
  // Validation keeps its last partial batch (fastai's default for non-stateful loaders).
  const rest = nums.subarray(cut * 3);
  const valid = all(streamBatches(rest, { data: "three-token", bs: 64, sl: 3, keepLast: true }));
  assert.deepEqual(valid, threeTokenLoaders().valid);
});

Deno.test("tokensForOneBatch() is the exact threshold of sampleCount()", () => {
  for (const [data, bs, sl] of [["sequence", 4, 5], ["three-token-stateful", 7, 3]] as const) {
    const need = tokensForOneBatch(data, bs, sl);
    assert.equal(sampleCount(need, data, sl) >= bs, true);
    assert.equal(sampleCount(need - 1, data, sl) >= bs, false);
  }
  assert.equal(streamBatches(new Int32Array(10), { data: "sequence", bs: 4, sl: 5 }).length, 0);
  assert.throws(
    () => streamBatches(new Int32Array(100), { data: "sequence", bs: 2, sl: 5 }).batch(99),
    /index must be an integer in 0\.\.8: got 99/,
  );
});
