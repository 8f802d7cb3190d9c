// nanoGPT's schedule: its baby-GPT settings (lr 1e-3 to 1e-4 over 2,000 iterations, warmup
// 100) at the edges of each phase, and the refusals.
import assert from "node:assert/strict";
import { warmupCosine } from "../../src/optim/warmup_cosine.ts";

Deno.test("warmupCosine() warms up linearly, decays by a cosine to the floor, then stays there", () => {
  const s = warmupCosine({ lrMax: 1e-3, lrMin: 1e-4, warmup: 100, decaySteps: 2000, mom: 0.9 });
  const close = (it: number, want: number) => {
    const { lr, mom } = s(it);
    assert.ok(Math.abs(lr - want) <= 1e-15, `step ${it}: ${lr} vs ${want}`);
    assert.equal(mom, 0.9);
  };
  close(0, 1e-3 / 101);
  close(50, (1e-3 * 51) / 101);
  close(99, (1e-3 * 100) / 101);
  close(100, 1e-3);
  close(1050, 1e-4 + 0.5 * (1e-3 - 1e-4)); // halfway through the decay
  close(2000, 1e-4);
  close(5000, 1e-4);
  for (let it = 101; it < 2000; it += 97) {
    assert.ok(s(it).lr < s(it - 1).lr, `decreasing at step ${it}`);
  }
});

Deno.test("warmupCosine() names a setting out of range", () => {
  const ok = { lrMax: 1e-3, lrMin: 1e-4, warmup: 100, decaySteps: 2000, mom: 0.9 };
  assert.throws(() => warmupCosine({ ...ok, lrMax: 0 }), /lrMax must be a positive number: got 0/);
  assert.throws(
    () => warmupCosine({ ...ok, lrMin: 2e-3 }),
    /lrMin must be in \[0, 0.001\]: got 0.002/,
  );
  assert.throws(() => warmupCosine({ ...ok, warmup: 1.5 }), /warmup must be an integer >= 0/);
  assert.throws(
    () => warmupCosine({ ...ok, decaySteps: 100 }),
    /decaySteps must be an integer above warmup \(100\): got 100/,
  );
  assert.throws(() => warmupCosine({ ...ok, mom: 1 }), /mom must be in \[0, 1\): got 1/);
});
