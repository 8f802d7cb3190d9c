// fastai's fit_one_cycle schedule against closed-form values: cos(pi*(1-p)) is -1, 0, -1/2
// and 1/2 at p = 0, 1/2, 1/3 and 2/3, so those points need no trigonometry to check.
import assert from "node:assert/strict";
import { cosAnneal, oneCycle, type OneCycleOptions } from "../../src/optim/mod.ts";
import { assertClose } from "../helpers/reference.ts";
import { assertThrowsExactly } from "../helpers/assert_throws.ts";

const TOL = { rtol: 1e-12, atol: 1e-15 };

function expectAt(options: OneCycleOptions, iter: number, lr: number, mom: number): void {
  const got = oneCycle(options)(iter);
  assertClose([got.lr, got.mom], [lr, mom], TOL, `oneCycle(${JSON.stringify(options)})(${iter})`);
}

Deno.test("oneCycle() with fastai's defaults: start, mid-warm-up, peak, mid-anneal, end", () => {
  const o = { lrMax: 0.01, totalSteps: 200 }; // the peak is at iter 50
  expectAt(o, 0, 0.01 / 25, 0.95);
  expectAt(o, 25, (0.01 / 25 + 0.01) / 2, 0.9);
  expectAt(o, 50, 0.01, 0.85);
  expectAt(o, 125, (0.01 + 0.01 / 1e5) / 2, 0.9);
  expectAt(o, 200, 0.01 / 1e5, 0.95);
});

Deno.test("oneCycle() at a third of each phase with custom options (LMModel7's moms)", () => {
  const o = {
    lrMax: 1,
    totalSteps: 300,
    pctStart: 0.3,
    divFactor: 10,
    finalDiv: 100,
    moms: [0.8, 0.7, 0.8],
  } as const;
  // Warm-up: iters 0..90, p = 1/3 at 30: a + (b - a)/4. Anneal: 210 iters, p = 2/3 at 230.
  expectAt(o, 30, 0.1 + (1 - 0.1) / 4, 0.8 + (0.7 - 0.8) / 4);
  expectAt(o, 90, 1, 0.7);
  expectAt(o, 230, 1 + 0.75 * (0.01 - 1), 0.7 + 0.75 * (0.8 - 0.7));
  expectAt(o, 300, 0.01, 0.8);
});

Deno.test("oneCycle() rises then falls, approaching lrMax/finalDiv as pos -> 1", () => {
  const total = 1000;
  const sched = oneCycle({ lrMax: 0.003, totalSteps: total });
  const lrs = Array.from({ length: total + 1 }, (_, i) => sched(i).lr);
  const moms = Array.from({ length: total + 1 }, (_, i) => sched(i).mom);
  for (let i = 1; i <= total; i++) {
    const rising = i <= 250;
    assert.ok(rising ? lrs[i] > lrs[i - 1] : lrs[i] < lrs[i - 1], `lr at ${i}`);
    assert.ok(rising ? moms[i] < moms[i - 1] : moms[i] > moms[i - 1], `mom at ${i}`);
  }
  // The last batch (iter total - 1, p = 1 - 1/750) is within (b - a) * (pi/750)^2 / 4 of the
  // end values: 1.3e-8 for the lr, 4.4e-7 for the momentum.
  const near = (span: number) => Math.abs(span) * (Math.PI / 750) ** 2 / 4 * 1.001;
  assert.ok(Math.abs(lrs[total - 1] - 0.003 / 1e5) <= near(0.003), "lr of the last batch");
  assert.ok(Math.abs(moms[total - 1] - 0.95) <= near(0.1), "mom of the last batch");
  assert.equal(cosAnneal(2, 4, 0.5), 3);
});

Deno.test("oneCycle() refuses bad arguments, naming the argument, the range and the value", () => {
  const where = "Cannot make a one-cycle schedule";
  const base = { lrMax: 0.01, totalSteps: 10 };
  const cases: [Partial<OneCycleOptions>, string][] = [
    [{ lrMax: 0 }, `"lrMax" must be > 0 and finite: got 0`],
    [{ lrMax: NaN }, `"lrMax" must be > 0 and finite: got NaN`],
    [{ lrMax: Infinity }, `"lrMax" must be > 0 and finite: got Infinity`],
    [{ totalSteps: 0 }, `"totalSteps" must be an integer >= 1: got 0`],
    [{ totalSteps: 2.5 }, `"totalSteps" must be an integer >= 1: got 2.5`],
    [{ pctStart: 0 }, `"pctStart" must be in (0, 1): got 0`],
    [{ pctStart: 1 }, `"pctStart" must be in (0, 1): got 1`],
    [{ divFactor: -25 }, `"divFactor" must be > 0 and finite: got -25`],
    [{ finalDiv: 0 }, `"finalDiv" must be > 0 and finite: got 0`],
    [
      { moms: [0.95, 0.85] as unknown as [number, number, number] },
      `"moms" must be 3 numbers: got [0.95,0.85]`,
    ],
    [{ moms: [0.95, 1, 0.95] }, `"moms[1]" must be in [0, 1): got 1`],
  ];
  for (const [bad, message] of cases) {
    assertThrowsExactly(() => oneCycle({ ...base, ...bad }), RangeError, `${where}: ${message}`);
  }
  const sched = oneCycle(base);
  for (const iter of [-1, 11, NaN]) {
    assertThrowsExactly(
      () => sched(iter),
      RangeError,
      `Cannot evaluate the one-cycle schedule: "iter" must be in [0, 10]: got ${iter}`,
    );
  }
});
