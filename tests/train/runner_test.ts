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

Deno.test("a step frees the state it read, and tensors() snapshots stay as they were", async () => {
  const model = new LMModel7(30, 16, 2, 0.4);
  const artifacts = buildArtifacts(model, { batchSize: 64, seqLen: 16, ar: 2, tar: 1 });
  const { train } = sequenceLoaders();
  const runner = await Runner.create(artifacts, model.initParameters(2), { seed: 2 });
  try {
    const before = runner.tensors();
    const kept = new Map(
      [...before].map(([name, t]) => [name, Array.from(t.data as Float32Array)]),
    );
    // A view of what the step reads: the step frees it (an empty, detached buffer).
    const read =
      (runner as unknown as { carried: { feeds: Record<string, { data: Float32Array }> } })
        .carried.feeds;
    const [first] = Object.values(read);
    assert.ok(first.data.length > 0);
    await runner.trainStep(train[0], 1e-2, 0.9);
    await runner.trainStep(train[1], 1e-2, 0.9);
    assert.equal(first.data.length, 0, "the buffer the first step read is freed");
    for (const [name, t] of before) {
      assert.deepEqual(Array.from(t.data as Float32Array), kept.get(name), name);
    }
    const after = runner.tensors();
    assert.notDeepEqual(
      Array.from(after.get("i_h.weight")!.data as Float32Array),
      kept.get("i_h.weight"),
      "the steps changed the weights",
    );
  } finally {
    await runner.release();
  }
});
