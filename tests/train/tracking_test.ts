import assert from "node:assert/strict";
import { bestEpoch, epochsSinceBest, improves, monitorValue } from "../../src/train/tracking.ts";

const rows = (loss: number[], acc: number[]) =>
  loss.map((valid_loss, epoch) => ({ epoch, valid_loss, accuracy: acc[epoch] }));

Deno.test("monitorValue: perplexity is exp(valid_loss), as fastai's Perplexity()", () => {
  const r = { epoch: 0, valid_loss: Math.log(20), accuracy: 0.5 };
  assert.ok(Math.abs(monitorValue(r, "perplexity") - 20) < 1e-12);
  assert.equal(monitorValue(r, "valid_loss"), Math.log(20));
  assert.equal(monitorValue(r, "accuracy"), 0.5);
});

Deno.test("improves: lower loss and perplexity, higher accuracy, strictly", () => {
  assert.ok(improves("valid_loss", 1, 2));
  assert.ok(!improves("valid_loss", 2, 2), "a tie is no improvement");
  assert.ok(improves("perplexity", 3, 4));
  assert.ok(improves("accuracy", 0.6, 0.5));
  assert.ok(!improves("accuracy", 0.5, 0.6));
  assert.ok(improves("accuracy", 0, undefined));
});

Deno.test("bestEpoch and epochsSinceBest follow each monitor over a history", () => {
  const h = rows([2.0, 1.5, 1.5, 1.7, 1.6], [0.3, 0.4, 0.45, 0.5, 0.44]);
  assert.deepEqual(bestEpoch(h, "valid_loss"), { epoch: 1, value: 1.5 }, "the first of a tie");
  assert.equal(epochsSinceBest(h, "valid_loss"), 3);
  assert.equal(bestEpoch(h, "perplexity")!.epoch, 1);
  assert.deepEqual(bestEpoch(h, "accuracy"), { epoch: 3, value: 0.5 });
  assert.equal(epochsSinceBest(h, "accuracy"), 1);
  assert.equal(bestEpoch([], "accuracy"), undefined);
  assert.equal(epochsSinceBest([], "valid_loss"), 0);
  // A resumed run's history starts later than epoch 0: counted by position, not by number.
  const resumed = h.map((r) => ({ ...r, epoch: r.epoch + 10 }));
  assert.equal(epochsSinceBest(resumed, "valid_loss"), 3);
});
