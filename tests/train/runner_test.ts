import assert from "node:assert/strict";
import { LMModel7 } from "../../models/lm_model7.ts";
import { sequenceLoaders } from "../../src/data/pipelines.ts";
import { buildArtifacts } from "../../src/train/artifacts.ts";
import { Runner } from "../../src/train/runner.ts";
import { oneCycle } from "../../src/optim/one_cycle.ts";

/** Trains a small weight-tied LSTM with dropout, AR and TAR for a few steps. */
async function run(seed: number, steps: number): Promise<{ losses: number[]; valid: number }> {
  const model = new LMModel7(30, 16, 2, 0.4);
  const artifacts = buildArtifacts(model, {
    batchSize: 64,
    seqLen: 16,
    ar: 2,
    tar: 1,
    optimizer: { kind: "adam", wd: 0.1 },
  });
  const { train, valid } = sequenceLoaders();
  const runner = await Runner.create(artifacts, model.initParameters(seed), { seed });
  const schedule = oneCycle({ lrMax: 1e-2, totalSteps: steps, moms: [0.8, 0.7, 0.8] });
  try {
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const { lr, mom } = schedule(i);
      losses.push(await runner.trainStep(train[i % train.length], lr, mom));
    }
    runner.resetState();
    let lossSum = 0;
    let count = 0;
    for (const batch of valid.slice(0, 3)) {
      const r = await runner.evalStep(batch);
      lossSum += r.lossSum;
      count += r.count;
    }
    return { losses, valid: lossSum / count };
  } finally {
    await runner.release();
  }
}

Deno.test("training with the train artifact lowers the loss", async () => {
  const { losses, valid } = await run(1, 60);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(losses.slice(0, 5));
  const last = mean(losses.slice(-5));
  assert.ok(first > 3, `an untrained model starts near ln(30) = 3.4: got ${first}`);
  assert.ok(last < first - 1, `loss should fall by more than 1 nat: ${first} -> ${last}`);
  assert.ok(
    valid < first - 0.5,
    `validation loss ${valid} should be below the starting loss ${first}`,
  );
});

Deno.test("the same seed reproduces the same losses bit for bit; another seed does not", async () => {
  const a = await run(5, 8);
  const b = await run(5, 8);
  const c = await run(6, 8);
  assert.deepEqual(a.losses, b.losses);
  assert.equal(a.valid, b.valid);
  assert.notDeepEqual(a.losses, c.losses);
});
