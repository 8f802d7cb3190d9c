import assert from "node:assert/strict";
import type { Batch } from "../../src/data/batches.ts";
import type { Learner } from "../../src/train/learner.ts";
import { lrAt, lrFind, lrFindOptions } from "../../src/train/lr_find.ts";
import { SmoothLoss } from "../../src/train/smooth_loss.ts";

/** What the fake runner was asked, step by step. */
interface Call {
  readonly batch: number;
  readonly lr: number;
  readonly mom: number;
}

/**
 * A learner whose runner answers each step with `loss(step, lr)` and records the calls, the
 * recurrent-state resets and the mask streams (no sessions: the sweep's own logic only).
 */
function fakeLearner(batches: number, loss: (step: number, lr: number) => number) {
  const calls: Call[] = [];
  const resets: number[] = [];
  let masks = 0;
  const learner = {
    seed: 42,
    train: {
      length: batches,
      batch: (i: number) => ({ x: [i] }) as unknown as Batch,
    },
    runner: {
      resetState: () => resets.push(calls.length),
      useMaskStream: () => masks++,
      trainStep: (batch: Batch, lr: number, mom: number) => {
        calls.push({ batch: (batch as unknown as { x: number[] }).x[0], lr, mom });
        return Promise.resolve(loss(calls.length - 1, lr));
      },
    },
  } as unknown as Learner;
  return { learner, calls, resets, masks: () => masks };
}

Deno.test("lrAt() grows exponentially from startLr, reaching endLr at step numIt", () => {
  assert.equal(lrAt(0), 1e-7);
  assert.ok(Math.abs(lrAt(100) - 10) < 1e-12);
  assert.ok(Math.abs(lrAt(50) / lrAt(49) - lrAt(1) / lrAt(0)) < 1e-9); // constant ratio
  assert.ok(Math.abs(lrAt(5, { startLr: 1e-3, endLr: 1e-1, numIt: 10 }) - 1e-2) < 1e-15);
});

Deno.test("lrFind() runs numIt steps, wrapping the batches with the state reset", async () => {
  const f = fakeLearner(7, () => 2);
  const r = await lrFind(f.learner, { numIt: 20 });
  assert.equal(r.end, "done");
  assert.equal(r.points.length, 20);
  assert.deepEqual(f.calls.map((c) => c.batch), [...Array(20)].map((_, i) => i % 7));
  assert.deepEqual(f.resets, [0, 7, 14]); // each pass starts with zeroed state, as an epoch
  assert.equal(f.masks(), 3);
  assert.deepEqual(f.calls.map((c) => c.lr), [...Array(20)].map((_, i) => lrAt(i, { numIt: 20 })));
  assert.ok(f.calls.every((c) => c.mom === 0.9)); // Adam's default: LRFinder sets only the lr
});

Deno.test("lrFind() records fastai's smoothed loss and stops once it passes 4x its best", async () => {
  // Falls to 1 by lr 1e-3, then grows 10x a step: the smoothed loss passes 4 x best soon after.
  const loss = (_: number, lr: number) => lr < 1e-3 ? 2 - lr * 1000 : 10 ** (Math.log10(lr) + 4);
  const f = fakeLearner(50, loss);
  const r = await lrFind(f.learner);
  assert.equal(r.end, "diverged");
  const smooth = new SmoothLoss();
  const expected = f.calls.map((c, i) => {
    smooth.add(loss(i, c.lr));
    return smooth.value;
  });
  assert.deepEqual(r.points.map((p) => p.loss), expected);
  const best = Math.min(...expected);
  assert.ok(expected.at(-1)! > 4 * best);
  assert.ok(expected.slice(0, -1).every((v) => v <= 4 * best)); // it stopped at the first
  assert.ok(r.points.length < 100);
  assert.ok(r.suggestions);
});

Deno.test("lrFind() without stopDiv runs on; a NaN loss stops it", async () => {
  const rising = fakeLearner(10, (i) => 1 + i);
  assert.equal((await lrFind(rising.learner, { numIt: 30, stopDiv: false })).points.length, 30);
  const nan = fakeLearner(10, (i) => i < 25 ? 3 - i * 0.05 : NaN);
  const r = await lrFind(nan.learner, { numIt: 40 });
  assert.equal(r.end, "nan");
  assert.equal(r.points.length, 26);
  assert.ok(Number.isNaN(r.points.at(-1)!.loss));
  assert.ok(r.suggestions && Number.isFinite(r.suggestions.valley.at.loss));
});

Deno.test("lrFind() stops when asked, and reports each step", async () => {
  const f = fakeLearner(10, () => 1);
  const seen: number[] = [];
  const r = await lrFind(f.learner, { numIt: 50 }, {
    onStep: (done, total) => {
      assert.equal(total, 50);
      seen.push(done);
    },
    shouldStop: () => seen.length >= 12,
  });
  assert.equal(r.end, "stopped");
  assert.deepEqual(seen, [...Array(12)].map((_, i) => i + 1));
});

Deno.test("lrFindOptions() names a bad option, expected vs actual", () => {
  assert.throws(() => lrFindOptions({ startLr: 0 }), {
    message: "lr_find: startLr must be a positive number: got 0",
  });
  assert.throws(() => lrFindOptions({ startLr: 1, endLr: 1 }), {
    message: "lr_find: endLr must be a number above startLr 1: got 1",
  });
  assert.throws(() => lrFindOptions({ numIt: 5 }), {
    message: "lr_find: numIt must be an integer of at least 6: got 5",
  });
  assert.throws(() => lrFindOptions({ mom: 1 }), {
    message: "lr_find: mom must be in [0, 1): got 1",
  });
});
