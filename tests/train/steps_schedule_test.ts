// nanoGPT's schedule as a run's recipe: its defaults, cut down for short runs, and the epochs
// (validations) it runs; and a GPT learner that follows it step by step and resumes exactly.
import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { humanNumbersCorpus } from "../../src/run/corpus.ts";
import { planRun, startRun } from "../../src/run/start_run.ts";
import {
  epochSteps,
  scheduleEpochs,
  scheduleFloor,
  stepsSchedule,
} from "../../src/train/steps_schedule.ts";
import { warmupCosine } from "../../src/optim/warmup_cosine.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/train/checkpoint.ts";
import { FitInterrupted } from "../../src/train/learner.ts";

Deno.test("stepsSchedule() is nanoGPT's at 2,000 steps and scales its warmup and validations down", () => {
  assert.deepEqual(stepsSchedule(2000, 1e-3), {
    kind: "warmup-cosine",
    steps: 2000,
    warmup: 100,
    lrMin: 1e-4,
    evalEvery: 250,
  });
  assert.deepEqual(stepsSchedule(5000, 1e-3).warmup, 100);
  assert.deepEqual(stepsSchedule(5000, 1e-3).evalEvery, 250);
  const short = stepsSchedule(30, 3e-3);
  assert.deepEqual([short.warmup, short.evalEvery, short.lrMin], [1, 4, 3e-4]);
  assert.equal(scheduleEpochs(short), 8);
  assert.deepEqual(
    Array.from({ length: 8 }, (_, e) => epochSteps(short, e)),
    [4, 4, 4, 4, 4, 4, 4, 2],
  );
  assert.equal(scheduleEpochs(stepsSchedule(2000, 1e-3)), 8);
  for (const bad of [1, 0, 2.5, NaN]) {
    assert.throws(() => stepsSchedule(bad, 1e-3), /needs an integer >= 2 steps/);
  }
});

Deno.test("a steps run resumed at a lower peak decays to a floor scaled with it, as nanoGPT's lr/10", () => {
  const recipe = { lrMax: 3e-3, schedule: stepsSchedule(2000, 3e-3) };
  assert.equal(scheduleFloor(recipe, 3e-3), 3e-4);
  assert.equal(scheduleFloor(recipe, 3e-4), 3e-5);
  assert.equal(scheduleFloor({ lrMax: 1e-2 }, 1e-2), 0);
});

const SMALL = { embd: 16, heads: 2, layers: 1, block: 8, batchSize: 4, dropout: 0.1 };

function smallPlan(seed: number) {
  return planRun({
    entry: findModel("gpt"),
    corpus: humanNumbersCorpus(),
    sizes: SMALL,
    epochs: 1,
    steps: 30,
    lrMax: 3e-3,
    seed,
    device: "cpu",
  });
}

Deno.test("a GPT learner runs its schedule's steps at nanoGPT's lr, each epoch on fresh random windows", async () => {
  const plan = smallPlan(5);
  assert.equal(plan.epochs, 8);
  const learner = await startRun(plan);
  const fed: { lr: number; mom: number; first: bigint }[] = [];
  const step = learner.runner.trainStep.bind(learner.runner);
  learner.runner.trainStep = (batch, lr, mom) => {
    fed.push({ lr, mom, first: (batch.x as BigInt64Array)[0] });
    return step(batch, lr, mom);
  };
  try {
    const rows = await learner.fit(plan.epochs, plan.lrMax);
    assert.equal(rows.length, 8);
    assert.equal(fed.length, 30);
    const want = warmupCosine({ lrMax: 3e-3, lrMin: 3e-4, warmup: 1, decaySteps: 30, mom: 0.9 });
    fed.forEach((f, k) => assert.deepEqual([f.lr, f.mom], [want(k).lr, want(k).mom], `step ${k}`));
    // The windows start anywhere: the epochs' first windows are not one repeated batch.
    assert.ok(new Set(fed.map((f) => f.first)).size > 3);
    assert.ok(rows[7].valid_loss < rows[0].valid_loss, "validation improves");
  } finally {
    await learner.release();
  }
});

Deno.test("a GPT run resumed from a checkpoint ends exactly where an uninterrupted run does", async () => {
  const plan = smallPlan(9);
  const uninterrupted = await startRun(plan);
  const full = await uninterrupted.fit(plan.epochs, plan.lrMax);
  const fullTensors = uninterrupted.runner.tensors();
  await uninterrupted.release();

  const first = await startRun(plan);
  let saved: Uint8Array | undefined;
  let batches = 0;
  await assert.rejects(
    first.fit(plan.epochs, plan.lrMax, {
      onEpoch: () => {
        saved = encodeCheckpoint({ tensors: first.runner.tensors(), meta: { ...first.state() } });
      },
      onBatch: () => {
        batches++;
      },
      shouldStop: () => batches >= 4 * 3 + 2, // during the fourth epoch
    }),
    (e: Error) => e instanceof FitInterrupted && e.epoch === 3,
  );
  await first.release();
  const ckpt = decodeCheckpoint(saved!);
  const second = await startRun(plan);
  try {
    second.restore(ckpt.tensors, ckpt.meta as never);
    assert.equal(second.epoch, 3);
    await second.fit(plan.epochs, plan.lrMax);
    const strip = (rows: readonly { time: number }[]) => rows.map(({ time: _, ...rest }) => rest);
    assert.deepEqual(strip(second.history), strip(full));
    for (const [name, t] of fullTensors) {
      assert.deepEqual(second.runner.tensors().get(name)!.data, t.data, `tensor "${name}" differs`);
    }
  } finally {
    await second.release();
  }
});
