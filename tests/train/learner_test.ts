import assert from "node:assert/strict";
import { findModel } from "../../models/registry.ts";
import { tensor } from "../../src/onnx/tensor.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/train/checkpoint.ts";
import { FitInterrupted, Learner, NonFiniteLossError } from "../../src/train/learner.ts";

Deno.test("lm1 trained with its full recipe (4 epochs, lr 1e-3) reaches the book's accuracy", async () => {
  const entry = findModel("lm1");
  const learner = await Learner.create(entry.create(), entry.recipe, { seed: 42 });
  try {
    const rows = await learner.fit();
    assert.equal(rows.length, 4);
    const last = rows[3];
    assert.ok(last.accuracy >= 0.47, `lm1 accuracy ${last.accuracy} (book: 0.494)`);
    assert.ok(last.valid_loss < 1.8, `lm1 valid_loss ${last.valid_loss}`);
    assert.ok(rows[0].train_loss > last.train_loss, "the smoothed train loss falls");
  } finally {
    await learner.release();
  }
});

Deno.test("lm6 trained for 4 of its 15 epochs is far above the 0.152 baseline", async () => {
  const entry = findModel("lstm");
  const learner = await Learner.create(entry.create(), entry.recipe, { seed: 42 });
  try {
    const rows = await learner.fit(4);
    const acc = rows[3].accuracy;
    assert.ok(acc >= 0.4, `lm6 accuracy after 4 epochs: ${acc}`);
  } finally {
    await learner.release();
  }
});

Deno.test("a run resumed from a checkpoint ends exactly where an uninterrupted run does", async () => {
  const entry = findModel("lm7"); // dropout masks, AR/TAR and weight decay all in play
  const epochs = 3;
  const uninterrupted = await Learner.create(entry.create(), entry.recipe, { seed: 9 });
  const full = await uninterrupted.fit(epochs);
  const fullTensors = uninterrupted.runner.tensors();
  await uninterrupted.release();

  const first = await Learner.create(entry.create(), entry.recipe, { seed: 9 });
  let saved: Uint8Array | undefined;
  let batches = 0;
  await assert.rejects(
    first.fit(epochs, entry.recipe.lrMax, {
      onEpoch: () => {
        saved = encodeCheckpoint({ tensors: first.runner.tensors(), meta: { ...first.state() } });
      },
      onBatch: () => {
        batches++;
      },
      shouldStop: () => batches >= first.train.length + 5, // Ctrl-C during the second epoch
    }),
    (e: Error) => e instanceof FitInterrupted && e.epoch === 1,
  );
  await first.release();

  const ckpt = decodeCheckpoint(saved!);
  const second = await Learner.create(entry.create(), entry.recipe, { seed: 9 });
  try {
    second.restore(ckpt.tensors, ckpt.meta as never);
    assert.equal(second.epoch, 1);
    await second.fit(epochs);
    const strip = (rows: readonly { time: number }[]) => rows.map(({ time: _, ...rest }) => rest);
    assert.deepEqual(strip(second.history), strip(full));
    for (const [name, t] of fullTensors) {
      assert.deepEqual(second.runner.tensors().get(name)!.data, t.data, `tensor "${name}" differs`);
    }
  } finally {
    await second.release();
  }
});

Deno.test("a NaN loss stops training, naming the epoch and batch", async () => {
  const entry = findModel("lm3");
  const learner = await Learner.create(entry.create(), entry.recipe, { seed: 1 });
  let good: Uint8Array | undefined;
  try {
    await assert.rejects(
      learner.fit(3, entry.recipe.lrMax, {
        onEpoch: (record) => {
          good = encodeCheckpoint({
            tensors: learner.runner.tensors(),
            meta: { epoch: record.epoch },
          });
          // Poison one weight: the next batch's loss is NaN.
          const bias = learner.runner.tensors().get("h_o.bias")!; // on the host (CPU run)
          const data = Float32Array.from(bias.data as Float32Array);
          data[3] = NaN;
          const poisoned = new Map(learner.runner.tensors());
          poisoned.set("h_o.bias", tensor("float32", bias.dims, data));
          learner.runner.restore(poisoned, learner.runner.step);
        },
      }),
      (e: Error) => {
        assert.ok(e instanceof NonFiniteLossError);
        assert.equal(e.message, "Training loss is NaN at epoch 1, batch 0: stopping");
        return true;
      },
    );
    assert.equal(learner.epoch, 1);
    const kept = decodeCheckpoint(good!);
    assert.deepEqual(kept.meta, { epoch: 0 });
    assert.ok((kept.tensors.get("h_o.bias")!.data as Float32Array).every(Number.isFinite));
  } finally {
    await learner.release();
  }
});
